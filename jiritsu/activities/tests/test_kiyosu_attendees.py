"""清洲: who attended the interview at Hello Work is chosen from staff and partners on file
(never free text), in the seed's seats; the text recorded before is carried over where it
names someone on file (migration ``activities/0005``). Driven through the service, the
screen and the API, with those it must leave out (another office's staff, an inactive
account, a partner that is not the Hello Work the referral went to, a name two people share)."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities.models import (
    HelloWorkInterviewAttendee,
    HelloWorkReferral,
)
from jiritsu.activities.services import InterviewAttendee
from jiritsu.activities.tests.helpers import (
    at_the_interview,
    enrol,
    program_from,
    routed_to_hello_work,
)
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.testing import make_consent
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.testing import ApiClient, token_for

D = dt.date
Seat = HelloWorkInterviewAttendee.Seat


def _requested(world, program=None):
    """A referral of the person to the world's Hello Work, waiting for the interview."""
    program = program or program_from(world.m(world.manager), "kiyosu_work_capacity")
    cw = world.m(world.caseworker)
    enrollment = routed_to_hello_work(world, enrol(program, world.person))
    ref = services.hw_referral_start(actor=cw, enrollment=enrollment,
                                     hello_work=world.partner_org, consented_on=D(2026, 5, 1))
    for step in ("form_a", "request"):
        services.hw_referral_advance(actor=cw, referral=ref, step=step, on=D(2026, 5, 2),
                                     expected_version=ref.version)
    return ref


def _interview(world, ref, attendees, **kw):
    return services.hw_referral_advance(
        actor=world.m(world.caseworker), referral=ref, step="interview", on=D(2026, 5, 10),
        menu="navigator", attendees=attendees, expected_version=ref.version, **kw)


# --- the service ------------------------------------------------------------------------

def test_interview_attendees_are_staff_and_partners_on_file_in_their_seats(world):
    ref = _requested(world)
    sv = world.m(world.supervisor)
    _interview(world, ref, [*at_the_interview(world),
                            InterviewAttendee(membership=sv, seat=Seat.OFFICE_COORDINATOR),
                            InterviewAttendee(partner=world.partner_org, seat=Seat.HW_CHIEF),
                            InterviewAttendee(membership=sv, seat=Seat.OFFICE_COORDINATOR)],
               person_present=True)
    ref.refresh_from_db()
    rows = [(a.seat, a.name) for a in ref.attendees.all()]
    assert rows == [("caseworker", "佐藤 一郎"), ("hw_coordinator", "渡辺 職安（ハローワークＡ）"),
                    ("office_coordinator", "高橋 次郎"), ("hw_chief", "ハローワークＡ（担当者）")]
    assert ref.interview_person_present and ref.interview_attendees_note == ""
    event = AuditEvent.objects.get(action="hw_referral.interview")
    assert "担当CW: 佐藤 一郎" in event.changes["attendees"][1]


@pytest.mark.parametrize("who, code", [
    ("other_office", "hw.attendee_not_on_file"),   # another office's caseworker
    ("inactive", "hw.attendee_not_on_file"),       # an account no longer active
    ("other_partner", "hw.attendee_seat"),         # a hospital in Hello Work's seat
    ("staff_in_hw_seat", "hw.attendee_seat"),      # our own staff in Hello Work's seat
    ("partner_in_staff_seat", "hw.attendee_seat"),  # Hello Work's contact as 担当CW
    ("no_hello_work", "hw.attendees_missing"),     # only the office's staff
    ("no_staff", "hw.attendees_missing"),          # only Hello Work
])
def test_interview_refuses_attendees_not_on_file_or_out_of_their_seat(world, who, code):
    ref = _requested(world)
    cw, hw = at_the_interview(world)
    inactive = t.membership_of(t.make_user(world.office, "caseworker", username="gone"),
                               world.office)
    inactive.is_active = False
    inactive.save()
    hospital = t.make_partner(world.office, PartnerOrganisation.Kind.HOSPITAL, "市民病院")
    lists = {
        "other_office": [InterviewAttendee(membership=world.m(world.outsider, world.other_office),
                                           seat=Seat.OTHER), cw, hw],
        "inactive": [InterviewAttendee(membership=inactive), cw, hw],
        "other_partner": [cw, hw, InterviewAttendee(partner=hospital, seat=Seat.HW_CHIEF)],
        "staff_in_hw_seat": [cw, hw, InterviewAttendee(membership=world.m(world.supervisor),
                                                       seat=Seat.HW_COORDINATOR)],
        "partner_in_staff_seat": [InterviewAttendee(membership=world.m(world.partner),
                                                    seat=Seat.CASEWORKER), cw],
        "no_hello_work": [cw, InterviewAttendee(partner=hospital)],
        "no_staff": [hw],
    }
    with pytest.raises(ValidationFailed) as err:
        _interview(world, ref, lists[who])
    assert (err.value.code, err.value.field) == (code, "attendees")
    ref.refresh_from_db()
    assert ref.status == HelloWorkReferral.Status.REQUESTED and not ref.attendees.exists()


# --- screens ------------------------------------------------------------------------------

def test_the_interview_screen_offers_staff_and_partners_on_file_and_records_the_seats(world):
    ref = _requested(world)
    other_hw = t.make_partner(world.other_office, PartnerOrganisation.Kind.HELLO_WORK, "ハローワークＢ")
    c = Client()
    c.force_login(world.caseworker)
    url = reverse("activities:referral_detail", args=[ref.pk])
    page = c.get(url).content.decode()
    assert "佐藤 一郎（ケースワーカー）" in page and "渡辺 職安（ハローワークＡ）" in page
    assert "中村 四郎" not in page and other_hw.name not in page  # another office's
    cw, sv, hw = world.m(world.caseworker), world.m(world.supervisor), world.m(world.partner)
    bad = c.post(url, {"action": "step", "version": ref.version, "step": "interview",
                       "on": "2026-05-10", "menu": "trial", "caseworker": f"m{cw.pk}"})
    assert bad.status_code == 200 and "ハローワークＡの担当者" in bad.content.decode()
    r = c.post(url, {"action": "step", "version": ref.version, "step": "interview",
                     "on": "2026-05-10", "menu": "trial", "person_present": "on",
                     "caseworker": f"m{cw.pk}", "office_coordinator": f"m{sv.pk}",
                     "hw_coordinator": f"m{hw.pk}", "others": [f"p{world.partner_org.pk}"]})
    assert r.status_code == 302, r.content.decode()[:3000]
    ref.refresh_from_db()
    assert ref.status == "interviewed" and ref.interview_person_present
    assert sorted(ref.attendees.values_list("seat", flat=True)) == [
        "caseworker", "hw_coordinator", "office_coordinator", "other"]
    page = c.get(url).content.decode()
    assert "福祉事務所担当コーディネーター（査察指導員）：高橋 次郎" in page
    # Correcting the list: the supervisor did not come after all.
    r = c.post(url, {"action": "attendees", "version": ref.version,
                     "caseworker": f"m{cw.pk}", "hw_coordinator": f"m{hw.pk}"})
    assert r.status_code == 302
    assert sorted(ref.attendees.values_list("seat", flat=True)) == ["caseworker", "hw_coordinator"]
    assert AuditEvent.objects.filter(action="hw_referral.attendance").count() == 1
    # The Hello Work's own account reports results; it is shown no list of the office's staff.
    make_consent(world.person, ref.enrollment.program, partners=[world.partner_org],
                 recorded_by=world.caseworker)
    c.force_login(world.partner)
    page = c.get(url).content.decode()
    assert "高橋 次郎" not in page and "出席者を直す" not in page
    assert c.post(url, {"action": "attendees", "version": ref.version}).status_code == 403


# --- API ----------------------------------------------------------------------------------

def test_the_api_names_attendees_by_id_and_refuses_another_offices(world):
    ref = _requested(world)
    api = ApiClient(token_for(world, world.caseworker))
    cw, hw = world.m(world.caseworker), world.m(world.partner)
    outsider = world.m(world.outsider, world.other_office)
    url = f"hello-work-referrals/{ref.pk}/steps"
    body = {"version": ref.version, "step": "interview", "on": "2026-05-10", "menu": "general",
            "person_present": True,
            "attendees": [{"membership_id": cw.pk, "seat": "caseworker"},
                          {"membership_id": outsider.pk}]}
    r = api.post(url, body)
    assert r.status_code == 404 and r.json()["error"]["field"] == "attendees[1].membership_id"
    body["attendees"][1] = {"partner_id": world.partner_org.pk, "seat": "hw_coordinator"}
    r = api.post(url, body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["interview_person_present"] is True and out["interview_attendees_note"] == ""
    assert [(a["seat_label"], a["name"], a["partner_id"]) for a in out["interview_attendees"]] == [
        ("担当CW", "佐藤 一郎", None), ("安定所担当コーディネーター", "ハローワークＡ（担当者）",
                                   world.partner_org.pk)]
    r = api.put(f"hello-work-referrals/{ref.pk}/attendees",
                {"version": out["version"], "attendees": [{"membership_id": hw.pk,
                                                           "seat": "hw_coordinator"}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "hw.attendees_missing"
    r = api.put(f"hello-work-referrals/{ref.pk}/attendees",
                {"version": out["version"], "attendees": [
                    {"membership_id": cw.pk, "seat": "caseworker"},
                    {"membership_id": hw.pk, "seat": "hw_coordinator"}]})
    assert r.status_code == 200, r.content
    assert [a["membership_id"] for a in r.json()["interview_attendees"]] == [cw.pk, hw.pk]
    partner_api = ApiClient(token_for(world, world.partner))
    assert partner_api.put(f"hello-work-referrals/{ref.pk}/attendees",
                           {"version": 1, "attendees": []}).status_code == 403


# --- the free text recorded before --------------------------------------------------------

migration = importlib.import_module(
    "jiritsu.activities.migrations.0005_hello_work_interview_attendees")
EDITOR = SimpleNamespace(connection=connection)


def _with_old_text(world, text, person=None):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity",
                           code=f"K{HelloWorkReferral.objects.count()}")
    return HelloWorkReferral.objects.create(
        office=world.office, enrollment=enrol(program, person or world.person),
        hello_work=world.partner_org, consented_on=D(2026, 5, 1), created_by=world.caseworker,
        interview_on=D(2026, 5, 10), status="interviewed", interview_attendees_note=text)


def test_old_free_text_becomes_attendees_on_file_and_keeps_what_it_cannot_match(world):
    # A second 「鈴木 花子」 in the office: a name shared by two people matches neither.
    t.make_user(world.office, "support_staff", username="ss2", display_name="鈴木 花子")
    seeds = "本人・担当CW・福祉事務所担当コーディネーター・安定所担当コーディネーター"
    demo = _with_old_text(world, seeds)
    named = _with_old_text(world, "本人、高橋 次郎（査察）, 渡辺　職安／ハローワークＡ",
                           person=t.make_person(world.office, household=world.household))
    foreign = _with_old_text(world, "中村 四郎・鈴木 花子",
                             person=t.make_person(world.office, household=world.household))
    migration.forwards(apps, EDITOR)

    demo.refresh_from_db()
    assert demo.interview_person_present
    assert [(a.seat, a.membership_id, a.partner_id) for a in demo.attendees.all()] == [
        ("caseworker", world.m(world.caseworker).pk, None),
        ("hw_coordinator", None, world.partner_org.pk)]
    assert demo.interview_attendees_note == seeds  # 福祉事務所担当コーディネーター: who?

    named.refresh_from_db()
    assert named.interview_attendees_note == ""  # every word found on file
    assert [(a.membership_id, a.partner_id) for a in named.attendees.all()] == [
        (world.m(world.supervisor).pk, None), (world.m(world.partner).pk, None),
        (None, world.partner_org.pk)]

    foreign.refresh_from_db()
    assert not foreign.attendees.exists() and not foreign.interview_person_present
    assert foreign.interview_attendees_note == "中村 四郎・鈴木 花子"

    migration.backwards(apps, EDITOR)
    named.refresh_from_db()
    assert named.interview_attendees_note == "本人・高橋 次郎・渡辺 職安・ハローワークＡ"
