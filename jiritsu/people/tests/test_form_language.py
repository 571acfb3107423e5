"""Forms speak the office's language: dates shown in 和暦 (like their labels), a Japanese
message for a missing required value, and no link a reader would be refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiritsu.cases.testing import make_consent, refer
from jiritsu.core.apps import REQUIRED_MESSAGE

pytestmark = pytest.mark.django_db


def test_date_fields_show_wareki_and_a_missing_value_is_named_in_japanese(client, world):
    person = world.person
    client.force_login(world.caseworker)
    page = client.get(reverse("people:person_edit", args=[person.pk])).content.decode()
    birth = person.birth_date
    assert f'value="{birth.isoformat()}"' not in page
    assert "昭和" in page or "平成" in page or "令和" in page
    resp = client.post(reverse("people:person_edit", args=[person.pk]),
                       {"name": "", "kana": "", "version": person.version})
    body = resp.content.decode()
    assert REQUIRED_MESSAGE in body and "このフィールドは必須です" not in body


def test_a_partner_reads_the_case_number_without_a_link_to_the_household_page(client, world):
    refer(world.person, world.partner_org)
    make_consent(world.person, None, partners=[world.partner_org], recorded_by=world.caseworker)
    client.force_login(world.partner)
    page = client.get(reverse("people:person", args=[world.person.pk]))
    assert page.status_code == 200
    household_url = reverse("people:household", args=[world.person.household_id])
    assert household_url not in page.content.decode()
    assert client.get(household_url).status_code == 403
    client.force_login(world.caseworker)
    page = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    assert household_url in page
