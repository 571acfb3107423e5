"""指導指示 and 法62条 decisions: the one procedure in Jiritsu that can take assistance away.

A :class:`GuidanceCase` is one person's track; each thing that happened on it is a
dated :class:`GuidanceStep` (oral instruction, case conference, written instruction,
compliance or its absence, notice of the opportunity to explain, hearing, decision).
The rules about which step may follow which live in ``rules.py`` (pure, no database)
and are enforced by ``services.py``; see docs/legal.md for the article behind each.

Voluntary support (法27条の2, 55条の7: every 自立支援プログラム) is deliberately not
connected to this app: no foreign key to an enrolment, no code path from the programs.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from jiritsu.offices.models import Office
from jiritsu.people.models import Person

User = settings.AUTH_USER_MODEL


class GuidanceSettings(models.Model):
    """Per-office choices the law leaves to the office (and the text its documents print)."""

    office = models.OneToOneField(Office, on_delete=models.PROTECT,
                                  related_name="guidance_settings")
    required_written_instructions = models.PositiveSmallIntegerField(
        "処分前に必要な文書指示の回数", default=1,
        help_text="法令上は1回（施行規則19条）。清洲市の運用では2回。")
    min_notice_days = models.PositiveSmallIntegerField(
        "弁明通知の交付から弁明日までの最低日数", default=7)
    appeal_authority = models.CharField("審査請求先", max_length=100, default="○○県知事")
    appeal_period_months = models.PositiveSmallIntegerField("審査請求期間（月）", default=3)
    sanction_standard = models.TextField(
        "処分基準（行政手続法12条）",
        default=("生活保護法第27条に基づく文書による指導又は指示に正当な理由なく従わない場合は、"
                 "同法第62条第3項により、違反の程度に応じ、保護の変更、停止又は廃止を行う。"
                 "処分は必要最小限度とし、原則として変更又は停止を先行させる。"))
    office_head_title = models.CharField("通知者（職名）", max_length=100, default="福祉事務所長")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(office="office")

    class Meta:
        verbose_name = "指導指示の設定"

    def __str__(self) -> str:
        return f"{self.office} 指導指示の設定"


class GuidanceCase(models.Model):
    """One person's 指導指示 track, from opening to its closing reason."""

    class Status(models.TextChoices):
        OPEN = "open", "進行中"
        CLOSED = "closed", "終結"

    class ClosedReason(models.TextChoices):
        COMPLIED = "complied", "指示に従った"
        EXPLANATION_ACCEPTED = "explanation_accepted", "弁明を認めた"
        DECIDED = "decided", "法62条の決定"
        NO_SANCTION = "no_sanction", "処分を行わない決定"
        ENDED = "ended", "指導の終了（その他）"

    class Ground(models.TextChoices):
        """What the guidance is about: one of the person's duties that 法27条 guidance may
        concern (法4条1項, 60条, 61条). Never participation in a voluntary 自立支援プログラム
        (法27条の2, 55条の7): declining one is not a breach of any duty."""

        WORK = "work_capacity", "稼働能力の活用（勤労・求職活動）"
        MEDICAL = "medical_care", "医療の受診・療養（健康の保持・増進）"
        HOUSEHOLD = "household_maintenance", "世帯の生活維持（収入・支出の把握、支出の節約）"
        ASSETS = "assets", "資産の活用"
        OTHER_BENEFITS = "other_benefits", "他法他施策の活用（年金・手当等の手続）"
        REPORTING = "reporting", "収入・世帯状況の届出"
        LEGACY = "legacy", "未分類（区分の導入前に開始した指導）"

    # What a new case may be opened on (the legacy value only describes old rows).
    OPENING_GROUNDS = (Ground.WORK, Ground.MEDICAL, Ground.HOUSEHOLD, Ground.ASSETS,
                       Ground.OTHER_BENEFITS, Ground.REPORTING)

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="guidance_cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="guidance_cases")
    opened_on = models.DateField("開始日")
    ground_category = models.CharField("指導の根拠となる義務", max_length=30, choices=Ground.choices,
                                       default=Ground.LEGACY)
    ground = models.TextField("指導を要する事情（具体的な事実）")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("終結日", null=True, blank=True)
    closed_reason = models.CharField("終結理由", max_length=30, choices=ClosedReason.choices,
                                     blank=True)
    closed_note = models.TextField("終結の経緯", blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"),
                                    name="guidance_one_open_case_per_person"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False, closed_reason__gt="")
                | (Q(status="open") & Q(closed_reason="")),
                name="guidance_case_close_consistent",
            ),
        ]
        indexes = [models.Index(fields=["office", "status"], name="guidance_case_board")]

    def __str__(self) -> str:
        return f"指導指示 {self.person}（{self.opened_on}）"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class GuidanceStep(models.Model):
    """One dated event on a case. ``kind`` decides which of the optional columns apply.

    Steps are never edited after the fact except to record delivery (文書の交付) and
    the result of a decision's 決裁 (through ``cases.ApprovalRequest``); both are dated and
    audited.
    """

    class Kind(models.TextChoices):
        ORAL_INSTRUCTION = "oral_instruction", "口頭指導（法27条）"
        CONFERENCE = "conference", "ケース診断会議"
        WRITTEN_INSTRUCTION = "written_instruction", "文書による指導指示（法27条）"
        NONCOMPLIANCE = "noncompliance", "履行期限の経過（不履行）"
        COMPLIANCE = "compliance", "指示の履行"
        NOTICE = "notice", "弁明の機会の付与通知"
        HEARING = "hearing", "弁明の聴取"
        DECISION = "decision", "法62条の決定"

    class ConferenceSubject(models.TextChoices):
        INSTRUCTION = "instruction", "文書指示を行うかどうか"
        SANCTION = "sanction", "法62条の処分を行うかどうか"

    class ConferenceOutcome(models.TextChoices):
        PROCEED = "proceed", "行う"
        NOT_PROCEED = "not_proceed", "行わない"

    class DeliveryMethod(models.TextChoices):
        HAND = "hand", "手渡し（受領書）"
        REGISTERED_MAIL = "registered_mail", "簡易書留"
        CERTIFIED_MAIL = "certified_mail", "配達証明郵便"
        HOME_VISIT = "home_visit", "家庭訪問時に交付"

    class HearingOutcome(models.TextChoices):
        HELD = "held", "弁明を聴取した（処分の検討を続ける）"
        ABSENT = "absent", "適正な通知の上、本人が出頭しなかった"
        ACCEPTED = "accepted", "弁明を認めた（処分を行わない）"

    class DecisionKind(models.TextChoices):
        CHANGE = "change", "保護の変更"
        SUSPEND = "suspend", "保護の停止"
        ABOLISH = "abolish", "保護の廃止"
        NONE = "none", "処分を行わない"

    class Approval(models.TextChoices):
        PENDING = "pending", "決裁待ち"
        APPROVED = "approved", "決裁済"
        REJECTED = "rejected", "差戻し"

    case = models.ForeignKey(GuidanceCase, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField("種類", max_length=30, choices=Kind.choices)
    occurred_on = models.DateField("日付")
    content = models.TextField("内容", blank=True)
    reason = models.TextField("理由", blank=True)
    note = models.TextField("備考", blank=True)
    # 口頭指導
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="指導した職員")
    supervisor_present = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name="同席した査察指導員")
    # ケース診断会議 (the meeting itself is a cases.Conference of kind case_diagnosis)
    conference = models.ForeignKey("cases.Conference", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="guidance_steps")
    conference_subject = models.CharField("協議事項", max_length=20,
                                          choices=ConferenceSubject.choices, blank=True)
    conference_outcome = models.CharField("結論", max_length=20,
                                          choices=ConferenceOutcome.choices, blank=True)
    # 文書指示・弁明通知・決定通知
    document_number = models.CharField("文書番号", max_length=40, blank=True)
    deadline = models.DateField("履行期限", null=True, blank=True)
    delivery_method = models.CharField("交付方法", max_length=20, choices=DeliveryMethod.choices,
                                       blank=True)
    delivered_on = models.DateField("交付日", null=True, blank=True)
    instruction = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="followups", verbose_name="対象の文書指示")
    # 弁明の機会
    hearing_at = models.DateTimeField("弁明の日時", null=True, blank=True)
    hearing_place = models.CharField("弁明の場所", max_length=200, blank=True)
    hearing_outcome = models.CharField("弁明の結果", max_length=20,
                                       choices=HearingOutcome.choices, blank=True)
    # 法62条の決定
    decision_kind = models.CharField("決定の内容", max_length=20, choices=DecisionKind.choices,
                                     blank=True)
    effective_on = models.DateField("適用日", null=True, blank=True)
    standard_applied = models.TextField("適用した処分基準", blank=True)
    appeal_authority = models.CharField("審査請求先", max_length=100, blank=True)
    appeal_period_months = models.PositiveSmallIntegerField("審査請求期間（月）", null=True,
                                                            blank=True)
    # 決裁 goes through the one 決裁 mechanism (cases.ApprovalRequest, kind
    # "guidance_decision"): the request is decided in the 決裁 inbox or from the case page,
    # and its final approval or return writes the result below (決裁者, 決定日 printed on the
    # notice, the comment). These columns record the result; they are written only by
    # ``guidance.decisions`` when the request is decided (or withdrawn on compliance).
    approval_request = models.ForeignKey("cases.ApprovalRequest", on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="guidance_steps",
                                         verbose_name="決裁の依頼")
    approval = models.CharField("決裁", max_length=20, choices=Approval.choices, blank=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="決裁者")
    approved_on = models.DateField("決裁日", null=True, blank=True)
    approval_comment = models.TextField("決裁の意見", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="case__office")

    class Meta:
        ordering = ["case", "occurred_on", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="guidance_step_case_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def latest_date(self) -> dt.date:
        """The latest date this step asserts something happened on."""
        dates = [d for d in (self.occurred_on, self.delivered_on, self.approved_on) if d]
        return max(dates)
