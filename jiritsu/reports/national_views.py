"""The national roll-up screen (全国集計): counts over every office, for statisticians.

Reached by accounts whose installation role allows ``national.view`` (statisticians,
``offices.permissions.may_view_national``); no office membership is needed and no person is ever shown. Every view and export is audited.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jiritsu.core import clock, wareki
from jiritsu.core.errors import DomainError
from jiritsu.core.replica import replica_reads
from jiritsu.core.spreadsheet import csv_writer
from jiritsu.offices.models import Office
from jiritsu.offices.permissions import may_view_national
from jiritsu.reports import national as n
from jiritsu.reports.periods import Period, period_from_params
from jiritsu.reports.views import period_refused

CSV_HEADER = ("事務所コード", "事務所名", "自治体", "種別", "提出済み", "プログラム数", "保護世帯数",
              "対象者数", "参加者数", "開始者数", "終了者数", "継続者数", "達成者数",
              "事業参加率（％）", "就労・増収率（％）", "「その他の世帯」就労率（％）")


def can_view_national(user: Any) -> bool:
    return may_view_national(user)


def _fy_choices(period: Period) -> list[tuple[int, str]]:
    latest = max(wareki.fiscal_year_of(period.end), wareki.fiscal_year_of(clock.today()))
    return [(fy, wareki.format_fiscal_year(fy)) for fy in range(latest, latest - 8, -1)]


def _csv(data: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for r in data["office_rows"]:
        w.writerow([r["code"], r["name"], r["municipality"], r["kind_label"],
                    "済" if r["submitted"] else "未", r["programs"], r["open_households"],
                    *(r[k] for k in n.FIGURES),
                    *("" if v is None else v for v in (r["participation_rate"], r["employment_rate"],
                                                       r["other_households_rate"]))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@login_required
@replica_reads
def national(request: HttpRequest) -> HttpResponse:
    if not can_view_national(request.user):
        return render(request, "403.html", {"message": "全国集計を閲覧する権限がありません。"},
                      status=403)
    error = ""
    try:
        period = period_from_params(request.GET)
    except DomainError as exc:
        return period_refused(request, exc, heading="全国集計", back=reverse("national"),
                              keep=("kind",))
    office_kind = request.GET.get("kind", "")
    if office_kind not in dict(Office.Kind.choices):
        office_kind = ""
    data = n.national_rollup(period=period, office_kind=office_kind)
    if request.GET.get("format") == "csv":
        n.log_national_rollup(actor=request.user, period=period, office_kind=office_kind,
                            export=True)
        response = HttpResponse(_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="national-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"')
        return response
    n.log_national_rollup(actor=request.user, period=period, office_kind=office_kind, export=False)
    query = {**period.as_query(), **({"kind": office_kind} if office_kind else {})}
    return render(request, "reports/national.html", {
        "data": data, "period": period, "period_error": error, "office_kind": office_kind,
        "kinds": Office.Kind.choices, "fy_choices": _fy_choices(period),
        "csv_query": urlencode({**query, "format": "csv"}),
    })
