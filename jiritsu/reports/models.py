"""Reports: figures computed from the program models; only what was submitted is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from jiritsu.offices.models import Office


class FrozenReport(models.Model):
    """A period's figures as submitted (提出済み). Later views show the delta from it.

    ``figures`` is the full JSON the report module produced at the moment of freezing,
    so the submitted numbers can always be shown even after corrections to the data.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="frozen_reports")
    period_start = models.DateField("期間（開始）")
    period_end = models.DateField("期間（終了）")
    fiscal_year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    label = models.CharField("表題", max_length=100)
    figures = models.JSONField("数値一式")
    note = models.TextField("備考", blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="確定者")
    frozen_at = models.DateTimeField("確定日時", auto_now_add=True)

    objects = ScopedManager(office="office")

    class Meta:
        ordering = ["-frozen_at", "-id"]
        indexes = [
            models.Index(fields=["office", "period_start", "period_end"], name="frozen_period"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（提出済み）"
