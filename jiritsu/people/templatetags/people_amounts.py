"""The 保護費・医療扶助 table's rows (``{% amount_rows %}``) written in Python.

Twenty-four months of a person's or household's amounts are ≈ 600 template variable lookups
and filters, ≈ 3 ms of every view of a person (the page's heaviest part); the same rows as
strings, every value escaped, take a fraction of that. The markup is the template's, which the
test renders beside this and compares.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from jiritsu.core.templatetags.jiritsu import wareki_month, yen

register = template.Library()


@register.simple_tag
def amount_rows(months: Iterable[Any]) -> SafeString:
    """One ``<tr>`` per month (``people.amounts.PersonMonth``, newest first): the month with
    the state of assistance when not paid, the amount paid and by kind, the income recognised,
    medical assistance with its days and by kind."""
    e = conditional_escape
    out = []
    for m in months:
        a = m.assistance
        head: str = e(wareki_month(m.month))
        if a and a.status != "paid":
            tone = "err" if a.status == "ended" else "warn"
            head += (f' <span class="badge {tone}">{e(a.get_status_display())}</span>'
                     f'<div class="muted small">{e(a.get_status_reason_display())}</div>')
        if a:
            paid = "・".join(f'<span class="nowrap">{e(label)} {e(yen(amount))}</span>'
                            for label, amount in m.paid_lines) or "―"
            earned = (f'<div class="muted small">うち就労 {e(yen(a.earned_income_recognised))}</div>'
                      if a.earned_income_recognised else "")
            assistance = (f'<td class="num nowrap">{e(yen(a.paid_total))}</td>\n'
                          f'<td class="small amounts-detail">{paid}</td>\n'
                          f'<td class="num nowrap">{e(yen(a.income_recognised))}{earned}</td>\n')
        else:
            assistance = '<td class="muted">受信なし</td><td class="amounts-detail"></td><td></td>'
        lines = m.medical_lines
        if lines:
            days = (f"入院{e(m.medical.inpatient_days)}日" if m.medical.inpatient_days
                    else f"{e(m.medical.days)}日")
            medical = f'{e(yen(m.medical.amount))}<div class="muted small">{days}</div>'
        else:
            medical = "―"
        by_kind = "・".join(f'<span class="nowrap">{e(label)} {e(yen(amount))}（{e(d)}日）</span>'
                           for label, amount, d in lines) or "―"
        out.append(f'<tr>\n<th scope="row" class="nowrap">{head}</th>\n{assistance}\n'
                   f'<td class="num nowrap">{medical}</td>\n'
                   f'<td class="small amounts-detail">{by_kind}</td>\n</tr>')
    return mark_safe("".join(out))  # every value above is escaped
