"""Home by role, global person search and office switching (log-in: jiritsu.signin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiritsu.cases import person_file as people_selectors
from jiritsu.cases.access import log_list
from jiritsu.core import clock
from jiritsu.offices.access import action_required
from jiritsu.offices.http import AttachedRequest, OfficeRequest
from jiritsu.offices.middleware import SESSION_OFFICE_KEY
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import home_page, may_manage_offices, may_view_national
from jiritsu.web import selectors

Role = Membership.Role


@login_required
def home(request: AttachedRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        if may_view_national(request.user):
            return redirect("national")
        if may_manage_offices(request.user):
            return redirect("installation:offices")
        return render(request, "web/no_office.html", status=403)
    today = clock.today()
    page_kind = home_page(membership)
    if page_kind == "caseworker":
        flag = request.GET.get("flag", "")
        flag = flag if flag in selectors.FLAG_LABELS else ""
        ctx = selectors.caseworker_home(membership, today=today, flag=flag)
        return render(request, "web/home_caseworker.html", ctx)
    if page_kind == "team":
        cw = _chosen_caseworker(membership, request.GET.get("cw", ""))
        if cw is not None:
            flag = request.GET.get("flag", "")
            flag = flag if flag in selectors.FLAG_LABELS else ""
            ctx = selectors.caseworker_home(membership, today=today, flag=flag, caseworker=cw)
            return render(request, "web/home_caseworker.html", ctx)
        raw = request.GET.get("page", "")
        page = int(raw) if raw.isdigit() else 1
        return render(request, "web/home_team.html",
                      selectors.team_home(membership, today=today, page=page))
    if page_kind == "support":
        return render(request, "web/home_support.html",
                      selectors.support_home(membership, today=today))
    if page_kind == "partner":
        return render(request, "web/home_partner.html",
                      selectors.partner_home(membership, today=today))
    return render(request, "web/home_admin.html", {"today": today})


def _chosen_caseworker(membership: Membership, raw: str) -> User | None:
    """A caseworker of this office picked on the team view (anything else: the team view)."""
    if not raw.isdigit():
        return None
    m = (Membership.objects.filter(office=membership.office, user_id=int(raw),
                                   role=Role.CASEWORKER, is_active=True)
         .select_related("user").first())
    return m.user if m else None


@action_required("person.view")
def search(request: OfficeRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    dropdown = bool(request.htmx and request.GET.get("dropdown"))
    results = (people_selectors.search_people(request.membership, q,
                                              limit=8 if dropdown else 50) if q else [])
    log_list(request.membership, list(results), what="person.search", note=f"検索語: {q}")
    if dropdown:
        template = "web/_search_dropdown.html"
    elif request.htmx:
        template = "web/_search_results.html"
    else:
        template = "web/search.html"
    return render(request, template, {"q": q, "results": results})


@login_required
@require_POST
def switch_office(request: HttpRequest) -> HttpResponse:
    office_id = int(request.POST.get("office_id", "0") or 0)
    user = request.user  # signed in (login_required): a User
    if isinstance(user, User) and Membership.objects.filter(
            user=user, office_id=office_id, is_active=True).exists():
        request.session[SESSION_OFFICE_KEY] = office_id
    return redirect("home")
