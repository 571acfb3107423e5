"""保護費・医療扶助 on the person and household pages: the office's staff see a compact monthly
table (audited); partners never do, whatever the consent grants; the 開示 export carries them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth
from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    data = build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                          partner_user=world.partner, partner=world.partner_org, households=2)
    person = data.active[0].person  # referred to the partner with consent
    household = person.household
    assert household is not None
    last = clock.today().replace(day=1)
    previous = (last - dt.timedelta(days=1)).replace(day=1)
    AssistanceMonth.objects.create(office=world.office, household=household, month=previous,
                                   minimum_living_cost=128_000, earned_income_recognised=41_000,
                                   paid_living=50_210, paid_housing=37_000, received_at=clock.now())
    AssistanceMonth.objects.create(office=world.office, household=household, month=last,
                                   status="ended", status_reason="work", received_at=clock.now())
    MedicalClaimMonth.objects.create(office=world.office, person=person, month=previous, kind="inpatient",
                                     institution_name="みなと中央病院", days=12, amount=456_780,
                                     received_at=clock.now())
    return person


def test_staff_see_the_monthly_table_and_the_view_is_audited(client, world, person):
    client.force_login(world.caseworker)
    body = client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert "保護費・医療扶助（直近24か月）" in body
    # The page's own menu links to the section; the section is part of the page, not the menu.
    nav = body.split('<nav class="page-nav', 1)[1].split("</nav>", 1)[0]
    assert '<a href="#amounts">保護費・医療扶助</a>' in nav and 'id="amounts"' not in nav
    assert body.count('id="amounts"') == 1
    assert "87,210円" in body and "生活 50,210円" in body and "住宅 37,000円" in body
    assert "うち就労 41,000円" in body
    assert "入院 456,780円（12日）" in body
    assert "廃止" in body and "就労による収入増" in body
    assert AuditEvent.objects.filter(action="person.amounts_view", person_id=person.pk,
                                     actor_id=world.caseworker.pk).count() == 1
    body = client.get(reverse("people:household", args=[person.household_id])).content.decode()
    assert "456,780円" in body and "医療扶助は世帯員の合計" in body
    assert AuditEvent.objects.filter(action="household.amounts_view").count() == 1


def test_partner_never_sees_amounts(client, world, person):
    client.force_login(world.partner)
    response = client.get(reverse("people:person", args=[person.pk]))
    assert response.status_code == 200  # the partner may read the person …
    body = response.content.decode()
    assert "保護費" not in body and "456,780" not in body and "87,210" not in body  # … never the amounts
    assert not AuditEvent.objects.filter(action="person.amounts_view").exists()


def test_other_office_cannot_reach_the_page(client, world, person):
    client.force_login(world.outsider)
    assert client.get(reverse("people:person", args=[person.pk])).status_code == 404


def test_disclosure_export_includes_the_amounts(client, world, person):
    client.force_login(world.supervisor)
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "json"})
    sections = {s["key"]: s for s in json.loads(res.content)["sections"]}
    assistance = sections["assistance_months"]["rows"]
    assert [r["支給額の合計"] for r in assistance] == [87_210, 0]
    assert assistance[0]["生活扶助"] == 50_210 and assistance[1]["状態"] == "廃止"
    medical = sections["medical_claims"]["rows"]
    assert medical[0]["医療扶助額（円）"] == 456_780 and medical[0]["種類"] == "入院"
