"""One door per object type, one refusal convention, one partner rule (docs/architecture.md,
"One door"). Each disagreement that was settled has a test here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from jiritsu.activities import services as activity_services
from jiritsu.activities.tests.helpers import enrol
from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.testing import make_consent, refer
from jiritsu.guidance.access import get_case_for_user
from jiritsu.guidance.tests.helpers import Walker
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]  # the jiritsu package


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in rel or "/migrations/" in rel:
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_each_object_type_has_exactly_one_access_function():
    seen: dict[str, str] = {}
    for rel, text in _sources():
        for name in re.findall(r"^def (get_\w+_for_user)\(", text, flags=re.M):
            assert name not in seen, f"{name} is defined in {seen[name]} and {rel}"
            seen[name] = rel
    assert {"get_person_for_user", "get_enrollment_for_user", "get_record_for_user",
            "get_consent_for_user", "get_conference_for_user", "get_case_for_user",
            "get_referral_for_user", "get_series_for_user"} <= set(seen)


# Places that compare a role as data, not to decide access: the staff form's validation of the
# role being assigned, the demo loader, the test factories, and a conference attendee's
# relation to the person (家族), which is not a staff role.
ROLE_DATA = {"offices/services.py", "people/demo.py", "activities/demo.py", "testing.py",
             "cases/forms.py"}


def test_roles_are_compared_only_in_the_permission_table():
    pattern = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot in\b)\s*[\"'(A-Z]|"
                         r"Role\.[A-Z_]+\s*(==|!=)|==\s*Membership\.Role\.")
    offenders = [f"{rel}: {line.strip()}" for rel, text in _sources()
                 if rel != "offices/permissions.py" and rel not in ROLE_DATA
                 for line in text.splitlines() if pattern.search(line)]
    assert offenders == []


def test_a_role_without_the_guidance_action_gets_403_not_404(world, api_as):
    walk = Walker(world, required=1)
    step = walk.oral()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        get_case_for_user(world.m(world.support_staff), walk.case.pk)
    ss = api_as(world.support_staff)
    assert ss.get(f"guidance/cases/{walk.case.pk}").status_code == 403
    assert ss.get(f"guidance/steps/{step.pk}/document").status_code == 403
    # Another office's caseworker holds the action: the case is simply not there.
    assert api_as(world.outsider).get(f"guidance/cases/{walk.case.pk}").status_code == 404


def _hello_work_referral(world):
    program = make_program(world.office)
    enrollment = enrol(program, world.person)
    activity_services.hw_referral_start(actor=world.m(world.caseworker), enrollment=enrollment,
                                        hello_work=world.partner_org,
                                        consented_on=dt.date(2026, 4, 2))
    return program, enrollment


def test_a_hello_work_referral_counts_as_referred_for_the_partners_records(world, api_as):
    program, enrollment = _hello_work_referral(world)
    make_consent(world.person, program, partners=[world.partner_org], recorded_by=world.caseworker)
    hw = api_as(world.partner)
    assert hw.get(f"people/{world.person.pk}").status_code == 200
    assert hw.get(f"enrollments/{enrollment.pk}").status_code == 200
    r = hw.post("records", {"person_id": world.person.pk, "enrollment_id": enrollment.pk,
                            "occurred_at": "2026-04-10T10:00:00+09:00", "kind": "office_interview",
                            "text": "職業相談"})
    assert r.status_code == 201, r.json()
    assert ActivityRecord.objects.get().author_partner == world.partner_org


def test_a_partner_opens_its_referred_episode_and_no_other(world, api_as):
    referred = refer(world.person, world.partner_org)
    other = enrol(make_program(world.office), world.person)
    make_consent(world.person, referred.program, partners=[world.partner_org],
                 recorded_by=world.caseworker)
    hw = api_as(world.partner)
    assert hw.get(f"enrollments/{referred.pk}").status_code == 200
    assert hw.get(f"enrollments/{other.pk}").status_code == 404
    assert [e["id"] for e in hw.get("enrollments").json()["results"]] == [referred.pk]


def test_withdrawing_consent_ends_the_partners_episode_and_records_at_once(world, api_as):
    referred = refer(world.person, world.partner_org)
    consent = make_consent(world.person, referred.program, partners=[world.partner_org],
                           recorded_by=world.caseworker)
    hw = api_as(world.partner)
    body = {"person_id": world.person.pk, "enrollment_id": referred.pk,
            "occurred_at": "2026-04-10T10:00:00+09:00", "kind": "office_interview", "text": "面接"}
    r = hw.post("records", body)
    assert r.status_code == 201, r.json()
    consent.withdrawn_on = dt.date(2026, 4, 11)
    consent.save()
    assert hw.get(f"enrollments/{referred.pk}").status_code == 404
    assert hw.get("records").json()["count"] == 0
    assert hw.post("records", body).status_code == 404
    assert hw.patch(f"records/{r.json()['id']}", {"version": 1, "text": "x"}).status_code == 404
