"""Households (世帯) and people (世帯員) with what programs screen on.

Names are stored exactly as entered; only ``kana_key`` and ``name_key`` are normalised for search
(one rule, ``jiritsu.core.kana.search_key``).
Every row belongs to an office and is reached through a scoped manager: a query
outside an office scope raises (django-scopes).

Size (over 600 lines): households, people, the person parts (read together by the part
services and the person page), the amounts received from the main system and the medical
evidence are one app's models. The split would be a ``people/models/`` package — household
and person, parts, amounts, evidence — re-exported here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from jiritsu.core import clock, wareki
from jiritsu.core.kana import search_key
from jiritsu.core.wareki import age_on, format_wareki
from jiritsu.offices.models import Office, PartnerOrganisation


class HouseholdType(models.TextChoices):
    ELDERLY = "elderly", "高齢者世帯"
    SINGLE_MOTHER = "single_mother", "母子世帯"
    DISABLED = "disabled", "障害者世帯"
    SICK = "sick", "傷病者世帯"
    OTHER = "other", "その他の世帯"


class VisitGrade(models.Model):
    """訪問格付け: a per-office table of visit frequencies (A: monthly, B: every 2 months …)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="visit_grades")
    code = models.CharField("格付け", max_length=10)
    name = models.CharField("名称", max_length=50)
    visits_per_year = models.PositiveSmallIntegerField("年間訪問回数")

    objects: ClassVar[models.Manager[VisitGrade]] = ScopedManager(office="office")

    class Meta:
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="visit_grade_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}（{self.name}）"


class Household(models.Model):
    """世帯: one public-assistance case, keyed by case number within the office."""

    class EndReason(models.TextChoices):
        WORK = "work", "就労による収入増"
        PENSION = "pension", "年金等の収入増"
        DEATH = "death", "死亡"
        MOVED = "moved", "転出"
        FACILITY = "facility", "施設入所"
        SUPPORT = "support", "仕送り・扶養"
        DECLINED = "declined", "辞退"
        SANCTION = "sanction", "指導指示違反"
        OTHER = "other", "その他"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="households")
    case_number = models.CharField("ケース番号", max_length=30)
    household_type = models.CharField("世帯類型", max_length=20, choices=HouseholdType.choices)
    district = models.CharField("地区", max_length=50, blank=True, db_index=True)
    address = models.CharField("住所", max_length=200, blank=True)
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="caseload", verbose_name="地区担当員")
    assistance_started_on = models.DateField("保護開始日", null=True, blank=True)
    assistance_ended_on = models.DateField("保護廃止日", null=True, blank=True)
    end_reason = models.CharField("廃止理由", max_length=20, choices=EndReason.choices, blank=True)
    visit_grade = models.ForeignKey(VisitGrade, on_delete=models.PROTECT, null=True, blank=True,
                                    verbose_name="訪問格付け")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Household]] = ScopedManager(office="office")

    class Meta:
        ordering = ["case_number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "case_number"], name="household_unique_case"),
        ]
        indexes = [
            models.Index(fields=["office", "caseworker"], name="household_caseworker"),
            models.Index(fields=["office", "household_type"], name="household_type_idx"),
        ]

    def __str__(self) -> str:
        return f"ケース{self.case_number}"

    @property
    def is_active(self) -> bool:
        return self.assistance_ended_on is None or self.assistance_ended_on > clock.today()


class HouseholdTypeChange(models.Model):
    """History of a household's type (世帯類型の変更履歴); the current one is on Household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="type_history")
    household_type = models.CharField("世帯類型", max_length=20, choices=HouseholdType.choices)
    valid_from = models.DateField("適用開始日")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[HouseholdTypeChange]] = ScopedManager(office="household__office")

    class Meta:
        ordering = ["household", "valid_from", "id"]

    def __str__(self) -> str:
        return (f"世帯類型の変更（{self.get_household_type_display()}、"
                f"{wareki.format_wareki(self.valid_from)}から）")


class Person(models.Model):
    """世帯員 (or a program participant who is not on assistance: ``household`` is null)."""

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"
        OTHER = "other", "その他・不明"

    class Relationship(models.TextChoices):
        HEAD = "head", "世帯主"
        SPOUSE = "spouse", "配偶者"
        CHILD = "child", "子"
        PARENT = "parent", "父母"
        SIBLING = "sibling", "兄弟姉妹"
        GRANDCHILD = "grandchild", "孫"
        OTHER = "other", "その他"

    class EmploymentStatus(models.TextChoices):
        FULL_TIME = "full_time", "常用就労"
        PART_TIME = "part_time", "パート・アルバイト"
        SELF_EMPLOYED = "self_employed", "自営"
        JOB_SEEKING = "job_seeking", "求職中"
        NOT_WORKING = "not_working", "未就労"
        STUDENT = "student", "就学中"
        RETIRED = "retired", "非稼働（高齢等）"

    class SchoolGrade(models.TextChoices):
        PRESCHOOL = "preschool", "未就学"
        E1 = "e1", "小学1年"
        E2 = "e2", "小学2年"
        E3 = "e3", "小学3年"
        E4 = "e4", "小学4年"
        E5 = "e5", "小学5年"
        E6 = "e6", "小学6年"
        J1 = "j1", "中学1年"
        J2 = "j2", "中学2年"
        J3 = "j3", "中学3年"
        H1 = "h1", "高校1年"
        H2 = "h2", "高校2年"
        H3 = "h3", "高校3年"
        HIGHER = "higher", "大学・専門学校等"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="people")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="members", verbose_name="世帯")
    member_number = models.PositiveSmallIntegerField("世帯員番号", default=1)
    address_number = models.CharField("宛名番号", max_length=20, blank=True,
                                      help_text="Municipal address number. Never the My Number.")
    name = models.CharField("氏名", max_length=100)
    kana = models.CharField("ふりがな", max_length=100)
    kana_key = models.CharField(max_length=100, db_index=True, editable=False)
    name_key = models.CharField(max_length=100, blank=True, editable=False)
    birth_date = models.DateField("生年月日")
    sex = models.CharField("性別", max_length=10, choices=Sex.choices)
    relationship = models.CharField("続柄", max_length=20, choices=Relationship.choices,
                                    default=Relationship.HEAD)
    employment_status = models.CharField("就労状況", max_length=20,
                                         choices=EmploymentStatus.choices,
                                         default=EmploymentStatus.NOT_WORKING)
    employer_name = models.CharField("勤務先", max_length=200, blank=True)
    earned_income = models.PositiveIntegerField("就労収入（月額・円）", default=0)
    school_name = models.CharField("学校名", max_length=100, blank=True)
    school_grade = models.CharField("学年", max_length=20, choices=SchoolGrade.choices, blank=True)
    # 一人親世帯 for someone outside a household on assistance (大津's pupils not on assistance);
    # a household on assistance says it by its type (母子世帯). Screening reads both
    # (``single_parent_household``).
    single_parent = models.BooleanField("一人親世帯", default=False)
    phone = models.CharField("電話", max_length=30, blank=True)
    note = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Person]] = ScopedManager(office="office")

    class Meta:
        ordering = ["kana_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "member_number"],
                                    name="person_unique_member_number"),
        ]
        indexes = [
            models.Index(fields=["office", "kana_key"], name="person_office_kana"),
            models.Index(fields=["office", "birth_date"], name="person_office_birth"),
            models.Index(fields=["office", "school_grade"], name="person_office_grade"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"kana", "name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "kana_key", "name_key"}
        super().save(*args, **kwargs)

    def fill_search_keys(self) -> None:
        """The search keys of the name and the furigana (bulk paths call this before writing)."""
        self.kana_key = search_key(self.kana)
        self.name_key = search_key(self.name)

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(clock.today())

    @property
    def on_assistance(self) -> bool:
        return self.household is not None and self.household.is_active


class _PersonPart(models.Model):
    """Rows that belong to one person (and through them to one office)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Any]] = ScopedManager(office="person__office")

    class Meta:
        abstract = True


class Disability(_PersonPart):
    """障害: kind, grade and certificate."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "身体障害"
        INTELLECTUAL = "intellectual", "知的障害"
        MENTAL = "mental", "精神障害"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disabilities")
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    grade = models.CharField("等級", max_length=20, blank=True)
    certificate = models.CharField("手帳", max_length=50, blank=True,
                                   help_text="身体障害者手帳 / 療育手帳 / 精神障害者保健福祉手帳")
    certified_on = models.DateField("交付日", null=True, blank=True)

    class Meta:
        ordering = ["person", "kind"]
        indexes = [models.Index(fields=["kind", "person"], name="disability_kind_person")]

    def __str__(self) -> str:
        return " ".join(x for x in (self.get_kind_display(), self.grade, self.certificate and f"（{self.certificate}）") if x)


class Illness(_PersonPart):
    """傷病と治療状況."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="illnesses")
    name = models.CharField("傷病名", max_length=100)
    is_chronic = models.BooleanField("慢性疾患", default=False)
    is_psychiatric = models.BooleanField("精神疾患", default=False)
    treatment = models.CharField("治療状況", max_length=200, blank=True)
    medical_institution = models.CharField("医療機関", max_length=200, blank=True)
    since = models.DateField("発症・受診開始", null=True, blank=True)
    until = models.DateField("治癒・終了", null=True, blank=True)

    class Meta:
        ordering = ["person", "-since"]

    def __str__(self) -> str:
        marks = ("（慢性）" if self.is_chronic else "") + ("（精神）" if self.is_psychiatric else "")
        return f"{self.name}{marks}"


class HospitalStay(_PersonPart):
    """入院歴. A stay without ``discharged_on`` is current."""

    class Destination(models.TextChoices):
        HOME = "home", "自宅"
        APARTMENT = "apartment", "アパート"
        GROUP_HOME = "group_home", "グループホーム"
        FACILITY = "facility", "施設"
        RELIEF_FACILITY = "relief_facility", "救護施設"
        OTHER_HOSPITAL = "other_hospital", "転院"
        DEATH = "death", "死亡"
        OTHER = "other", "その他"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="hospital_stays")
    hospital = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="stays", verbose_name="医療機関")
    hospital_name = models.CharField("医療機関名", max_length=200)
    psychiatric = models.BooleanField("精神科病棟", default=False)
    admitted_on = models.DateField("入院日")
    discharged_on = models.DateField("退院日", null=True, blank=True)
    destination = models.CharField("退院先", max_length=20, choices=Destination.choices, blank=True)

    class Meta:
        ordering = ["person", "-admitted_on"]
        indexes = [
            models.Index(fields=["psychiatric", "discharged_on", "admitted_on"],
                         name="stay_psych_current"),
        ]

    def __str__(self) -> str:
        ward = "精神科" if self.psychiatric else "一般"
        return f"{self.hospital_name}（{ward}）{format_wareki(self.admitted_on)}〜{format_wareki(self.discharged_on)}"


class WorkHistory(_PersonPart):
    """職歴."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="work_history")
    employer = models.CharField("勤務先", max_length=200)
    job = models.CharField("職種", max_length=100, blank=True)
    started_on = models.DateField("開始", null=True, blank=True)
    ended_on = models.DateField("終了", null=True, blank=True)
    reason_left = models.CharField("離職理由", max_length=200, blank=True)

    class Meta:
        ordering = ["person", "-started_on"]

    def __str__(self) -> str:
        return " ".join(x for x in (self.employer, self.job) if x)


class Qualification(_PersonPart):
    """資格・免許."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField("資格・免許", max_length=100)
    obtained_on = models.DateField("取得日", null=True, blank=True)

    class Meta:
        ordering = ["person", "name"]

    def __str__(self) -> str:
        return self.name


class CareDuty(_PersonPart):
    """育児・介護の負担 (a barrier to work in the capacity assessment)."""

    class Kind(models.TextChoices):
        CHILDCARE = "childcare", "育児"
        NURSING_CARE = "nursing_care", "介護"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_duties")
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    detail = models.CharField("内容", max_length=200, blank=True)

    class Meta:
        ordering = ["person", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}".strip()


class WorkCapacityAssessment(_PersonPart):
    """稼働能力の評価: the three criteria (能力・意思・場) with evidence, dated.

    ``usage`` is what the national KPI (事業参加率) needs: people already making
    full use of their capacity and people who lost it are outside its denominator.
    """

    class Usage(models.TextChoices):
        NOT_FULLY_USED = "not_fully_used", "十分に活用されていない"
        FULLY_USED = "fully_used", "十分に活用している"
        NO_CAPACITY = "no_capacity", "稼働能力なし"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    # The person's office, kept on the row (set on save from the person): the 事業参加率
    # denominator reads an office's latest assessments, and without it every report walked
    # the whole country's assessments to find one office's (docs/performance.md). It is also
    # the Citus distribution column (docs/scaling.md, step 6).
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", editable=False)
    assessed_on = models.DateField("評価日")
    has_capacity = models.BooleanField("稼働能力あり")
    has_will = models.BooleanField("活用の意思あり")
    has_place = models.BooleanField("活用の場あり")
    usage = models.CharField("活用状況", max_length=20, choices=Usage.choices)
    barriers = models.JSONField("阻害要因", default=list, blank=True,
                                help_text="illness / disability / childcare / nursing_care / other")
    evidence = models.TextField("根拠", blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="評価者")

    objects: ClassVar[models.Manager[Any]] = ScopedManager(office="office")

    class Meta:
        ordering = ["person", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["person", "assessed_on"], name="assessment_person_date"),
                   models.Index(fields=["office", "assessed_on"], name="assessment_office_date")]

    def __str__(self) -> str:
        return f"稼働能力の評価 {format_wareki(self.assessed_on)}（{self.get_usage_display()}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.office_id is None and self.person_id is not None:
            self.office_id = Person._base_manager.values_list("office_id", flat=True).get(
                pk=self.person_id)
        super().save(*args, **kwargs)


# ---------------------------------------------------------------- amounts (保護費・医療扶助)
# Received from the main 生活保護 system (nightly API bulk upsert, caseload import); never
# entered by hand. Both are 要配慮個人情報: reached only through an office scope, audited when
# shown, exported in a 開示, never shown to partners. Month: a ``DateField`` holding the
# first day of the month (``month``; the check constraints refuse any other day). Money:
# integer yen. The services and reads are in ``jiritsu.people.amounts``.


class AssistanceKind(models.TextChoices):
    """扶助の種類: the eight kinds of assistance (生活保護法 第11条)."""

    LIVING = "living", "生活扶助"
    HOUSING = "housing", "住宅扶助"
    EDUCATION = "education", "教育扶助"
    MEDICAL = "medical", "医療扶助"
    CARE = "care", "介護扶助"
    CHILDBIRTH = "childbirth", "出産扶助"
    OCCUPATION = "occupation", "生業扶助"
    FUNERAL = "funeral", "葬祭扶助"


# The column of AssistanceMonth holding each kind's 支給額 (医療・介護 are 現物給付 but
# carry their cost).
PAID_FIELDS: dict[str, str] = {kind.value: f"paid_{kind.value}" for kind in AssistanceKind}


class AssistanceMonth(models.Model):
    """保護費（月別）: one household's assistance in one month, as the main system decided it.

    ``minimum_living_cost`` 最低生活費; ``earned_income_recognised`` / ``other_income_recognised``
    収入認定額 (就労収入 / その他の収入); ``paid_<kind>`` 支給額 by 扶助の種類; ``status`` says
    whether assistance was paid, stopped (停止) or ended (廃止) that month, with
    ``status_reason`` (the 廃止理由 list, for 停止 too).
    """

    class Status(models.TextChoices):
        PAID = "paid", "支給"
        STOPPED = "stopped", "停止"
        ENDED = "ended", "廃止"

    # No index of their own: (office, month) and the unique (household, month) lead with them,
    # and every index is paid for by each of the million rows a year's import writes. The
    # office is a copy of the household's for scoping and indexing, and offices are never
    # deleted (PROTECT). Neither key has a foreign-key constraint: PostgreSQL checks one row
    # by row (a quarter of a year's import); the database checks them by set instead
    # (triggers of migration people/0011): each statement's rows against their household in
    # the row's own office, locked FOR KEY SHARE, and a household deleted under its amounts
    # refused at COMMIT (docs/architecture.md, "Data conventions").
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assistance_months",
                                  db_index=False, db_constraint=False)
    month = models.DateField("年月", help_text="月の初日")
    minimum_living_cost = models.PositiveIntegerField("最低生活費", default=0)
    earned_income_recognised = models.PositiveIntegerField("収入認定額（就労収入）", default=0)
    other_income_recognised = models.PositiveIntegerField("収入認定額（その他）", default=0)
    paid_living = models.PositiveIntegerField("生活扶助", default=0)
    paid_housing = models.PositiveIntegerField("住宅扶助", default=0)
    paid_education = models.PositiveIntegerField("教育扶助", default=0)
    paid_medical = models.PositiveIntegerField("医療扶助", default=0)
    paid_care = models.PositiveIntegerField("介護扶助", default=0)
    paid_childbirth = models.PositiveIntegerField("出産扶助", default=0)
    paid_occupation = models.PositiveIntegerField("生業扶助", default=0)
    paid_funeral = models.PositiveIntegerField("葬祭扶助", default=0)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.PAID)
    status_reason = models.CharField("停止・廃止の理由", max_length=20, blank=True,
                                     choices=Household.EndReason.choices)
    received_at = models.DateTimeField("受信日時")

    objects: ClassVar[models.Manager[AssistanceMonth]] = ScopedManager(office="office")

    class Meta:
        ordering = ["household", "month"]
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="assistance_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="assistance_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["office", "month"], name="assistance_month_office"),
            # The few 廃止 months (reports.effects: 就労による保護廃止), found without reading
            # the office's paid months.
            models.Index(fields=["office", "month"], name="assistance_month_ended",
                         condition=models.Q(status="ended")),
        ]

    def __str__(self) -> str:
        return f"保護費 {self.month.year}年{self.month.month}月"

    @property
    def paid_total(self) -> int:
        """支給額の合計 (all eight kinds)."""
        return sum(getattr(self, f) for f in PAID_FIELDS.values())

    @property
    def income_recognised(self) -> int:
        """収入認定額の合計."""
        return self.earned_income_recognised + self.other_income_recognised


class MedicalClaimKind(models.TextChoices):
    """レセプトの種類."""

    INPATIENT = "inpatient", "入院"
    OUTPATIENT = "outpatient", "入院外"
    PHARMACY = "pharmacy", "調剤"
    DENTAL = "dental", "歯科"


class MedicalClaimMonth(models.Model):
    """医療扶助（月別・レセプト集計）: one person's claims of one kind at one institution in a month.

    Key: person + ``month`` + ``kind`` + ``institution_name``. ``days`` 診療実日数 (入院日数 for
    入院); ``points`` 点数 when the summary gives points; ``amount`` 医療扶助額 in yen (points
    × 10 when only points are given).
    """

    # No index of their own: (office, month) and the unique (person, month, …) lead with them;
    # the keys checked by set rather than by constraints, as on AssistanceMonth.
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="medical_claims",
                               db_index=False, db_constraint=False)
    month = models.DateField("診療年月", help_text="月の初日")
    kind = models.CharField("種類", max_length=12, choices=MedicalClaimKind.choices)
    institution_name = models.CharField("医療機関・薬局", max_length=200)
    institution_code = models.CharField("医療機関コード", max_length=10, blank=True)
    days = models.PositiveSmallIntegerField("日数", default=0)
    points = models.PositiveIntegerField("点数", null=True, blank=True)
    amount = models.PositiveIntegerField("医療扶助額（円）", default=0)
    received_at = models.DateTimeField("受信日時")

    objects: ClassVar[models.Manager[MedicalClaimMonth]] = ScopedManager(office="office")

    class Meta:
        ordering = ["person", "month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month", "kind", "institution_name"],
                                    name="medical_claim_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="medical_claim_month_first_day"),
        ]
        indexes = [models.Index(fields=["office", "month"], name="medical_claim_office_month")]

    def __str__(self) -> str:
        return f"医療扶助 {self.month.year}年{self.month.month}月 {self.get_kind_display()}"


class MedicalEvidence(_PersonPart):
    """医学的な根拠: a dated medical document or consultation about a person — who gave it and
    what it says (入院の要否, 退院の見込み, 就労の可否 and its limits) with the date the next
    one is due. Screening rules read the latest statement on each question
    (``programs.screening``: ``medical.*``); the caseworker's home and work list show the
    ones falling due (:mod:`jiritsu.people.evidence`).

    A 嘱託医協議 is a row of its own (``kind=consultation``) with the question put and the
    result; ``based_on`` links it to the document it discussed. Its result is evidence too.
    """

    class Kind(models.TextChoices):
        OPINION = "opinion", "医療要否意見書"
        RECEIPT = "receipt", "レセプト（診療報酬明細書）"
        CONDITION_SURVEY = "condition_survey", "病状調査"
        DOCTOR_INQUIRY = "doctor_inquiry", "主治医への照会"
        TREATMENT_REPORT = "treatment_report", "受療状況（報告書）"
        CONSULTATION = "consultation", "嘱託医協議"

    class CareSetting(models.TextChoices):
        INPATIENT = "inpatient", "入院"
        OUTPATIENT = "outpatient", "入院外"

    class Hospitalisation(models.TextChoices):
        REQUIRED = "required", "入院要（入院継続が必要）"
        NOT_REQUIRED = "not_required", "入院不要"

    class Discharge(models.TextChoices):
        POSSIBLE = "possible", "退院可能"
        IF_SUPPORTED = "if_supported", "受入条件が整えば退院可能"
        NOT_YET = "not_yet", "退院は困難"

    class Work(models.TextChoices):
        POSSIBLE = "possible", "就労可"
        LIMITED = "limited", "就労可（制限あり）"
        NOT_POSSIBLE = "not_possible", "就労不可"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="medical_evidence")
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    issued_on = models.DateField("日付", help_text="意見書の記載日、調査・照会・協議の実施日")
    issuer = models.CharField("発行・回答した人", max_length=200, blank=True,
                              help_text="医療機関と医師の名前、嘱託医の名前など")
    care_setting = models.CharField("入院・入院外", max_length=20, choices=CareSetting.choices,
                                    blank=True)
    hospitalisation = models.CharField("入院の要否", max_length=20,
                                       choices=Hospitalisation.choices, blank=True)
    discharge = models.CharField("退院の見込み", max_length=20, choices=Discharge.choices,
                                 blank=True)
    work = models.CharField("就労の可否", max_length=20, choices=Work.choices, blank=True)
    work_limits = models.CharField("就労上の制限", max_length=200, blank=True,
                                   help_text="例：軽作業のみ、1日4時間まで")
    question = models.TextField("照会・協議の内容", blank=True)
    finding = models.TextField("所見・結果", blank=True)
    next_due_on = models.DateField("次回の期限", null=True, blank=True,
                                   help_text="空欄なら種類ごとの有効期間から決まります（期限のない種類は空欄のまま）。")
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="consultations", verbose_name="協議の基にした資料")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="記録者")

    class Meta:
        ordering = ["person", "-issued_on", "-id"]
        indexes = [models.Index(fields=["person", "issued_on"], name="evidence_person_date"),
                   models.Index(fields=["next_due_on", "person"], name="evidence_due")]

    def __str__(self) -> str:
        said = "・".join(x for x in (self.get_hospitalisation_display(),
                                     self.get_discharge_display(), self.get_work_display()) if x)
        return (f"{self.get_kind_display()} {format_wareki(self.issued_on)}"
                f"{'（' + said + '）' if said else ''}")

    @property
    def statements(self) -> list[str]:
        """What it says, in words (for the person page and the screening reasons)."""
        out = [x for x in (self.get_hospitalisation_display(), self.get_discharge_display(),
                           self.get_work_display()) if x]
        if self.work_limits:
            out.append(f"制限：{self.work_limits}")
        return out


class EvidenceValidity(models.Model):
    """The office's validity (months until the next one is due) for one kind of medical
    evidence. Without a row the kind's default in :data:`DEFAULT_VALIDITY_MONTHS` holds;
    0 months: no due date."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("種類", max_length=20, choices=MedicalEvidence.Kind.choices)
    months = models.PositiveSmallIntegerField("有効期間（月）")

    objects: ClassVar[models.Manager[EvidenceValidity]] = ScopedManager(office="office")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "kind"],
                                               name="evidence_validity_unique_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}の有効期間 {self.months}か月"


# 医療要否意見書: six months, the longest a 継続 opinion covers for 入院外 care under the
# 医療扶助運営要領 (docs/programs.md, 「医学的な根拠」). The other kinds have no validity
# of their own unless the office sets one.
DEFAULT_VALIDITY_MONTHS: dict[str, int] = {MedicalEvidence.Kind.OPINION: 6}
