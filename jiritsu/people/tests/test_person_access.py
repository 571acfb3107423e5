"""A person's file: who may open it, what is logged, and what others see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_caseworker_sees_person_file_in_japanese_and_view_is_audited(client, world):
    client.force_login(world.caseworker)
    resp = client.get(reverse("people:person", args=[world.person.pk]))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "髙橋 𠮷子" in body  # kept exactly as entered
    assert "基本情報" in body and "入院歴" in body
    ev = AuditEvent.objects.get(action="person.view", person_id=world.person.pk)
    assert ev.actor_id == world.caseworker.pk and ev.office_id == world.office.pk


def test_other_office_gets_404_exactly_like_missing(client, world):
    client.force_login(world.outsider)
    foreign = client.get(reverse("people:person", args=[world.person.pk]))
    missing = client.get(reverse("people:person", args=[999999]))
    assert foreign.status_code == missing.status_code == 404
    assert not AuditEvent.objects.filter(person_id=world.person.pk).exists()


def test_partner_without_consent_cannot_see_person(client, world):
    client.force_login(world.partner)
    assert client.get(reverse("people:person", args=[world.person.pk])).status_code == 404


def test_support_staff_can_read_but_not_edit(client, world):
    client.force_login(world.support_staff)
    assert client.get(reverse("people:person", args=[world.person.pk])).status_code == 200
    assert client.get(reverse("people:person_edit", args=[world.person.pk])).status_code == 403
