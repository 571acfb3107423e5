"""The password backend: the user of each signed-in request read once per process's statement,
the account rules of Django's ModelBackend, and sessions stored before the backend was renamed
still signed in after the migration that renames it."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from jiritsu.offices.models import Membership
from jiritsu.signin.backends import DJANGO_PATH, PATH, PasswordBackend, read_user
from jiritsu.testing import PASSWORD, make_office, make_user

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_the_user_read_equals_the_queryset_and_misses_nobody_else():
    office = make_office()
    one, other = make_user(office, Role.CASEWORKER), make_user(office, Role.SUPERVISOR)
    found = read_user(one.pk)
    assert found is not None and found.pk == one.pk and found.pk != other.pk
    reference = type(one).objects.get(pk=one.pk)
    for field in type(one)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(reference, field.attname), field.name
    assert read_user(max(one.pk, other.pk) + 1000) is None


def test_signing_in_by_password_names_the_backend_and_a_deactivated_account_is_out():
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    client = Client()
    assert client.post("/login/", {"username": caseworker.username,
                                   "password": PASSWORD}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PATH
    assert client.get("/programs/").status_code == 200
    assert PasswordBackend().get_user(caseworker.pk) is not None
    caseworker.is_active = False
    caseworker.save()
    assert PasswordBackend().get_user(caseworker.pk) is None
    assert client.get("/programs/")["Location"].startswith("/login/")


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def test_sessions_of_the_old_backend_stay_signed_in_through_the_migration():
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    client = Client()
    client.force_login(caseworker, backend=PATH)
    key = client.session.session_key
    # As a session signed in before the change was stored: naming Django's backend.
    old = _store()(session_key=key)
    old[BACKEND_SESSION_KEY] = DJANGO_PATH
    old.save()
    assert client.get("/programs/")["Location"].startswith("/login/")  # not yet renamed
    client.force_login(caseworker, backend=PATH)
    key = client.session.session_key
    old = _store()(session_key=key)
    old[BACKEND_SESSION_KEY] = DJANGO_PATH
    old.save()
    untouched = Session.objects.get(pk=key).session_data

    migration = import_module("jiritsu.signin.migrations.0003_sessions_password_backend")
    editor = SimpleNamespace(connection=connection)
    migration.backwards(apps, editor)
    assert Session.objects.get(pk=key).session_data == untouched  # nothing of the new to undo
    migration.forwards(apps, editor)

    assert _store()(session_key=key).load()[BACKEND_SESSION_KEY] == PATH
    assert client.get("/programs/").status_code == 200
