"""The 法62条 decision's 決裁 moves onto the one 決裁 mechanism (``cases.ApprovalRequest``).

Every decision step already drafted gets its request, as the step records it: a pending
draft waits for 課長・所長 (the one step the old procedure had, so a draft in flight keeps its
approver), an approved or returned one is a closed request with the decision the step
records (who, when, the comment), a draft withdrawn on compliance is 取下げ. Reversing
deletes these requests (the step keeps its own columns, so nothing is lost).
"""

import django.db.models.deletion
from django.db import migrations, models


import datetime as dt
from zoneinfo import ZoneInfo

KIND = "guidance_decision"
JAPAN = ZoneInfo("Asia/Tokyo")
DECISION_LABELS = {"change": "保護の変更", "suspend": "保護の停止", "abolish": "保護の廃止",
                   "none": "処分を行わない"}


def _moment(day):
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=JAPAN) if day else None


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Step = apps.get_model("guidance", "GuidanceStep")
    ApprovalRequest = apps.get_model("cases", "ApprovalRequest")
    ApprovalStep = apps.get_model("cases", "ApprovalStep")
    steps = (Step.objects.using(db).filter(kind="decision", approval_request__isnull=True)
             .exclude(approval="").select_related("case", "case__person"))
    for step in steps:
        case = step.case
        withdrawn = step.approval == "rejected" and step.approved_by_id is None
        status = "withdrawn" if withdrawn else step.approval
        req = ApprovalRequest.objects.using(db).create(
            office_id=case.office_id, person_id=case.person_id, kind=KIND,
            subject=(f"{case.person.name} 法62条の決定"
                     f"（{DECISION_LABELS.get(step.decision_kind, step.decision_kind)}）")[:200],
            payload={"case_id": case.pk, "step_id": step.pk, "decision_kind": step.decision_kind,
                     "effective_on": step.effective_on.isoformat() if step.effective_on else None,
                     "note": step.reason},
            steps=["manager"], current_step=1 if status == "approved" else 0, status=status,
            requested_by_id=step.recorded_by_id,
            resolved_at=None if status == "pending" else _moment(step.approved_on or step.occurred_on))
        if step.approved_by_id is not None and status in ("approved", "rejected"):
            decision = ApprovalStep.objects.using(db).create(
                request=req, step_no=0, role="manager", decided_by_id=step.approved_by_id,
                approved=status == "approved", comment=step.approval_comment)
            ApprovalStep.objects.using(db).filter(pk=decision.pk).update(
                decided_at=_moment(step.approved_on))
        Step.objects.using(db).filter(pk=step.pk).update(approval_request=req)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Step = apps.get_model("guidance", "GuidanceStep")
    ApprovalRequest = apps.get_model("cases", "ApprovalRequest")
    ApprovalStep = apps.get_model("cases", "ApprovalStep")
    ids = list(Step.objects.using(db).filter(approval_request__isnull=False)
               .values_list("approval_request_id", flat=True))
    Step.objects.using(db).filter(approval_request__isnull=False).update(approval_request=None)
    ApprovalStep.objects.using(db).filter(request_id__in=ids).delete()
    ApprovalRequest.objects.using(db).filter(pk__in=ids, kind=KIND).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_approval_request_person'),
        ('guidance', '0003_conference_in_cases'),
    ]

    operations = [
        migrations.AddField(
            model_name='guidancestep',
            name='approval_request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='guidance_steps', to='cases.approvalrequest', verbose_name='決裁の依頼'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
