"""What happens to a person in a program: consent, conferences and their decisions,
episodes (enrolments) with their events, approvals (決裁), plans, activity records, reviews
and outcomes.

The rows were created under the ``programs`` app and moved here without moving data: every
table keeps its ``programs_…`` name (``db_table``), and the constraint and index names are
unchanged (migrations ``cases.0001`` and ``programs.0006`` move them in Django's state only).

Size (over 600 lines): the models of one life cycle, tied by foreign keys to each other;
splitting them would only scatter the ``Meta`` blocks that pin the old table names.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from jiritsu.core import clock, wareki
from jiritsu.offices.models import Membership, Office, PartnerOrganisation
from jiritsu.people.models import Person
from jiritsu.programs.models import (
    ConferenceKind,
    OutcomeKind,
    OutcomeType,
    Phase,
    Program,
    ProgramVersion,
    SupportMenu,
)

if TYPE_CHECKING:
    from jiritsu.offices.models import User as StaffUser

User = settings.AUTH_USER_MODEL


class DataCategory(models.TextChoices):
    BASIC = "basic", "基本情報（氏名・連絡先）"
    HEALTH = "health", "健康・医療"
    DISABILITY = "disability", "障害"
    INCOME = "income", "収入・資産"
    FAMILY = "family", "家族"
    EMPLOYMENT = "employment", "就労・職歴"
    RECORDS = "records", "支援記録"


class Consent(models.Model):
    """同意: for a program (or general), which partners may receive which data; withdrawable."""

    class Form(models.TextChoices):
        WRITTEN = "written", "書面"
        ORAL = "oral", "口頭"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="consents")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="consents")
    given_on = models.DateField("同意日")
    form = models.CharField("方法", max_length=10, choices=Form.choices)
    withdrawn_on = models.DateField("撤回日", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        db_table = "programs_consent"
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "program"], name="consent_person_program")]

    def __str__(self) -> str:
        return f"同意（{wareki.format_wareki(self.given_on)}）"


class ConsentGrant(models.Model):
    """Within a consent: this partner may receive these data categories."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="grants")
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT,
                                related_name="consent_grants")
    categories = models.JSONField("提供する情報", default=list)

    objects = ScopedManager(office="consent__office")

    class Meta:
        db_table = "programs_consentgrant"
        constraints = [
            models.UniqueConstraint(fields=["consent", "partner"], name="consent_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"情報提供の同意（提供先{self.partner_id}）"


class Conference(models.Model):
    """検討会・会議: decides about people; each decision moves an enrolment."""

    Kind: TypeAlias = ConferenceKind

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField("種類", max_length=30, choices=Kind.choices)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="conferences")
    held_on = models.DateField("開催日")
    title = models.CharField("件名", max_length=200)
    place = models.CharField("場所", max_length=200, blank=True)
    agenda = models.TextField("議題", blank=True)
    minutes = models.TextField("議事録", blank=True)
    # A results 検討会 (善通寺: 「就労につながった例、つながらなかった例を紹介」) looks back
    # over a period; its sorting (ConferenceResult) counts in the period it ends in.
    results_from = models.DateField("振り返りの対象期間（開始）", null=True, blank=True)
    results_to = models.DateField("振り返りの対象期間（終了）", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        db_table = "programs_conference"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class ConferenceAttendee(models.Model):
    """Staff (with role/profession) or outside people (partner staff, family)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    name = models.CharField("氏名", max_length=100)
    role = models.CharField("役割", max_length=20, choices=Membership.Role.choices, blank=True)
    profession = models.CharField("職種・立場", max_length=100, blank=True)
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    is_family = models.BooleanField("家族・親族", default=False)

    objects = ScopedManager(office="conference__office")

    class Meta:
        db_table = "programs_conferenceattendee"
        ordering = ["conference", "id"]

    def __str__(self) -> str:
        return f"出席者 {self.name}"


class Enrollment(models.Model):
    """One episode of one person in one program. A person may re-enter later (new row)."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "候補"
        SELECTED = "selected", "選定"
        ACTIVE = "active", "参加中"
        ENDED = "ended", "終了"

    class EndReason(models.TextChoices):
        ACHIEVED = "achieved", "達成"
        NOT_NEEDED = "not_needed", "継続不要"
        SUSPENDED = "suspended", "中断"
        STOPPED = "stopped", "打ち切り"
        DECLINED = "declined", "辞退"
        TRANSFERRED = "transferred", "移行"
        ASSISTANCE_ENDED = "assistance_ended", "保護廃止"
        # 実施責任の移管: the person moved to another office's area and that office accepted
        # them (jiritsu.transfers); the receiving office may continue in its own episode.
        OFFICE_TRANSFERRED = "office_transferred", "移管"

    OPEN_STATUSES = ("candidate", "selected", "active")
    # End reasons only their own transition sets (移行 to another program, 移管 to another
    # office); a screen's or a conference's choice of end reason leaves them out.
    ENDED_BY_TRANSITION = ("transferred", "office_transferred")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    program_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT,
                                        related_name="enrollments")
    status = models.CharField("状態", max_length=20, choices=Status.choices,
                              default=Status.CANDIDATE)
    end_reason = models.CharField("終了理由", max_length=20, choices=EndReason.choices,
                                  blank=True)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="enrollments", verbose_name="段階")
    menus = models.ManyToManyField(SupportMenu, blank=True, related_name="enrollments",
                                   db_table="programs_enrollment_menus",
                                   verbose_name="支援メニュー")
    candidate_on = models.DateField("候補日")
    selected_on = models.DateField("選定日", null=True, blank=True)
    started_on = models.DateField("支援開始日", null=True, blank=True)
    planned_end_on = models.DateField("終了予定日", null=True, blank=True)
    ended_on = models.DateField("終了日", null=True, blank=True)
    moved_from = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="moved_to", verbose_name="移行元")
    lead_staff = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="led_enrollments", verbose_name="担当支援員")
    referred_partners: models.ManyToManyField[PartnerOrganisation, Any] = models.ManyToManyField(
        PartnerOrganisation, blank=True, related_name="referrals", verbose_name="紹介先関係機関",
        db_table="programs_enrollment_referred_partners")
    flagged_no_longer_matching = models.DateField("条件非該当の検出日", null=True, blank=True)
    # Derived, stored for the lists of reviews due: the due date of an active episode's next
    # review (interval, the last review's next date, the check after a discharge, the
    # planned end), None for any other episode. Kept by jiritsu.cases.next_review on
    # every change to its inputs; `manage.py check_next_reviews` verifies it.
    next_review_on = models.DateField("次回見直し予定日", null=True, blank=True, editable=False)
    note = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(office="office")

    # Set on the rows read for the person page (jiritsu.cases.person_file.person_file);
    # not stored.
    review_overdue: bool
    current_plan: Plan | None
    latest_sort: ConferenceResult | None  # 結果検討会 (jiritsu.cases.results.episode_sorts)

    class Meta:
        db_table = "programs_enrollment"
        ordering = ["-candidate_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=Q(status__in=["candidate", "selected", "active"]),
                name="enrollment_one_open_per_program",
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_on__isnull=False, end_reason__gt="")
                | (~Q(status="ended") & Q(end_reason="")),
                name="enrollment_end_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "program", "status"], name="enrollment_board"),
            models.Index(fields=["office", "started_on", "ended_on"], name="enrollment_period"),
            # The program page's year: episodes of the program ended (or still open) in it.
            models.Index(fields=["program", "ended_on"], name="enrollment_program_ended"),
            models.Index(fields=["office", "next_review_on"], name="enrollment_next_review",
                         condition=Q(next_review_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.program}"


class EnrollmentEvent(models.Model):
    """Every transition of an enrolment, dated, with the conference or approval behind it."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    occurred_on = models.DateField("日付")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    action = models.CharField("操作", max_length=30)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="enrollment_events")
    approval = models.ForeignKey("ApprovalRequest", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="enrollment_events")
    note = models.TextField(blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="enrollment__office")

    class Meta:
        db_table = "programs_enrollmentevent"
        ordering = ["enrollment", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"支援の経過（{self.action}、{wareki.format_wareki(self.occurred_on)}）"


class ConferenceDecision(models.Model):
    """A conference's decision about one person, applied to an enrolment on save."""

    class Decision(models.TextChoices):
        SELECT = "select", "選定"
        START = "start", "支援開始"
        CONTINUE = "continue", "継続"
        EXTEND = "extend", "延長"
        CHANGE_PHASE = "change_phase", "段階変更"
        END = "end", "終了"
        TRANSFER = "transfer", "移行"
        NO_CHANGE = "no_change", "変更なし"

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="decisions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conference_decisions")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="decisions")
    decision = models.CharField("決定", max_length=20, choices=Decision.choices)
    reason = models.TextField("理由", blank=True)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    end_reason = models.CharField(max_length=20, choices=Enrollment.EndReason.choices, blank=True)
    target_program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    extend_until = models.DateField(null=True, blank=True)

    objects = ScopedManager(office="conference__office")

    class Meta:
        db_table = "programs_conferencedecision"
        ordering = ["conference", "id"]

    def __str__(self) -> str:
        return f"検討会の決定（{self.get_decision_display()}）"


class ApprovalRoute(models.Model):
    """決裁ルート per office: ordered roles, e.g. ["supervisor", "manager"]."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="approval_routes")
    name = models.CharField("名称", max_length=100)
    steps = models.JSONField("決裁者の順序", default=list)
    is_default = models.BooleanField(default=True)

    objects = ScopedManager(office="office")

    class Meta:
        db_table = "programs_approvalroute"

    def __str__(self) -> str:
        return f"決裁ルート「{self.name}」"


class ApprovalRequest(models.Model):
    """A decision waiting for 決裁: an episode's (extension, ending support, recording an
    achievement …) or another app's about a person (a 法62条 decision of the guidance
    procedure, ``kind="guidance_decision"``). The one 決裁 mechanism: one inbox, one page,
    one audit trail (``services.approval_requests``, ``services.approvals``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "決裁待ち"
        APPROVED = "approved", "決裁済"
        REJECTED = "rejected", "差戻し"
        WITHDRAWN = "withdrawn", "取下げ"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="approval_requests")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="approval_requests")
    # Whom the decision is about (the episode's person, or the person of a request without
    # an episode): the audit trail and who may open the request follow it.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="approval_requests", verbose_name="対象者")
    kind = models.CharField("案件", max_length=30)
    subject = models.CharField("件名", max_length=200)
    payload = models.JSONField(default=dict)
    steps = models.JSONField("決裁者の順序", default=list)
    current_step = models.PositiveSmallIntegerField(default=0)
    status = models.CharField("状態", max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="approval_requests")
    resolved_at = models.DateTimeField("決裁完了日時", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(office="office")

    class Meta:
        db_table = "programs_approvalrequest"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"決裁「{self.subject}」（{self.get_status_display()}）"


class ApprovalStep(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="decisions")
    step_no = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField()
    comment = models.TextField("コメント", blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="request__office")

    class Meta:
        db_table = "programs_approvalstep"
        ordering = ["request", "step_no", "id"]

    def __str__(self) -> str:
        return f"決裁 第{self.step_no}段（{'承認' if self.approved else '差戻し'}）"


class Plan(models.Model):
    """自立計画書 / 支援計画, versioned: a new version is a new row; the latest is current."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="plans")
    number = models.PositiveSmallIntegerField("版")
    agreed_on = models.DateField("本人同意日", null=True, blank=True)
    target_start_on = models.DateField("就労開始目標時期", null=True, blank=True)
    policy = models.TextField("支援方針", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="enrollment__office")

    class Meta:
        db_table = "programs_plan"
        ordering = ["enrollment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "number"], name="plan_unique_number"),
        ]

    def __str__(self) -> str:
        return f"支援計画 第{self.number}版"


class Achievement(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    PARTLY = "partly", "一部達成"
    NOT = "not", "未達成"


class PlanGoal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("目標", max_length=300)
    target_on = models.DateField("目標期日", null=True, blank=True)
    achievement = models.CharField("達成度（終了時）", max_length=20, choices=Achievement.choices,
                                   blank=True)
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="carried_to",
                                     help_text="The same goal in the previous plan version.")

    objects = ScopedManager(office="plan__enrollment__office")

    class Meta:
        db_table = "programs_plangoal"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"目標「{self.text[:60]}」"


class PlanCommitment(models.Model):
    """Something the person chose to do (求職活動状況報告書 2 per month, Hello Work weekly …)."""

    class Kind(models.TextChoices):
        JOB_SEARCH_REPORT = "job_search_report", "求職活動状況報告書の提出"
        HELLO_WORK_VISIT = "hello_work_visit", "ハローワークでの求職"
        SILVER_HR = "silver_hr", "シルバー人材センター登録"
        INTERVIEW = "interview", "面接"
        OTHER = "other", "その他"

    class Per(models.TextChoices):
        WEEK = "week", "週"
        MONTH = "month", "月"
        ONCE = "once", "1回限り"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField("内容", max_length=30, choices=Kind.choices)
    text = models.CharField("具体的に", max_length=300, blank=True)
    quantity = models.PositiveSmallIntegerField("回数", default=1)
    per = models.CharField("単位", max_length=10, choices=Per.choices, default=Per.MONTH)

    objects = ScopedManager(office="plan__enrollment__office")

    class Meta:
        db_table = "programs_plancommitment"
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return f"計画の取組（{self.get_kind_display()}）"


# Who was present at a record, in one order wherever the record is shown or printed: the
# staff in the order of their accounts (users have no order of their own, and names in
# kanji have no reading order to sort by); partner organisations keep theirs (kind, name).
STAFF_PRESENT_ORDER = ("id",)


class ActivityRecord(models.Model):
    """経過記録: a visit, interview, call, accompaniment, session … with who was there."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "家庭訪問"
        OFFICE_INTERVIEW = "office_interview", "来所面接"
        PHONE = "phone", "電話"
        ACCOMPANY_HELLO_WORK = "accompany_hello_work", "同行（ハローワーク）"
        ACCOMPANY_HOSPITAL = "accompany_hospital", "同行（医療機関）"
        ACCOMPANY_INTERVIEW = "accompany_interview", "同行（就職面接）"
        MEETING = "meeting", "会議"
        SEMINAR = "seminar", "講座・セミナー"
        TRAINING = "training", "訓練"
        OVERNIGHT_TRIAL = "overnight_trial", "外泊訓練"
        AGENCY_CONTACT = "agency_contact", "関係機関との連絡"
        JOB_SEARCH_REPORT = "job_search_report", "求職活動状況報告書の受理"
        OTHER = "other", "その他"

    class LifeCheck(models.TextChoices):
        """What a record says of the person's life after a discharge (五條: 退院後1か月を目処に
        生活状況を確認し、不穏状態等の症状が見られるときは、退院前の主治医と今後の治療について協議)."""

        SETTLED = "settled", "生活は安定している"
        UNSETTLED = "unsettled", "不穏な症状などがあり、生活が安定していない"
        DOCTOR_CONSULTED = "doctor_consulted", "退院前の主治医と今後の治療について協議した"

    # The kinds of record that can say how the person lives: one where staff saw the person.
    LIFE_CHECK_KINDS = ("home_visit", "office_interview")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="records")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="records")
    # A record written with a date and no time keeps "no time": ``time_known`` is false and
    # ``occurred_at`` is the start of that day in Japan time (it still sorts within its day).
    occurred_at = models.DateTimeField("日時")
    time_known = models.BooleanField("時刻の記録あり", default=True)
    kind = models.CharField("種別", max_length=30, choices=Kind.choices)
    text = models.TextField("内容")
    duration_minutes = models.PositiveSmallIntegerField("所要時間（分）", null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="records_written")
    author_partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="records_written")
    staff_present: models.ManyToManyField[StaffUser, Any] = models.ManyToManyField(
        User, blank=True, related_name="records_attended", verbose_name="同席職員",
        db_table="programs_activityrecord_staff_present")
    partners_present = models.ManyToManyField(PartnerOrganisation, blank=True,
                                              related_name="records_attended",
                                              verbose_name="同席関係機関",
                                              db_table="programs_activityrecord_partners_present")
    systolic_bp = models.PositiveSmallIntegerField("最高血圧", null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField("最低血圧", null=True, blank=True)
    weight_kg = models.DecimalField("体重（kg）", max_digits=5, decimal_places=1, null=True,
                                    blank=True)
    data = models.JSONField("項目別記録", default=dict, blank=True)
    life_check = models.CharField("退院後の生活状況", max_length=20, choices=LifeCheck.choices,
                                  blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        db_table = "programs_activityrecord"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="record_person_time"),
            models.Index(fields=["office", "created_at"], name="record_office_created"),
            # A caseload's records (person_id IN (~120 ids), inside the office scope): with
            # person_id alone PostgreSQL ANDs in the whole office's office_id bitmap.
            models.Index(fields=["person", "office"], name="record_person_office"),
        ]

    def __str__(self) -> str:
        day = wareki.format_wareki(self.occurred_on) if self.occurred_at else ""
        return f"経過記録（{self.get_kind_display()}、{day}）"

    @property
    def occurred_on(self) -> dt.date:
        """The record's date in Japan."""
        return clock.japan_date(self.occurred_at)

    @property
    def time_label(self) -> str:
        """The time of day as written (``HH:MM``), or 「時刻なし」 for a record without one."""
        return f"{clock.to_japan(self.occurred_at):%H:%M}" if self.time_known else "時刻なし"


class Review(models.Model):
    """見直し・評価. What is due is derived (interval, events) — never stored as a to-do list."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "継続"
        EXTEND = "extend", "延長"
        ACHIEVED = "achieved", "達成"
        STOP = "stop", "打ち切り"
        CHANGE_PHASE = "change_phase", "段階変更"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField("実施日")
    evaluation = models.TextField("評価")
    decision = models.CharField("判断", max_length=20, choices=Decision.choices)
    next_due_on = models.DateField("次回見直し日", null=True, blank=True)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="reviews")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="enrollment__office")

    class Meta:
        db_table = "programs_review"
        ordering = ["enrollment", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"見直し（{wareki.format_wareki(self.reviewed_on)}、{self.get_decision_display()}）"


class ConferenceResult(models.Model):
    """結果検討会: one participant's result over the conference's period, sorted as the seed
    sorts it (善通寺: 「就労につながった例、つながらなかった例を紹介」), with the factors the
    caseworker and the 就労支援員 name (「就労につながったまたはそうでなかった要因等についてコメント」)
    and, for an episode still running, what the conference decided next — recorded as a
    review of the episode at the conference (``review``)."""

    class Result(models.TextChoices):
        WORKED = "worked", "就労につながった"
        NOT_WORKED = "not_worked", "就労につながらなかった"

    class NextStep(models.TextChoices):
        CONTINUE = "continue", "支援を継続"
        CHANGE = "change", "支援の内容を見直して継続"
        STOP = "stop", "支援を打ち切る"

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="results",
                                   verbose_name="検討会")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="result_sorts", verbose_name="参加")
    result = models.CharField("結果", max_length=20, choices=Result.choices)
    reason = models.TextField("要因")
    next_step = models.CharField("今後の支援", max_length=20, choices=NextStep.choices,
                                 blank=True)
    review = models.OneToOneField(Review, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="result_sort", verbose_name="見直し")

    objects = ScopedManager(office="conference__office")

    # Set on the rows read by jiritsu.cases.results (what is left after the sorting); not stored.
    pending: list[str]

    class Meta:
        verbose_name = "結果検討会での振り返り"
        ordering = ["conference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "enrollment"],
                                    name="conference_result_once"),
        ]

    def __str__(self) -> str:
        return f"結果検討会での振り返り（{self.get_result_display()}）"


class GoalAssessment(models.Model):
    """A goal's achievement level at one review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goal_assessments")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="assessments")
    level = models.CharField("達成度", max_length=20, choices=Achievement.choices)

    objects = ScopedManager(office="review__enrollment__office")

    class Meta:
        db_table = "programs_goalassessment"

    def __str__(self) -> str:
        return f"目標の評価（{self.get_level_display()}）"


class Outcome(models.Model):
    """成果: employment, income rise, discharge and where to, school admission …"""

    class Destination(models.TextChoices):
        HOME = "home", "自宅"
        APARTMENT = "apartment", "アパート"
        GROUP_HOME = "group_home", "グループホーム"
        FACILITY = "facility", "施設"
        RELIEF_FACILITY = "relief_facility", "救護施設"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="outcomes")
    outcome_type = models.ForeignKey(OutcomeType, on_delete=models.PROTECT,
                                     related_name="outcomes")
    kind = models.CharField("種類", max_length=30, choices=OutcomeKind.choices)
    occurred_on = models.DateField("日付")
    employer = models.CharField("就労先", max_length=200, blank=True)
    job_kind = models.CharField("職種", max_length=100, blank=True)
    hours_per_week = models.DecimalField("週労働時間", max_digits=4, decimal_places=1, null=True,
                                         blank=True)
    monthly_income = models.PositiveIntegerField("月収（円）", null=True, blank=True)
    income_increase = models.PositiveIntegerField("増収額（円）", null=True, blank=True)
    destination = models.CharField("退院先", max_length=20, choices=Destination.choices,
                                   blank=True)
    school_name = models.CharField("進学先", max_length=200, blank=True)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="enrollment__office")

    class Meta:
        db_table = "programs_outcome"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="outcome_kind_date")]

    def __str__(self) -> str:
        return f"成果（{self.get_kind_display()}、{wareki.format_wareki(self.occurred_on)}）"
