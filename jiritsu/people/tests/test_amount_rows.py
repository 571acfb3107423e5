"""The 保護費・医療扶助 table's rows written in Python (``{% amount_rows %}``) are the markup the
template loop wrote before, value for value: every state of a month, with and without
assistance, medical claims in and out of hospital, none at all."""

from __future__ import annotations

import datetime as dt

from django.template import engines

from jiritsu.people.amounts import MedicalTotals, PersonMonth
from jiritsu.people.models import AssistanceMonth, MedicalClaimKind

# The loop as _amounts.html had it before the rows were written in Python.
TEMPLATE_LOOP = (
    '{% for m in amount_months %}<tr>\n'
    '<th scope="row" class="nowrap">{{ m.month|wareki_month }}{% if m.assistance and m.assistance.status != "paid" %} <span class="badge {% if m.assistance.status == \'ended\' %}err{% else %}warn{% endif %}">{{ m.assistance.get_status_display }}</span><div class="muted small">{{ m.assistance.get_status_reason_display }}</div>{% endif %}</th>\n'
    '{% if m.assistance %}<td class="num nowrap">{{ m.assistance.paid_total|yen }}</td>\n'
    '<td class="small amounts-detail">{% for label, amount in m.paid_lines %}<span class="nowrap">{{ label }} {{ amount|yen }}</span>{% if not forloop.last %}・{% endif %}{% empty %}―{% endfor %}</td>\n'
    '<td class="num nowrap">{{ m.assistance.income_recognised|yen }}{% if m.assistance.earned_income_recognised %}<div class="muted small">うち就労 {{ m.assistance.earned_income_recognised|yen }}</div>{% endif %}</td>\n'
    '{% else %}<td class="muted">受信なし</td><td class="amounts-detail"></td><td></td>{% endif %}\n'
    '<td class="num nowrap">{% if m.medical_lines %}{{ m.medical.amount|yen }}<div class="muted small">{% if m.medical.inpatient_days %}入院{{ m.medical.inpatient_days }}日{% else %}{{ m.medical.days }}日{% endif %}</div>{% else %}―{% endif %}</td>\n'
    '<td class="small amounts-detail">{% for label, amount, days in m.medical_lines %}<span class="nowrap">{{ label }} {{ amount|yen }}（{{ days }}日）</span>{% if not forloop.last %}・{% endif %}{% empty %}―{% endfor %}</td>\n'
    '</tr>{% endfor %}'
)


def _months() -> list[PersonMonth]:
    k = MedicalClaimKind
    paid = AssistanceMonth(month=dt.date(2026, 10, 1), paid_living=71_230, paid_housing=40_000,
                           earned_income_recognised=52_000, other_income_recognised=3_000)
    stopped = AssistanceMonth(month=dt.date(2026, 9, 1), status="stopped",
                              status_reason="work", other_income_recognised=8_000)
    ended = AssistanceMonth(month=dt.date(2026, 8, 1), status="ended", status_reason="moved",
                            paid_medical=12_345)
    return [
        PersonMonth(dt.date(2026, 11, 1), None, MedicalTotals()),
        PersonMonth(dt.date(2026, 10, 1), paid, MedicalTotals(
            amount=380_000, days=14, by_kind={k.INPATIENT: (350_000, 12), k.PHARMACY: (30_000, 2)})),
        PersonMonth(dt.date(2026, 9, 1), stopped, MedicalTotals(
            amount=9_870, days=3, by_kind={k.DENTAL: (2_000, 1), k.OUTPATIENT: (7_870, 2)})),
        PersonMonth(dt.date(2026, 8, 1), ended, MedicalTotals()),
        PersonMonth(dt.date(2019, 5, 1), None, MedicalTotals(amount=1, days=1,
                                                             by_kind={k.PHARMACY: (1, 1)})),
    ]


def test_the_rows_are_the_template_loops_markup() -> None:
    engine = engines["django"]
    months = _months()
    before = engine.from_string("{% load jiritsu %}" + TEMPLATE_LOOP).render(
        {"amount_months": months})
    now = engine.from_string("{% load people_amounts %}{% amount_rows amount_months %}").render(
        {"amount_months": months})
    assert now == before
    assert now.count("<tr>") == 5 and "受信なし" in now and "入院12日" in now
    assert "令和元年5月" in now and "廃止" in now and "うち就労 52,000円" in now
    assert engine.from_string("{% load people_amounts %}{% amount_rows rows %}").render(
        {"rows": []}) == ""
