"""Person and household screens: parse → access → service → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from jiritsu.cases import person_file as selectors
from jiritsu.cases import person_notes
from jiritsu.cases import timeline as tl
from jiritsu.cases.access import (
    get_household_for_user,
    get_person_for_user,
    log_list,
    log_view,
    partner_categories,
)
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership
from jiritsu.people import amounts, services
from jiritsu.people.forms import PersonForm
from jiritsu.people.models import Household, Person

AMOUNT_MONTHS = 24  # the months of 保護費・医療扶助 the person and household pages show


def _file_for(membership: Membership, person: Person) -> dict[str, Any]:
    """The person's file as this membership may see it (a partner: what consent grants)."""
    if membership.is_partner:
        granted = partner_categories(membership, person)
        sections = {"basic"} | {selectors.PARTNER_SECTIONS[c] for c in granted
                                if c in selectors.PARTNER_SECTIONS}
        return selectors.person_file(person, sections=sections,
                                     partner_id=membership.partner_id)
    return selectors.person_file(person)


def _timeline_context(request: HttpRequest, membership: Membership, person: Person,
                      enrollments: list[Any], consents: list[Any] | None = None,
                      plans: list[Any] | None = None,
                      present: dict[str, bool] | None = None) -> dict[str, Any]:
    programs = sorted({(e.program_id, e.program.name) for e in enrollments}, key=lambda p: p[1])
    form = tl.TimelineFilterForm(request.GET or None, programs=programs)
    filters = form.to_filter() if request.GET else None
    # Staff read all of the person's enrolments; a partner only those referred to it.
    data = tl.person_timeline(person, membership=membership, filters=filters,
                              consents=consents,
                              enrollments=None if membership.is_partner else enrollments,
                              plans=None if membership.is_partner else plans,
                              present=present)
    return {"timeline": data, "timeline_form": form, "person": person,
            "filtered": bool(request.GET and any(request.GET.get(k) for k in
                                                 ("kind", "program", "date_from", "date_to")))}


@action_required("person.view")
def person_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    person = get_person_for_user(membership, pk)
    log_view(membership, person)
    context = _file_for(membership, person)
    context.update(_timeline_context(request, membership, person, context["enrollments"],
                                     None if membership.is_partner else context["consents"],
                                     context["plans"], context["present"]))
    context["person_programs_partial"] = _optional_template("cases/_person_programs.html")
    # A partner reads the person, not the household page (which would answer 403).
    context["household_link"] = membership.can("household.view")
    # What happened to the record as a whole (a merge, a 移管), from the apps that know.
    context["person_notes"] = person_notes.notes_for(membership, person)
    context.update(_amounts_context(membership, person))
    return render(request, "people/person_detail.html", context)


def _amounts_context(membership: Membership, person: Person | None = None,
                     household: Household | None = None) -> dict[str, Any]:
    """保護費・医療扶助 by month for the office's staff (``amounts.view``; never partners).
    Showing them is its own audit row: ``person.amounts_view`` about the person, or
    ``household.amounts_view`` naming every member of the household."""
    if not membership.can("amounts.view"):
        return {}
    if person is not None:
        rows = amounts.person_months(person, last=clock.today(), months=AMOUNT_MONTHS)
        if rows:
            log_view(membership, person, what="person.amounts_view")
    else:
        assert household is not None
        rows = amounts.household_months(household, last=clock.today(), months=AMOUNT_MONTHS)
        if rows:
            log_list(membership, list(household.members.all()), what="household.amounts_view",
                     note=f"ケース{household.case_number}")
    return {"show_amounts": True, "amount_months": rows, "amount_span": AMOUNT_MONTHS,
            "amount_household": household is not None}


@action_required("person.view")
def person_timeline(request: OfficeRequest, pk: int) -> HttpResponse:
    """The timeline alone, for the filters (htmx) — audited like the page."""
    membership = request.membership
    person = get_person_for_user(membership, pk)
    log_view(membership, person, what="person.timeline")
    enrollments = list(_enrollments_for_filter(membership, person))
    context = _timeline_context(request, membership, person, enrollments)
    if not request.htmx:
        return redirect(f"{person_url(person)}?{request.GET.urlencode()}#timeline")
    return render(request, "people/_timeline.html", context)


@action_required("person.view")
def person_summary(request: OfficeRequest, pk: int) -> HttpResponse:
    """One printable A4 page about the person (個人票): audited as its own view."""
    membership = request.membership
    person = get_person_for_user(membership, pk)
    log_view(membership, person, what="person.summary")
    context = _file_for(membership, person)
    recent = tl.person_timeline(person, membership=membership,
                             filters=tl.TimelineFilter(kinds={"record", "review", "outcome"}),
                             limit=6)
    context.update({"recent": recent["entries"], "printed_at": clock.now(),
                    "printed_by": request.user})
    return render(request, "people/person_summary.html", context)


def _enrollments_for_filter(membership: Membership, person: Person) -> Any:
    qs = Enrollment.objects.filter(person=person).select_related("program")
    if membership.is_partner:
        qs = qs.filter(referred_partners=membership.partner_id)
    return qs


def person_url(person: Person) -> str:
    from django.urls import reverse

    return reverse("people:person", args=[person.pk])


def _optional_template(name: str) -> str:
    """A partial another app may provide; empty when it does not exist (yet)."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


@action_required("person.edit")
def person_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    person = get_person_for_user(membership, pk, write=True)
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.person_update(actor=membership, person=person,
                                       expected_version=version, data=data)
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, "保存しました。")
                return redirect("people:person", pk=person.pk)
    else:
        form = PersonForm(initial=PersonForm.initial_for(person))
    return render(request, "people/person_form.html", {"form": form, "person": person})


@action_required("household.view")
def household_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    household = get_household_for_user(membership, pk)
    members = list(household.members.order_by("member_number"))
    return render(request, "people/household_detail.html",
                  {"household": household, "members": members,
                   "type_history": list(household.type_history.all()),
                   **_amounts_context(membership, household=household)})
