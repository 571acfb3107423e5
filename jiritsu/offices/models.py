"""Offices (the tenant), staff accounts, memberships with roles, partner organisations."""

from __future__ import annotations

import datetime as dt
import re
import string

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from jiritsu.core.wareki import add_months
from jiritsu.offices.permissions import INSTALLATION_ADMIN, STATISTICIAN, is_partner, role_can


class User(AbstractUser):
    """A staff or partner account. Office roles live on :class:`Membership`, per office;
    an installation role (``installation_role``) is held for the whole installation, without
    an office (the statistician who sees the national roll-up)."""

    class InstallationRole(models.TextChoices):
        NONE = "", "なし"
        STATISTICIAN = STATISTICIAN, "全国集計担当（統計担当）"
        INSTALLATION_ADMIN = INSTALLATION_ADMIN, "設置管理者（事務所の作成・設定）"

    display_name = models.CharField("氏名", max_length=100, blank=True)
    installation_role = models.CharField(
        "設置全体の役割", max_length=20, choices=InstallationRole.choices, blank=True, default="",
        help_text="事務所に所属せずに持つ役割。全国集計担当は全国集計だけを閲覧できます"
                  "（manage.py grant_national_rollup）。設置管理者は事務所を作成し、その設定を"
                  "変更できます（manage.py grant_installation_admin）。")

    def __str__(self) -> str:
        return self.display_name or self.username


DOCUMENT_NUMBER_FIELDS = frozenset({"number", "year"})


def validate_document_number_format(value: str) -> None:
    """A document-number format names ``{number}`` (the running number) and may name
    ``{year}`` (the 和暦 year of the fiscal year, e.g. 7 for 令和7年度); nothing else."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(value) if name is not None]
    except ValueError:
        raise ValidationError("書式の { } の対応が正しくありません。", code="invalid") from None
    names = {name for name, _, _ in fields}
    if "number" not in names:
        raise ValidationError("書式には {number}（番号）を含めてください。", code="invalid")
    unknown = names - DOCUMENT_NUMBER_FIELDS
    # Only a zero-padded width for the number ({number:04} → 0012): any other format spec or
    # conversion could fail or grow without bound when a document is printed.
    if unknown or any(conversion or (spec and not (name == "number" and re.fullmatch(r"0[1-9]", spec)))
                      for name, spec, conversion in fields):
        raise ValidationError("書式に使えるのは {number}（桁をそろえるときは {number:04} など）と "
                              "{year} だけです。", code="invalid")


class Office(models.Model):
    """福祉事務所 — the tenant. Every office-owned row points here."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        PREFECTURE = "prefecture", "都道府県"
        TOWN = "town", "町村"

    code = models.CharField("事務所コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    municipality = models.CharField("自治体", max_length=100)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices, default=Kind.CITY)
    # The office's head, as printed on notices and certificates (差出人).
    head_title = models.CharField("所長の職名", max_length=100, default="福祉事務所長")
    head_name = models.CharField("所長の氏名", max_length=100, blank=True)
    document_number_format = models.CharField(
        "文書番号の書式", max_length=60, default="福第{number}号",
        validators=[validate_document_number_format],
        help_text="{number} が番号、{year} が和暦の年度（例: 清福第{number}号、{year}福第{number}号）。")
    # Retention (保存年限): case records count from the year the case was closed; the
    # operations log (job runs, sign-in attempts) from the day it was written.
    record_retention_years = models.PositiveSmallIntegerField(
        "ケース記録の保存年限（年）", default=5,
        help_text="廃止・終結した年度の翌年度から数えます。")
    log_retention_days = models.PositiveSmallIntegerField(
        "運用記録の保存期間（日）", default=400,
        help_text="定期処理の実行記録・ログイン試行記録を残す日数。")
    # The seed's 尼崎 and 和歌山 select 長期入院 psychiatric patients without saying how long
    # "long" is; each office says it once here and the screening rule 長期入院 reads it.
    long_stay_months = models.PositiveSmallIntegerField(
        "長期入院とみなす入院期間（月）", default=12,
        help_text="選定条件「精神科に長期入院中」で使います（精神保健福祉の統計では1年以上）。")
    # 竹原's yearly cycle: the seed says 「6月1日～11月31日の間に病状調査等及び嘱託医協議」, a
    # day that does not exist; the office says once which day it means ("MM-DD").
    survey_period_ends = models.CharField(
        "病状調査等の期限（月日）", max_length=5, blank=True,
        help_text="台帳に載った人の病状調査・嘱託医協議を終える日（例: 11-30）。原文「11月31日」は"
                  "存在しない日のため、事務所がどの日を指すかを決めます。空欄の間は期限を示しません。")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(record_retention_years__gte=1),
                                   name="office_record_retention_at_least_one_year"),
            models.CheckConstraint(condition=models.Q(log_retention_days__gte=30),
                                   name="office_log_retention_at_least_30_days"),
            models.CheckConstraint(condition=models.Q(long_stay_months__gte=1),
                                   name="office_long_stay_at_least_one_month"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def standard_caseload(self) -> int:
        """社会福祉法16条: 80 households per caseworker in cities, 65 in prefectures."""
        return 65 if self.kind == self.Kind.PREFECTURE else 80

    def long_stay_since(self, day: dt.date) -> dt.date:
        """A current psychiatric stay admitted on or before this day is 長期入院 on ``day``
        (``long_stay_months`` before it) — the home flag and the screening rule alike."""
        return add_months(day, -self.long_stay_months)

    def survey_period_end(self, fiscal_year: int) -> dt.date | None:
        """The day ``survey_period_ends`` names in ``fiscal_year`` (January–March fall in the
        next calendar year), or None while the office has not said."""
        if not self.survey_period_ends:
            return None
        month, day = (int(x) for x in self.survey_period_ends.split("-"))
        return dt.date(fiscal_year + (1 if month <= 3 else 0), month, day)

    def format_document_number(self, number: int, *, year: int | None = None) -> str:
        """The document number as printed: ``document_number_format`` filled with the
        running number and (if the format names it) the 和暦 year of the fiscal year."""
        return self.document_number_format.format(number=number,
                                                  year="" if year is None else year)


class DocumentCounter(models.Model):
    """The office's running 文書番号 for one fiscal year: every numbered document the office
    sends (the forms, the 法27条 written instructions, the 弁明 notices, the 法62条 decisions)
    takes the next number here, so no two of them share one (``offices.numbering``)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="document_counters")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("最後の番号", default=0)

    class Meta:
        verbose_name = "文書番号の採番"
        constraints = [models.UniqueConstraint(fields=["office", "fiscal_year"],
                                               name="document_counter_once_per_year")]

    def __str__(self) -> str:
        return f"{self.office}の文書番号（{self.fiscal_year}年度）"


class PartnerOrganisation(models.Model):
    """関係機関: Hello Work, hospitals, 地域生活支援センター, 社協, NPOs, schools, employers, facilities."""

    class Kind(models.TextChoices):
        HELLO_WORK = "hello_work", "ハローワーク"
        HOSPITAL = "hospital", "医療機関"
        PSYCHIATRIC_HOSPITAL = "psychiatric_hospital", "精神科病院"
        LIFE_SUPPORT_CENTRE = "life_support_centre", "地域生活支援センター"
        HEALTH_CENTRE = "health_centre", "保健所・保健センター"
        SOCIAL_WELFARE_COUNCIL = "social_welfare_council", "社会福祉協議会"
        NPO = "npo", "NPO法人"
        CONTRACTOR = "contractor", "委託事業者"
        SCHOOL = "school", "学校"
        EMPLOYER = "employer", "事業所（雇用主）"
        RELIEF_FACILITY = "relief_facility", "救護施設"
        GROUP_HOME = "group_home", "グループホーム"
        FACILITY = "facility", "施設"
        COUNCIL = "council", "協議会"
        OTHER = "other", "その他"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="partners")
    kind = models.CharField("種別", max_length=30, choices=Kind.choices)
    name = models.CharField("名称", max_length=200)
    operator = models.CharField("事業実施者", max_length=200, blank=True)
    areas = models.JSONField("担当圏域", default=list, blank=True,
                             help_text="Names of districts/municipalities this organisation serves.")
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    address = models.CharField("所在地", max_length=200, blank=True)
    phone = models.CharField("電話", max_length=30, blank=True)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="partner_unique_name_per_office"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One account's role in one office. An account may belong to several offices."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", "ケースワーカー"
        SUPERVISOR = "supervisor", "査察指導員"
        MANAGER = "manager", "課長・所長"
        SUPPORT_STAFF = "support_staff", "支援員"
        PARTNER = "partner", "関係機関職員"
        ADMIN = "admin", "システム管理者"

    class Profession(models.TextChoices):
        EMPLOYMENT_SUPPORT = "employment_support", "就労支援員"
        SELF_RELIANCE_SUPPORT = "self_reliance_support", "自立支援員"
        DAILY_LIFE_SUPPORT = "daily_life_support", "日常生活支援員"
        DISCHARGE_SUPPORT = "discharge_support", "退院促進支援員"
        PUBLIC_HEALTH_NURSE = "public_health_nurse", "保健師"
        DIETITIAN = "dietitian", "栄養士"
        PSYCHIATRIC_SOCIAL_WORKER = "psw", "精神保健福祉士"
        CLINICAL_PSYCHOLOGIST = "clinical_psychologist", "臨床心理士"
        OTHER = "other", "その他"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("役割", max_length=20, choices=Role.choices)
    profession = models.CharField("職種", max_length=30, choices=Profession.choices, blank=True)
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="members")
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["office", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_one_per_office"),
            models.CheckConstraint(
                condition=~models.Q(role="partner") | models.Q(partner__isnull=False),
                name="membership_partner_needs_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office} ({self.get_role_display()})"

    def can(self, action: str) -> bool:
        return self.is_active and role_can(self.role, action)

    @property
    def is_partner(self) -> bool:
        return is_partner(self)
