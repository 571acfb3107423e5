"""Idempotency-Key: a key whose request died is free again after the lease; records are
purged after their retention (management command and now and then while serving)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from jiritsu.api import middleware
from jiritsu.api.models import ApiToken, IdempotencyRecord
from jiritsu.core import clock

pytestmark = pytest.mark.django_db


def _age(record: IdempotencyRecord, **delta: float) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=clock.now() - dt.timedelta(**delta))


def _reservation(user, key: str) -> IdempotencyRecord:
    """What a request that is still running (or whose process died) leaves behind."""
    return IdempotencyRecord.objects.create(user=user, key=key, request_hash="0" * 64,
                                            response_status=0, response_body=b"")


def test_a_key_whose_request_died_runs_again_after_the_lease(world, api_as, settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 300
    c = api_as(world.caseworker)
    key = {"Idempotency-Key": "crashed-1"}
    stuck = _reservation(world.caseworker, "crashed-1")
    r = c.post("tokens", {"name": "再送"}, headers=key)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_conflict"  # running
    _age(stuck, seconds=301)  # its worker was killed: nothing will ever finish it
    r = c.post("tokens", {"name": "再送"}, headers=key)
    assert r.status_code == 201, r.json()
    assert ApiToken.objects.filter(name="再送").count() == 1
    again = c.post("tokens", {"name": "再送"}, headers=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(name="再送").count() == 1


def test_a_request_that_crashes_releases_its_key(world, api_as, monkeypatch):
    from jiritsu.api.routers import tokens as router

    class WorkerTimeout(BaseException):  # like gunicorn's SystemExit on a worker time-out
        pass

    def crash(**kw):
        raise WorkerTimeout

    c = api_as(world.caseworker)
    monkeypatch.setattr(router, "token_create", crash)
    with pytest.raises(WorkerTimeout):
        c.post("tokens", {"name": "落ちる"}, headers={"Idempotency-Key": "crash-2"})
    monkeypatch.undo()
    assert not IdempotencyRecord.objects.filter(key="crash-2").exists()
    r = c.post("tokens", {"name": "落ちる"}, headers={"Idempotency-Key": "crash-2"})
    assert r.status_code == 201


def test_records_are_purged_after_their_retention(world, api_as, settings, monkeypatch):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    c = api_as(world.caseworker)
    assert c.post("tokens", {"name": "古い"}, headers={"Idempotency-Key": "old"}).status_code == 201
    assert c.post("tokens", {"name": "新しい"}, headers={"Idempotency-Key": "new"}).status_code == 201
    _age(IdempotencyRecord.objects.get(key="old"), hours=25)
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"new"}

    # While serving: at most every PURGE_EVERY_SECONDS, on a request with a key.
    _age(IdempotencyRecord.objects.get(key="new"), hours=25)
    monkeypatch.setattr(middleware, "_last_purge", None)
    assert c.post("tokens", {"name": "次"}, headers={"Idempotency-Key": "next"}).status_code == 201
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"next"}


def test_a_key_past_its_retention_is_not_replayed(world, api_as, settings, monkeypatch):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    monkeypatch.setattr(middleware, "_last_purge", clock.now().timestamp())  # no purge
    monkeypatch.setattr(middleware.time, "monotonic", lambda: 0.0)
    c = api_as(world.caseworker)
    key = {"Idempotency-Key": "reused-later"}
    assert c.post("tokens", {"name": "一"}, headers=key).status_code == 201
    _age(IdempotencyRecord.objects.get(key="reused-later"), hours=25)
    r = c.post("tokens", {"name": "二"}, headers=key)  # a new request, not a conflict
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert ApiToken.objects.filter(name="二").count() == 1
