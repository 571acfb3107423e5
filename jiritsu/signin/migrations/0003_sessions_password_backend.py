"""Sessions signed in by password name the backend that signed them in. Django's
``ModelBackend`` became ``jiritsu.signin.backends.PasswordBackend``; a session still naming
the old one would be signed out (Django accepts only the backends in the settings), so the
stored sessions are rewritten to name the new one. Reversible the same way."""

from django.conf import settings
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "jiritsu.signin.backends.PasswordBackend"
KEY = "_auth_user_backend"


def _rename(apps, schema_editor, old: str, new: str) -> None:
    from importlib import import_module

    if not settings.SESSION_ENGINE.startswith(("django.contrib.sessions.backends.db",
                                               "jiritsu.core.sessions")):
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    Session = apps.get_model("sessions", "Session")
    alias = schema_editor.connection.alias
    for session in Session.objects.using(alias).filter(session_data__isnull=False).iterator():
        data = store.decode(session.session_data)
        if data.get(KEY) != old:
            continue
        data[KEY] = new
        Session.objects.using(alias).filter(pk=session.pk).update(
            session_data=store.encode(data))


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("signin", "0002_signinpolicy_password_allowed"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
