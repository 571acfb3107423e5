"""名寄せ through the API: candidates, merge, history, unmerge, with stable error codes."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.cases.models import Enrollment
from jiritsu.merging.tests.helpers import duplicate_of, enroll
from jiritsu.people.models import Person
from jiritsu.programs.testing import make_program
from jiritsu.reports.periods import Period
from jiritsu.reports.services import report_freeze

pytestmark = pytest.mark.django_db


def _api(world, user, office=None) -> t.ApiClient:
    return t.ApiClient(t.token_for(world, user, office))


def test_an_integration_lists_merges_and_unmerges(world):
    dup = duplicate_of(world)
    api = _api(world, world.supervisor)
    page = api.get("people/duplicates").json()
    assert page["count"] == 1
    pair = page["results"][0]
    assert {pair["first"]["id"], pair["second"]["id"]} == {world.person.pk, dup.pk}
    assert "生年月日が一致" in pair["reasons"] and pair["score"] >= 90
    answer = api.post(f"people/{world.person.pk}/merge", {"merged_person_id": dup.pk, "reason": ""})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "reason_required"
    answer = api.post(f"people/{world.person.pk}/merge",
                      {"merged_person_id": dup.pk, "reason": "二重登録"})
    assert answer.status_code == 201, answer.content
    merge = answer.json()
    assert merge["merged_id"] == dup.pk and merge["may_unmerge"] is True
    assert not Person.objects.filter(pk=dup.pk).exists()
    assert api.get("person-merges").json()["count"] == 1
    assert api.get(f"person-merges/{merge['id']}").json()["reason"] == "二重登録"
    answer = api.post(f"person-merges/{merge['id']}/unmerge", {"reason": "別人"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["undone_at"] is not None and answer.json()["may_unmerge"] is False
    assert Person.objects.filter(pk=dup.pk).exists()
    again = api.post(f"person-merges/{merge['id']}/unmerge", {"reason": "別人"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "merge_already_undone")


def test_stable_codes_for_conflicts_and_the_freeze(world):
    dup = duplicate_of(world)
    program = make_program(world.office)
    enroll(world.person, program)
    enroll(dup, program, status=Enrollment.Status.SELECTED, selected_on=dt.date(2025, 4, 2))
    api = _api(world, world.manager)
    answer = api.post(f"people/{world.person.pk}/merge", {"merged_person_id": dup.pk, "reason": "二重登録"})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "merge_conflict" and error["details"][0]["model"] == "cases.Enrollment"
    Enrollment.objects.filter(person=dup).delete()
    merge = api.post(f"people/{world.person.pk}/merge",
                     {"merged_person_id": dup.pk, "reason": "二重登録"}).json()
    report_freeze(actor=world.m(world.manager), period=Period.for_fiscal_year(2025))
    answer = api.post(f"person-merges/{merge['id']}/unmerge", {"reason": "取消し"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "merge_frozen")
    same = api.post(f"people/{world.person.pk}/merge",
                    {"merged_person_id": world.person.pk, "reason": "誤り"})
    assert same.json()["error"]["code"] == "merge_same_person"


def test_partners_and_other_roles_get_403_and_another_office_404(world):
    dup = duplicate_of(world)
    for role in ("caseworker", "support_staff", "partner", "admin"):
        api = _api(world, getattr(world, role))
        assert api.get("people/duplicates").status_code == 403, role
        assert api.get("person-merges").status_code == 403, role
        answer = api.post(f"people/{world.person.pk}/merge",
                          {"merged_person_id": dup.pk, "reason": "二重登録"})
        assert answer.status_code == 403, role
    merge = _api(world, world.supervisor).post(
        f"people/{world.person.pk}/merge", {"merged_person_id": dup.pk, "reason": "二重登録"}).json()
    other_sv = t.make_user(world.other_office, "supervisor")
    api = _api(world, other_sv, world.other_office)
    assert api.get("people/duplicates").json()["count"] == 0
    assert api.get(f"person-merges/{merge['id']}").status_code == 404
    assert api.post(f"person-merges/{merge['id']}/unmerge", {"reason": "x"}).status_code == 404
    answer = api.post(f"people/{world.other_person.pk}/merge",
                      {"merged_person_id": world.person.pk, "reason": "二重登録"})
    assert (answer.status_code, answer.json()["error"]["field"]) == (404, "merged_person_id")
