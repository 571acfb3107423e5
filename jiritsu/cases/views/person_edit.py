"""Screens that change households, people and person parts: parse → access → service → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases import person_file as selectors
from jiritsu.cases.access import get_household_for_user, get_part_for_user, get_person_for_user
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people import services
from jiritsu.people.forms import HouseholdForm, PersonCreateForm, part_form_class


def _add_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@action_required("household.edit")
def household_create(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    form = HouseholdForm(request.POST or None, office=membership.office, creating=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        data["end_reason"] = data.get("end_reason") or ""
        try:
            household = services.household_create(actor=membership, data=data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "世帯を登録しました。続けて世帯員を登録してください。")
            return redirect("people:household", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "household": None})


@action_required("household.edit")
def household_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    household = get_household_for_user(membership, pk, write=True)
    if request.method == "POST":
        form = HouseholdForm(request.POST, office=membership.office)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            changed_on = data.pop("type_changed_on", None)
            data["end_reason"] = data.get("end_reason") or ""
            try:
                services.household_update(actor=membership, household=household,
                                          expected_version=version, data=data,
                                          type_changed_on=changed_on)
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "保存しました。")
                return redirect("people:household", pk=household.pk)
    else:
        form = HouseholdForm(initial=HouseholdForm.initial_for(household), office=membership.office)
    return render(request, "people/household_form.html", {"form": form, "household": household})


@action_required("person.edit")
def person_create(request: OfficeRequest) -> HttpResponse:
    """Register a person: ?household=<pk> for a household member, none for a non-recipient."""
    membership = request.membership
    household = None
    raw = request.GET.get("household") or request.POST.get("household")
    if raw:
        if not str(raw).isdigit():
            raise Http404
        household = get_household_for_user(membership, int(raw), write=True)
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            person = services.person_create(actor=membership, household=household, data=data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "登録しました。")
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_new.html", {"form": form, "household": household})


@action_required("person.edit")
def person_parts(request: OfficeRequest, pk: int) -> HttpResponse:
    """One page listing every part of a person with add / edit / remove links."""
    membership = request.membership
    person = get_person_for_user(membership, pk, write=True)
    file = selectors.person_file(person)
    sections = [
        (kind, spec.label, file[key]) for kind, spec, key in (
            (k, services.PART_KINDS[k], key) for k, key in (
                ("disabilities", "disabilities"), ("illnesses", "illnesses"), ("stays", "stays"),
                ("work", "work_history"), ("qualifications", "qualifications"),
                ("care", "care_duties"), ("assessments", "assessments"),
                ("evidence", "medical_evidence"))
        )
    ]
    return render(request, "people/person_parts.html", {"person": person, "sections": sections})


def _initial_from_query(request: OfficeRequest, model: type[Any]) -> dict[str, Any]:
    """A new part's form may start from the link that opened it (the work list's
    「医療要否意見書の更新」 opens the form with its kind, issuer and setting)."""
    names = {"kind", "issuer", "care_setting"}
    return {k: v for k, v in request.GET.items()
            if k in names and k in {f.name for f in model._meta.concrete_fields}}


@action_required("person.edit")
def part_add(request: OfficeRequest, pk: int, kind: str) -> HttpResponse:
    membership = request.membership
    if kind not in services.PART_KINDS:
        raise Http404
    person = get_person_for_user(membership, pk, write=True)
    spec = services.PART_KINDS[kind]
    form = part_form_class(spec.model, membership.office, person)(
        request.POST or None, initial=_initial_from_query(request, spec.model))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            services.part_create(actor=membership, person=person, kind=kind, data=data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, f"{spec.label}を追加しました。")
            return redirect("people:parts", pk=person.pk)
    return render(request, "people/part_form.html",
                  {"form": form, "person": person, "spec": spec, "part": None})


@action_required("person.edit")
def part_edit(request: OfficeRequest, pk: int, kind: str, part_pk: int) -> HttpResponse:
    membership = request.membership
    part = get_part_for_user(membership, kind, part_pk, write=True)
    if part.person_id != pk:
        raise Http404
    spec = services.PART_KINDS[kind]
    form_class = part_form_class(spec.model, membership.office, part.person)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or 0
            try:
                services.part_update(actor=membership, part=part, expected_version=version, data=data)
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, f"{spec.label}を保存しました。")
                return redirect("people:parts", pk=pk)
    else:
        form = form_class(initial=model_to_dict(part) | {"version": part.version})
    return render(request, "people/part_form.html",
                  {"form": form, "person": part.person, "spec": spec, "part": part})


@action_required("person.edit")
def part_delete(request: OfficeRequest, pk: int, kind: str, part_pk: int) -> HttpResponse:
    membership = request.membership
    part = get_part_for_user(membership, kind, part_pk, write=True)
    if part.person_id != pk:
        raise Http404
    spec = services.PART_KINDS[kind]
    error = ""
    if request.method == "POST":
        raw = request.POST.get("version", "")
        try:
            services.part_delete(actor=membership, part=part,
                                 expected_version=int(raw) if raw.isdigit() else None)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"{spec.label}を削除しました。")
            return redirect("people:parts", pk=pk)
    return render(request, "people/part_confirm_delete.html",
                  {"person": part.person, "spec": spec, "part": part, "error": error})
