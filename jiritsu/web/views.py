"""Home, global person search, log-in and office switching."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiritsu.offices.access import action_required
from jiritsu.offices.middleware import SESSION_OFFICE_KEY
from jiritsu.offices.models import Membership
from jiritsu.people import selectors


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None:
        return render(request, "web/no_office.html", status=403)
    caseload = []
    if membership.can("household.view"):
        caseload = selectors.caseload_for(membership)
    return render(request, "web/home.html", {"caseload": caseload})


@action_required("person.view")
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = selectors.search_people(request.membership, q) if q else []  # type: ignore[attr-defined]
    template = "web/_search_results.html" if request.htmx else "web/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"q": q, "results": results})


@login_required
@require_POST
def switch_office(request: HttpRequest) -> HttpResponse:
    office_id = int(request.POST.get("office_id", "0") or 0)
    if Membership.objects.filter(user=request.user, office_id=office_id, is_active=True).exists():
        request.session[SESSION_OFFICE_KEY] = office_id
    return redirect("home")
