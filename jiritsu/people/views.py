"""Person and household screens: parse → access → service → respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.people import selectors, services
from jiritsu.people.access import get_household_for_user, get_person_for_user, log_view
from jiritsu.people.forms import PersonForm


@action_required("person.view")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = get_person_for_user(membership, pk)
    log_view(membership, person)
    context = selectors.person_file(person)
    return render(request, "people/person_detail.html", context)


@action_required("person.edit")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
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
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    household = get_household_for_user(membership, pk)
    members = list(household.members.order_by("member_number"))
    return render(request, "people/household_detail.html",
                  {"household": household, "members": members,
                   "type_history": list(household.type_history.all())})
