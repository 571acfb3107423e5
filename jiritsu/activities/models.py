"""What the seed's programs need beyond the common life cycle.

Workplace adaptation training (伊丹), group sessions with volunteers and a budget
(大津・伊賀・上田), Hello Work referrals with the interview's attendees, the route after the
first interview and the 阻害要因の解消 (清洲), health tracks for accompanied visits (福井),
family and receiving places (尼崎), staff training with its attendees (甲州・善通寺). Every
row is office-owned and reached through a scoped manager. Due dates and reminders are
derived in selectors.py, never stored.

Size (over 600 lines): one section per seed-program feature, read together by the support
page and the 開示 export. The split would be a ``models/`` package with one module per
section, re-exported here so migrations and callers keep ``activities.models.<Name>``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from jiritsu.cases.models import Consent, Enrollment
from jiritsu.core import clock, wareki
from jiritsu.offices.models import Membership, Office, PartnerOrganisation
from jiritsu.people.models import Person
from jiritsu.programs.models import Program

User = settings.AUTH_USER_MODEL


# --- 職場適応訓練 (伊丹市) -------------------------------------------------------

class TrainingEmployer(models.Model):
    """訓練実施機関: an employer the office director approved for workplace training."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="training_employers")
    partner = models.OneToOneField(PartnerOrganisation, on_delete=models.PROTECT,
                                   related_name="training_approval", verbose_name="事業所")
    is_approved = models.BooleanField("所長承認", default=True)
    approved_on = models.DateField("承認日")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    work_offered = models.CharField("訓練の内容", max_length=200, blank=True)
    withdrawn_on = models.DateField("承認取消日", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["office", "partner__name"]

    def __str__(self) -> str:
        return str(self.partner)


class TrainingPlacement(models.Model):
    """One person's training at one approved employer."""

    class Status(models.TextChoices):
        ACTIVE = "active", "訓練中"
        ENDED = "ended", "終了"

    class FollowUp(models.TextChoices):
        EMPLOYED_HERE = "employed_here", "訓練先に就職"
        EMPLOYED_ELSEWHERE = "employed_elsewhere", "他の事業所に就職"
        JOB_SEARCH = "job_search", "求職活動の支援へ"
        OTHER_PROGRAM = "other_program", "他のプログラムへ移行"
        ENDED = "ended", "支援終了"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="training_placements")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="training_placements")
    employer = models.ForeignKey(TrainingEmployer, on_delete=models.PROTECT,
                                 related_name="placements", verbose_name="訓練実施機関")
    visited_on = models.DateField("仕事場見学日")
    starts_on = models.DateField("訓練開始日")
    ends_on = models.DateField("訓練終了予定日")
    extended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="延長を認めた所長")
    extended_on = models.DateField("延長承認日", null=True, blank=True)
    duties = models.CharField("訓練の内容", max_length=200, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField("終了日", null=True, blank=True)
    follow_up = models.CharField("訓練終了後の処遇", max_length=30, choices=FollowUp.choices,
                                 blank=True)
    follow_up_note = models.TextField("処遇の内容", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"就労体験（{wareki.format_wareki(self.starts_on)}〜{wareki.format_wareki(self.ends_on)}）"


class TrainingDay(models.Model):
    """One day of training with its hours (at most 4 a day, 20 days a month)."""

    placement = models.ForeignKey(TrainingPlacement, on_delete=models.CASCADE,
                                  related_name="days")
    day = models.DateField("訓練日")
    hours = models.DecimalField("時間", max_digits=3, decimal_places=1)
    note = models.CharField("様子", max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(office="placement__office")

    class Meta:
        ordering = ["placement", "day"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "day"], name="training_day_unique"),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=4),
                                   name="training_day_at_most_4_hours"),
        ]

    def __str__(self) -> str:
        return f"就労体験の記録（{wareki.format_wareki(self.day)}）"


class TrainingMonthlyStatus(models.Model):
    """毎月の状況把握: how the month went and what was decided about the period."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "継続"
        EXTEND = "extend", "延長を検討"
        END = "end", "終了"

    placement = models.ForeignKey(TrainingPlacement, on_delete=models.CASCADE,
                                  related_name="monthly")
    month = models.DateField("対象月", help_text="First day of the month.")
    assessment = models.TextField("状況")
    decision = models.CharField("期間等の判断", max_length=10, choices=Decision.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="placement__office")

    class Meta:
        ordering = ["placement", "month"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "month"], name="training_month_unique"),
        ]

    def __str__(self) -> str:
        return f"就労体験の月次判断（{wareki.format_wareki_month(self.month)}、{self.get_decision_display()}）"


# --- 学習会・講座・セミナー (大津・伊賀・上田) ------------------------------------------

class SessionSeries(models.Model):
    """A run of group sessions with a venue, a budget and volunteers."""

    class Kind(models.TextChoices):
        STUDY_GROUP = "study_group", "学習会"
        LECTURE = "lecture", "講座"
        SEMINAR = "seminar", "セミナー"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="session_series")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="session_series",
                                verbose_name="プログラム")
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    venue = models.CharField("会場", max_length=200, blank=True)
    lecturer = models.CharField("講師", max_length=200, blank=True)
    host = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="実施機関")
    schedule = models.CharField("開催予定", max_length=100, blank=True, help_text="毎週1回 など")
    # 募集地域: 大津 recruited only in the southern area from the city's 53 eligible pupils.
    # Empty: the program's whole population. The program's rule says who is eligible; this
    # says where this series recruits (selectors.series_reach shows the two figures).
    districts = models.JSONField("募集地域（地区）", default=list, blank=True)
    starts_on = models.DateField("開始日")
    ends_on = models.DateField("終了日", null=True, blank=True)
    budget_yen = models.PositiveIntegerField("予算（円）", default=0)
    is_free = models.BooleanField("参加無料", default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Volunteer(models.Model):
    """A volunteer who helps at a series (university student, 民生委員 …)."""

    class Kind(models.TextChoices):
        UNIVERSITY_STUDENT = "university_student", "大学生"
        MINSEI_IIN = "minsei_iin", "民生委員"
        OTHER = "other", "その他"

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="volunteers")
    name = models.CharField("氏名", max_length=100)
    kind = models.CharField("区分", max_length=20, choices=Kind.choices)
    affiliation = models.CharField("所属", max_length=200, blank=True)

    objects = ScopedManager(office="series__office")

    class Meta:
        ordering = ["series", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class GroupSession(models.Model):
    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("開催日")
    venue = models.CharField("会場", max_length=200)
    lecturer = models.CharField("講師", max_length=200, blank=True)
    topic = models.CharField("内容", max_length=200, blank=True)
    volunteers = models.ManyToManyField(Volunteer, blank=True, related_name="sessions",
                                        verbose_name="協力者")

    objects = ScopedManager(office="series__office")

    class Meta:
        ordering = ["series", "held_on", "id"]

    def __str__(self) -> str:
        topic = f" {self.topic}" if self.topic else ""
        return f"講座・教室（{wareki.format_wareki(self.held_on)}{topic}）"


class Recruitment(models.Model):
    """募集: an eligible person invited to a series, and the answer."""

    class Status(models.TextChoices):
        INVITED = "invited", "案内済"
        JOINED = "joined", "参加"
        DECLINED = "declined", "不参加"

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="recruits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="recruitments")
    invited_on = models.DateField("案内日")
    status = models.CharField("回答", max_length=10, choices=Status.choices,
                              default=Status.INVITED)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager(office="series__office")

    class Meta:
        ordering = ["series", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="recruitment_unique"),
        ]

    def __str__(self) -> str:
        return f"参加案内（{wareki.format_wareki(self.invited_on)}、{self.get_status_display()}）"


class SessionAttendance(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="session_attendance")
    present = models.BooleanField("出席", default=True)

    objects = ScopedManager(office="session__series__office")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="session_attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"出欠（{'出席' if self.present else '欠席'}）"


class SeriesExpense(models.Model):
    """An expense charged to a series' budget. The service refuses going over budget."""

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="expenses")
    spent_on = models.DateField("支出日")
    item = models.CharField("費目", max_length=200)
    amount_yen = models.PositiveIntegerField("金額（円）")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="series__office")

    class Meta:
        ordering = ["series", "spent_on", "id"]

    def __str__(self) -> str:
        return f"支出「{self.item}」（{wareki.format_wareki(self.spent_on)}）"


# --- 生活保護受給者等就労支援事業 (清洲市) ------------------------------------------

class HelloWorkReferral(models.Model):
    """A referral to Hello Work: consent → 個人票A → 支援要請書 → joint interview → menu → result."""

    class Status(models.TextChoices):
        CONSENTED = "consented", "同意済"
        REQUESTED = "requested", "支援要請済"
        INTERVIEWED = "interviewed", "面接相談済"
        SUPPORTING = "supporting", "支援中"
        EMPLOYED = "employed", "就職"
        ENDED = "ended", "支援終了"

    class Menu(models.TextChoices):
        NAVIGATOR = "navigator", "就職支援ナビゲーターによる支援"
        TRIAL = "trial", "トライアル雇用"
        PUBLIC_TRAINING = "public_training", "公共職業訓練の受講あっせん"
        PRIVATE_TRAINING = "private_training", "生業扶助等による民間教育訓練講座の受講"
        GENERAL = "general", "一般の職業相談・紹介"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="hw_referrals")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="hw_referrals")
    hello_work = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="ハローワーク")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    consented_on = models.DateField("事業説明・同意日")
    form_a_on = models.DateField("個人票A提出日", null=True, blank=True)
    request_sent_on = models.DateField("支援要請書送付日", null=True, blank=True)
    interview_on = models.DateField("面接相談日", null=True, blank=True)
    interview_person_present = models.BooleanField("本人の出席", default=False)
    # Who else attended is :class:`HelloWorkInterviewAttendee` (staff and partners on file).
    # This is the free text recorded before that, kept where it named someone who could not
    # be matched to a member of staff or a partner on file (migration 0005).
    interview_attendees_note = models.CharField("面接出席者（移行前の記録）", max_length=300,
                                                blank=True)
    menu = models.CharField("支援メニュー", max_length=30, choices=Menu.choices, blank=True)
    status = models.CharField("状態", max_length=20, choices=Status.choices,
                              default=Status.CONSENTED)
    result_on = models.DateField("結果報告日", null=True, blank=True)
    result_note = models.TextField("ハローワークからの報告", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-consented_on", "-id"]

    def __str__(self) -> str:
        return (f"ハローワーク支援要請（{wareki.format_wareki(self.consented_on)}同意、"
                f"{self.get_status_display()}）")


class HelloWorkInterviewAttendee(models.Model):
    """Who attended the joint interview at Hello Work (「本人、担当CW、査察（福祉事務所担当コー
    ディネーター）、安定所担当コーディネーター、特別部門統括職業指導官にて協議し」): a member of
    the office's staff, a partner's contact on file (a partner's membership of the office), or
    a partner organisation on file whose attendee has no account. Never free text."""

    class Seat(models.TextChoices):
        CASEWORKER = "caseworker", "担当CW"
        OFFICE_COORDINATOR = "office_coordinator", "福祉事務所担当コーディネーター（査察指導員）"
        HW_COORDINATOR = "hw_coordinator", "安定所担当コーディネーター"
        HW_CHIEF = "hw_chief", "特別部門統括職業指導官"
        OTHER = "other", "その他の出席者"

    # The seats filled by the office's staff; the others by Hello Work (a partner on file).
    STAFF_SEATS = ("caseworker", "office_coordinator")
    HELLO_WORK_SEATS = ("hw_coordinator", "hw_chief")

    referral = models.ForeignKey(HelloWorkReferral, on_delete=models.CASCADE,
                                 related_name="attendees")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="出席した職員・関係機関の担当者")
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name="出席した関係機関")
    seat = models.CharField("立場", max_length=30, choices=Seat.choices, default=Seat.OTHER)

    objects = ScopedManager(office="referral__office")

    class Meta:
        verbose_name = "ハローワーク面接相談の出席者"
        ordering = ["referral", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, partner__isnull=True)
                | Q(membership__isnull=True, partner__isnull=False),
                name="hw_attendee_member_or_partner"),
        ]

    def __str__(self) -> str:
        return f"面接相談の出席者（{self.get_seat_display()}）"

    @property
    def name(self) -> str:
        """「佐藤 一郎」 for staff, 「渡辺 職安（ハローワークＡ）」 for a partner's contact,
        「ハローワークＡ（担当者）」 for an organisation whose attendee has no account."""
        if self.membership is not None:
            partner = self.membership.partner
            return f"{self.membership.user}（{partner}）" if partner else str(self.membership.user)
        return f"{self.partner}（担当者）"


# --- 稼働能力活用推進 (清洲市): the route after the first interview, 阻害要因の解消 -------

class WorkRouteDecision(models.Model):
    """振り分け: which of 清洲's three paths an episode takes after the first interview (the
    稼働能力の評価), with the route the rule suggested from what the interview found
    (``activities.work_capacity.suggest``) and why. A route other than the suggested one
    carries the caseworker's reason. The latest decision of an episode is in force; earlier
    ones are its history (the seed's periodic 見直し)."""

    class Route(models.TextChoices):
        GENERAL = "general", "一般就労支援"
        GUIDANCE = "guidance", "指導指示"
        HELLO_WORK = "hello_work", "生活保護受給者等就労支援事業"
        NOT_INTRODUCED = "not_introduced", "導入しない"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="work_routes")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="work_routes")
    # The interview the decision read. Its facts are copied into ``findings``, so removing
    # the assessment later leaves the decision readable.
    assessment = models.ForeignKey("people.WorkCapacityAssessment", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="初回面接（稼働能力の評価）")
    decided_on = models.DateField("振り分けの決定日")
    route = models.CharField("振り分け", max_length=20, choices=Route.choices)
    suggested = models.CharField("面接の結果から導かれる振り分け", max_length=20,
                                 choices=Route.choices)
    reasons = models.JSONField("その理由", default=list)
    override_reason = models.TextField("推奨と異なる振り分けの理由", blank=True)
    findings = models.JSONField("面接で把握したこと", default=dict)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="決定した職員")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        verbose_name = "稼働能力活用の振り分け"
        ordering = ["enrollment", "-decided_on", "-id"]
        indexes = [models.Index(fields=["enrollment", "decided_on"], name="work_route_episode")]

    def __str__(self) -> str:
        return f"振り分け「{self.get_route_display()}」（{wareki.format_wareki(self.decided_on)}）"

    @property
    def overrides(self) -> bool:
        return self.route != self.suggested


class WorkBarrier(models.Model):
    """就労阻害要因: one barrier to work the first interview (or later support) found —
    「○就労阻害要因の把握 ①傷病⇒主治医訪問 ②障害⇒障害の実態 ③育児・介護等」 — tracked
    until it is removed (「○就労阻害要因の解消」) or judged to be no legitimate reason."""

    class Kind(models.TextChoices):
        # The values of WorkCapacityAssessment.barriers.
        ILLNESS = "illness", "傷病"
        DISABILITY = "disability", "障害"
        CHILDCARE = "childcare", "育児"
        NURSING_CARE = "nursing_care", "介護"
        OTHER = "other", "その他"

    class Status(models.TextChoices):
        OPEN = "open", "解消に取り組み中"
        MINOR = "minor", "就労の妨げは少ない"
        RESOLVED = "resolved", "解消した"
        NOT_UPHELD = "not_upheld", "正当な理由にならない"

    # Statuses that no longer stand in the way of work: the barrier is settled.
    SETTLED = ("resolved", "not_upheld")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="work_barriers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="work_barriers")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="work_barriers", verbose_name="参加")
    kind = models.CharField("阻害要因", max_length=20, choices=Kind.choices)
    detail = models.CharField("内容", max_length=200, blank=True,
                              help_text="例: 腰痛で通院中、3歳の子の保育先がない")
    found_on = models.DateField("把握した日")
    status = models.CharField("状況", max_length=20, choices=Status.choices, default=Status.OPEN)
    status_on = models.DateField("状況を判断した日")
    status_note = models.TextField("判断の理由・根拠", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        verbose_name = "就労阻害要因"
        ordering = ["person", "found_on", "id"]
        indexes = [models.Index(fields=["person", "kind"], name="work_barrier_person_kind")]

    def __str__(self) -> str:
        detail = f"（{self.detail}）" if self.detail else ""
        return f"就労阻害要因「{self.get_kind_display()}」{detail}"

    @property
    def settled(self) -> bool:
        return self.status in self.SETTLED


class WorkBarrierStep(models.Model):
    """解消の手立て: one step taken to remove a barrier — the seed's 「①傷病⇒主治医同行訪問等
    ②障害⇒残存機能能力の活用指導 ③育児・介護⇒保育園、介護保険の利用」 or any other — planned
    and done, each with its date."""

    barrier = models.ForeignKey(WorkBarrier, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("手立て", max_length=200)
    planned_on = models.DateField("予定日", null=True, blank=True)
    done_on = models.DateField("実施日", null=True, blank=True)
    result = models.TextField("結果", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="barrier__office")

    class Meta:
        verbose_name = "阻害要因の解消の手立て"
        ordering = ["barrier", "id"]

    def __str__(self) -> str:
        return f"解消の手立て「{self.action}」"

    @property
    def overdue(self) -> bool:
        """Planned before today (in Japan) and not done."""
        return (self.done_on is None and self.planned_on is not None
                and self.planned_on < clock.today())


# --- 福井: 四つの支援対象 -----------------------------------------------------

class HealthTrack(models.Model):
    """One of 福井's four target tracks for a person, with the fields that track needs."""

    class Track(models.TextChoices):
        CHRONIC = "chronic", "慢性疾患"
        WITHDRAWN = "withdrawn", "閉じこもり"
        NUTRITION = "nutrition", "栄養"
        DEMENTIA = "dementia", "認知症"

    class WithdrawalReason(models.TextChoices):
        MENTAL = "mental", "精神的なもの"
        PHYSICAL = "physical", "体力的なもの"

    class Referral(models.TextChoices):
        SENIOR_CENTRE = "senior_centre", "高齢者センター"
        BATH = "bath", "入浴施設"
        OTHER = "other", "その他"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="health_tracks")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="health_tracks")
    track = models.CharField("支援対象", max_length=20, choices=Track.choices)
    started_on = models.DateField("開始日")
    # 生活環境 / 健康状態 / 心の状態 (the assessment every track starts from)
    living_environment = models.TextField("生活環境（衣・食・住・衛生）", blank=True)
    health_state = models.TextField("健康状態（栄養・休養・運動・自覚症状）", blank=True)
    mental_state = models.TextField("心の状態（寂しさ・不安）", blank=True)
    # chronic
    clinic_attendance = models.CharField("通院状況", max_length=200, blank=True)
    medication = models.CharField("服薬状況", max_length=200, blank=True)
    doctor_instructions = models.TextField("担当医の指示・指導事項", blank=True)
    # withdrawn
    withdrawal_reason = models.CharField("閉じこもりの理由", max_length=10,
                                         choices=WithdrawalReason.choices, blank=True)
    referral = models.CharField("通所の働きかけ先", max_length=20, choices=Referral.choices,
                                blank=True)
    referral_place = models.CharField("通所先の名称", max_length=200, blank=True)
    # nutrition
    preference_survey = models.TextField("嗜好調査（好き嫌い）", blank=True)
    menu_examples = models.TextField("献立例", blank=True)
    low_cost_food_info = models.TextField("低廉な食材の情報・入手方法", blank=True)
    # dementia
    can_live_at_home = models.BooleanField("在宅生活が可能", null=True, blank=True)
    care_certification_applied_on = models.DateField("要介護認定申請日", null=True, blank=True)
    facility_option = models.TextField("施設入所の検討", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["enrollment", "track"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "track"], name="health_track_unique"),
        ]

    def __str__(self) -> str:
        return f"健康管理支援（{self.get_track_display()}、{wareki.format_wareki(self.started_on)}から）"


# --- 尼崎: 扶養義務者と受入先 ---------------------------------------------------

class FamilyContact(models.Model):
    """扶養義務者 or other relative of a person, with how to reach them."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="family_contacts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="family_contacts")
    name = models.CharField("氏名", max_length=100)
    relationship = models.CharField("続柄", max_length=50)
    is_support_obligor = models.BooleanField("扶養義務者", default=True)
    phone = models.CharField("電話", max_length=30, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["person", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"


class FamilyRequest(models.Model):
    """What was asked of a relative (引き取り, 施設入所時・居宅生活時の協力) and the answer."""

    class Ask(models.TextChoices):
        TAKE_IN = "take_in", "引き取り"
        FACILITY = "facility", "施設入所時の協力"
        HOME_LIFE = "home_life", "居宅生活時の協力"
        OTHER = "other", "その他"

    class Answer(models.TextChoices):
        PENDING = "pending", "回答待ち"
        AGREED = "agreed", "協力可"
        PARTLY = "partly", "一部協力可"
        DECLINED = "declined", "協力不可"

    contact = models.ForeignKey(FamilyContact, on_delete=models.CASCADE, related_name="requests")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="family_requests")
    asked_on = models.DateField("依頼日")
    ask = models.CharField("依頼内容", max_length=20, choices=Ask.choices)
    answer = models.CharField("回答", max_length=20, choices=Answer.choices,
                              default=Answer.PENDING)
    answered_on = models.DateField("回答日", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(office="contact__office")

    class Meta:
        ordering = ["contact", "-asked_on", "-id"]

    def __str__(self) -> str:
        return f"家族への依頼（{self.get_ask_display()}、{wareki.format_wareki(self.asked_on)}）"


class ReceivingRequest(models.Model):
    """受入依頼: a request to a receiving place (救護施設, group home …) for one person."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "依頼中"
        ACCEPTED = "accepted", "受入可"
        WAITING = "waiting", "空き待ち"
        DECLINED = "declined", "受入不可"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="receiving_requests")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="receiving_requests")
    facility = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT,
                                 related_name="receiving_requests", verbose_name="受入先")
    requested_on = models.DateField("依頼日")
    status = models.CharField("状況", max_length=20, choices=Status.choices,
                              default=Status.REQUESTED)
    answered_on = models.DateField("回答日", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"受入依頼（{wareki.format_wareki(self.requested_on)}、{self.get_status_display()}）"


# --- 加西: ボランティア活動の斡旋 -------------------------------------------------

class VolunteerPlacement(models.Model):
    """A volunteer activity arranged for a participant (小学生の見守り, 市役所各課 …)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT,
                               related_name="volunteer_placements")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT,
                                   related_name="volunteer_placements")
    host = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="+",
                             verbose_name="活動先")
    activity = models.CharField("活動内容", max_length=200)
    started_on = models.DateField("開始日")
    ended_on = models.DateField("終了日", null=True, blank=True)
    note = models.TextField("様子", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"ボランティア活動「{self.activity}」"


class StaffTraining(models.Model):
    """研修・勉強会: a session that trains the office's own staff, with who attended
    (甲州: 「平成18年度養成した自立支援員12名」; 善通寺: 検討会 「情報の共有化・支援力を高めるために」).
    Recorded as group sessions are, but its attendees are staff members, not participants."""

    class Kind(models.TextChoices):
        TRAINING = "training", "養成研修"
        STUDY_MEETING = "study_meeting", "勉強会・学習会"
        CASE_REVIEW = "case_review", "事例検討会"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="staff_trainings")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="staff_trainings", verbose_name="関連するプログラム")
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    held_on = models.DateField("開催日")
    venue = models.CharField("会場", max_length=200, blank=True)
    lecturer = models.CharField("講師", max_length=200, blank=True)
    content = models.TextField("内容", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        verbose_name = "研修・勉強会"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["office", "held_on"], name="staff_training_office_day")]

    def __str__(self) -> str:
        return f"{self.title}（{wareki.format_wareki(self.held_on)}）"


class StaffTrainingAttendance(models.Model):
    """One staff member (a membership of the training's office) who attended a training."""

    training = models.ForeignKey(StaffTraining, on_delete=models.CASCADE,
                                 related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="出席した職員")

    objects = ScopedManager(office="training__office")

    class Meta:
        verbose_name = "研修の出席"
        constraints = [models.UniqueConstraint(fields=["training", "membership"],
                                               name="staff_training_attend_once")]

    def __str__(self) -> str:
        return f"{self.training}の出席（{self.membership.user}）"
