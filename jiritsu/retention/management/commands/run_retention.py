"""manage.py run_retention — the retention run (保存年限による整理), nightly (operations.jobs).

Deletes the operations log past the longest retention any office asks for (job-run records,
sign-in attempt records), and lists, per office, what has passed the office's retention with
the rows of each kind it holds: the closed households' case files
(``retention.selectors.due_households``), the files of people registered without a household
(``due_people``) and the 移管 records (``due_transfers``). Nothing of it is deleted by the machine: the office's supervisor or
administrator requests their deletion on the retention screen (/manage/retention/), and it is
carried out on the final approval of that 決裁.
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
from jiritsu.offices.models import Office
from jiritsu.operations.models import JobRun
from jiritsu.retention.kinds import KINDS
from jiritsu.retention.selectors import due_summary, household_years

DEFAULT_LOG_RETENTION_DAYS = 400


class Command(BaseCommand):
    help = ("保存年限を過ぎた運用記録を削除し、保存年限を過ぎた廃止世帯・世帯のない方・移管の記録を"
            "事務所ごとに一覧にします。")

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
                due = due_summary(office, today)
                rows = "、".join(f"{KINDS[code].label} {n}件" for code, n in due.per_kind.items() if n)
                self.stdout.write(
                    f"{office.code}: 保存年限（{household_years(office)}年）を過ぎた廃止世帯 "
                    f"{len(due.households)}件、世帯のない方 {len(due.people)}人、移管の記録 "
                    f"{len(due.transfers)}件{f'（{rows}）' if rows else ''}、保存年限を過ぎた監査ログ "
                    f"{due.audit_rows}件（削除は事務所の決裁で行います）")
