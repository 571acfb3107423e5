"""The case models moved from ``programs`` to ``cases`` without moving data: their tables,
content types and the audit rows written before the move keep working."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from jiritsu.cases import models as cm
from jiritsu.core import labels

MOVED = [cm.Consent, cm.ConsentGrant, cm.Conference, cm.ConferenceAttendee,
         cm.ConferenceDecision, cm.Enrollment, cm.EnrollmentEvent, cm.ApprovalRoute,
         cm.ApprovalRequest, cm.ApprovalStep, cm.Plan, cm.PlanGoal, cm.PlanCommitment,
         cm.ActivityRecord, cm.Review, cm.GoalAssessment, cm.Outcome]


def test_every_moved_model_keeps_its_programs_table():
    assert [m._meta.db_table for m in MOVED] == [
        f"programs_{m.__name__.lower()}" for m in MOVED]
    m2m = {f.m2m_db_table() for m in MOVED for f in m._meta.local_many_to_many}
    assert m2m == {"programs_enrollment_menus", "programs_enrollment_referred_partners",
                   "programs_activityrecord_staff_present",
                   "programs_activityrecord_partners_present"}


@pytest.mark.django_db
def test_content_types_and_permissions_name_cases():
    ct = ContentType.objects.get_for_model(cm.Enrollment)
    assert ct.app_label == "cases"
    assert Permission.objects.filter(content_type=ct, codename="change_enrollment").exists()
    assert not ContentType.objects.filter(app_label="programs", model="enrollment").exists()


def test_audit_rows_written_before_the_move_keep_their_labels():
    assert labels.model_label("programs.Consent") == labels.model_label("cases.Consent") != ""
    assert labels.model_label("programs.Enrollment") == labels.model_label("cases.Enrollment")
    assert labels.model_label("programs.NoSuchModel") == ""
