"""manage.py run_retention — the retention run (保存年限による整理).

Deletes the operations log past the longest retention any office asks for (job-run records,
sign-in attempt records), and counts, per office, the closed households whose case records
have passed the office's retention period. Case records are never deleted by a machine:
disposal (廃棄) is the office's decision, so the count is reported for the administrator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django_scopes import scopes_disabled

from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_bounds, fiscal_year_of
from jiritsu.offices.models import Office
from jiritsu.operations.models import JobRun
from jiritsu.people.models import Household

DEFAULT_LOG_RETENTION_DAYS = 400


def records_expire_before(today: dt.date, years: int) -> dt.date:
    """Case records of a household closed before this day have passed the retention: the
    period counts whole fiscal years from the April after the case closed."""
    first_kept_fy = fiscal_year_of(today) - years
    return fiscal_year_bounds(first_kept_fy)[0]


class Command(BaseCommand):
    help = "保存年限を過ぎた運用記録を削除し、保存年限を過ぎた廃止世帯の件数を事務所ごとに報告します。"

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        days = Office.objects.aggregate(m=Max("log_retention_days"))["m"] or DEFAULT_LOG_RETENTION_DAYS
        cutoff = clock.now() - dt.timedelta(days=days)
        with transaction.atomic():
            runs = JobRun.objects.filter(started_at__lt=cutoff).delete()[0]
            attempts = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
            logs = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
            failures = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
        self.stdout.write(f"運用記録（{days}日より前）: 実行記録 {runs}件、ログイン試行記録 "
                          f"{attempts + logs + failures}件を削除しました。")
        with scopes_disabled():
            for office in Office.objects.order_by("code"):
                before = records_expire_before(today, office.record_retention_years)
                due = Household.objects.filter(office=office, assistance_ended_on__lt=before).count()
                self.stdout.write(f"{office.code}: 保存年限（{office.record_retention_years}年）を"
                                  f"過ぎた廃止世帯 {due}件（廃棄は事務所で判断してください）")
