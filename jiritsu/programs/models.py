"""Programs (自立支援プログラム): the catalogue and the screening that finds their people.

Catalogue (programs, frozen versions, phases, menus, outcome types, targets) → screening
(rules as data, ledgers, nominations). What then happens to a person in a program — consent,
conferences, episodes, approvals, plans, records, reviews, outcomes — lives in
``jiritsu.cases``. All rows are office-owned and reached through scoped managers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from jiritsu.core import wareki
from jiritsu.offices.models import Office, PartnerOrganisation
from jiritsu.people.models import Person

User = settings.AUTH_USER_MODEL


class Program(models.Model):
    """自立支援プログラム as an office defines it. Edits bump ``current_version``;
    each enrolment keeps the :class:`ProgramVersion` it started under."""

    class Kind(models.TextChoices):
        ECONOMIC = "economic", "経済的自立"
        DAILY_LIFE = "daily_life", "日常生活自立"
        SOCIAL_LIFE = "social_life", "社会生活自立"

    class LegalBasis(models.TextChoices):
        ART27_2 = "art27_2", "法27条の2（相談・助言）"
        ART55_7 = "art55_7", "法55条の7（被保護者就労支援事業）"
        OTHER = "other", "その他"

    class ApprovalLevel(models.TextChoices):
        NONE = "none", "不要"
        SUPERVISOR = "supervisor", "査察指導員"
        MANAGER = "manager", "課長"
        DIRECTOR = "director", "所長"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="programs")
    code = models.CharField("プログラムコード", max_length=40)
    name = models.CharField("プログラム名", max_length=200)
    kind = models.CharField("自立の種類", max_length=20, choices=Kind.choices)
    category = models.CharField("分類", max_length=100, blank=True)
    legal_basis = models.CharField("根拠", max_length=20, choices=LegalBasis.choices,
                                   default=LegalBasis.ART27_2)
    established_on = models.DateField("策定年月", help_text="First day of the month established.")
    description = models.TextField("概要", blank=True)
    target_description = models.TextField("対象者", blank=True)
    review_interval_months = models.PositiveSmallIntegerField("見直し間隔（月）", default=3)
    standard_length_months = models.PositiveSmallIntegerField("標準期間（月）", null=True,
                                                              blank=True)
    max_length_months = models.PositiveSmallIntegerField("最長期間（月）", null=True, blank=True)
    extension_approval = models.CharField("延長の決裁", max_length=20,
                                          choices=ApprovalLevel.choices,
                                          default=ApprovalLevel.MANAGER)
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    consent_required = models.BooleanField("支援開始前に同意が必要", default=True)
    allows_non_recipients = models.BooleanField("被保護者以外も対象", default=False)
    professions = models.JSONField("関与する職種", default=list, blank=True)
    partners = models.ManyToManyField(PartnerOrganisation, blank=True, related_name="programs",
                                      verbose_name="関係機関")
    budget_yen = models.PositiveIntegerField("予算（円）", null=True, blank=True)
    conference_kind = models.CharField("検討会の種類", max_length=30, blank=True)
    rules = models.JSONField("選定条件", default=dict, blank=True,
                             help_text='{"op": "and"|"or", "conditions": [...]} — see screening.py')
    approvals_needed = models.JSONField(
        "決裁が必要な決定", default=list, blank=True,
        help_text="Decision kinds that need approval: extend / end / achieve …")
    decision_attendees = models.JSONField(
        "継続・中止の判断に出席が必要な職員", default=list, blank=True,
        help_text="Roles (manager, supervisor) and professions (Membership.Profession) that must "
                  "attend the conference deciding to continue or stop an episode (善通寺).")
    template_code = models.CharField("テンプレート", max_length=40, blank=True)
    post_discharge_review_months = models.PositiveSmallIntegerField(
        "退院後の確認（月後）", null=True, blank=True,
        help_text="A review falls due this many months after a discharge outcome (五條市: 1).")
    is_active = models.BooleanField("実施中", default=True)
    current_version = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="program_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_employment(self) -> bool:
        """就労支援のプログラム (the rule :func:`employment_program_q` writes as a filter)."""
        return (self.kind == Program.Kind.ECONOMIC
                or self.legal_basis == Program.LegalBasis.ART55_7)


def employment_program_q(prefix: str = "") -> models.Q:
    """就労支援のプログラム: 経済的自立 programs and every 法55条の7 program — the one rule
    (the reports' KPIs, the report's 就労 badge, the results 検討会's 「就労につながった」)."""
    return models.Q(**{f"{prefix}kind": Program.Kind.ECONOMIC}) | models.Q(
        **{f"{prefix}legal_basis": Program.LegalBasis.ART55_7})


class ProgramVersion(models.Model):
    """Frozen copy of a program's definition (phases, menus, rules, lengths) at one version."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版")
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager(office="program__office")

    class Meta:
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="program_version_unique"),
        ]

    def __str__(self) -> str:
        return f"プログラム定義 第{self.number}版"


class Phase(models.Model):
    """An ordered phase of a program (退院前訓練 → 退院先の確保・調整 → 退院後の生活・就労訓練)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField("順序")
    name = models.CharField("段階", max_length=100)
    standard_months = models.PositiveSmallIntegerField("標準期間（月）", null=True, blank=True)

    objects = ScopedManager(office="program__office")

    class Meta:
        ordering = ["program", "order"]

    def __str__(self) -> str:
        return self.name


class SupportMenu(models.Model):
    """支援メニュー (退院促進 / 生活支援 / 就労支援 …)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="menus")
    order = models.PositiveSmallIntegerField("順序", default=0)
    name = models.CharField("メニュー", max_length=100)
    description = models.TextField("内容", blank=True)

    objects = ScopedManager(office="program__office")

    class Meta:
        ordering = ["program", "order", "id"]

    def __str__(self) -> str:
        return self.name


class OutcomeKind(models.TextChoices):
    EMPLOYMENT_START = "employment_start", "就労開始"
    INCOME_INCREASE = "income_increase", "増収"
    CLOSED_BY_WORK = "closed_by_work", "就労による保護廃止"
    DISCHARGE = "discharge", "退院"
    HIGH_SCHOOL = "high_school", "高校進学"
    SOCIAL_PARTICIPATION = "social_participation", "社会参加の継続"
    HEALTH_IMPROVED = "health_improved", "健康状態の改善"
    DAILY_LIFE_STABLE = "daily_life_stable", "日常生活の安定"
    MOVED_TO_PROGRAM = "moved_to_program", "他プログラムへの移行"
    OTHER = "other", "その他"


class OutcomeType(models.Model):
    """An outcome a program counts (就労開始, 退院 …). ``counts_as_achievement`` → 達成者数."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="outcome_types")
    kind = models.CharField("種類", max_length=30, choices=OutcomeKind.choices)
    name = models.CharField("名称", max_length=100)
    counts_as_achievement = models.BooleanField("達成とみなす", default=True)

    objects = ScopedManager(office="program__office")

    class Meta:
        ordering = ["program", "id"]

    def __str__(self) -> str:
        return self.name


class ConferenceKind(models.TextChoices):
    """Kinds of 検討会・会議: a program names the kind it decides in; ``cases.Conference.Kind``."""

    INTERNAL = "internal", "所内検討会"
    CASE_DIAGNOSIS = "case_diagnosis", "ケース診断会議"
    NETWORK = "network", "ネットワーク会議"
    AGENCIES = "agencies", "関係機関会議"
    EMPLOYMENT_REVIEW = "employment_review", "就労支援検討会"
    DAILY_LIFE_REVIEW = "daily_life_review", "日常生活支援検討会"
    OUTSIDE_COUNCIL = "outside_council", "外部協議会"


class ProgramTarget(models.Model):
    """A numeric target for one fiscal year or over several (竹原: reduce by 5 by end of FY2011)."""

    class Metric(models.TextChoices):
        PARTICIPANTS = "participants", "参加者数"
        ACHIEVED = "achieved", "達成者数"
        OUTCOME = "outcome", "成果（種類別）"
        REDUCTION = "reduction", "対象者の減少数"
        ELIGIBLE = "eligible", "支援対象者数"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    label = models.CharField("目標", max_length=200)
    metric = models.CharField("指標", max_length=20, choices=Metric.choices)
    outcome_kind = models.CharField("成果の種類", max_length=30, choices=OutcomeKind.choices,
                                    blank=True)
    value = models.PositiveIntegerField("目標値")
    fiscal_year_from = models.PositiveSmallIntegerField("開始年度")
    fiscal_year_to = models.PositiveSmallIntegerField("終了年度")
    baseline = models.PositiveIntegerField("基準値", null=True, blank=True)

    objects = ScopedManager(office="program__office")

    class Meta:
        ordering = ["program", "fiscal_year_from"]

    def __str__(self) -> str:
        return f"目標「{self.label}」"


class ScreeningLedger(models.Model):
    """支援対象者台帳: the dated result of running a program's rules."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="ledgers")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="ledgers")
    title = models.CharField("台帳名", max_length=200)
    as_of = models.DateField("基準日")
    rules = models.JSONField("適用した条件", default=dict)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"対象者台帳「{self.title}」（{wareki.format_wareki(self.as_of)}現在）"


class LedgerEntry(models.Model):
    ledger = models.ForeignKey(ScreeningLedger, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ledger_entries")
    reasons = models.JSONField("該当理由", default=list)
    nominated = models.BooleanField("推薦", default=False)

    objects = ScopedManager(office="ledger__office")

    class Meta:
        ordering = ["ledger", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "person"], name="ledger_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"対象者台帳の記載（{self.ledger_id}-{self.pk}）"


class Nomination(models.Model):
    """推薦: a hospital doctor, outside council or caseworker proposes a person for a program."""

    class Source(models.TextChoices):
        DOCTOR = "doctor", "主治医"
        HOSPITAL = "hospital", "医療機関"
        COUNCIL = "council", "協議会"
        CASEWORKER = "caseworker", "ケースワーカー"
        SUPPORT_STAFF = "support_staff", "支援員"
        PARTNER = "partner", "関係機関"
        SELF = "self", "本人・家族"
        OTHER = "other", "その他"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="nominations")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="nominations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations")
    source = models.CharField("推薦元", max_length=20, choices=Source.choices)
    nominated_by = models.CharField("推薦者", max_length=200)
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    nominated_on = models.DateField("推薦日")
    note = models.TextField("理由・備考", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-nominated_on", "-id"]

    def __str__(self) -> str:
        return f"推薦（{self.get_source_display()}、{wareki.format_wareki(self.nominated_on)}）"
