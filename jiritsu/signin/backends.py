"""Password sign-in, and the user read that every signed-in request makes.

Django's ``ModelBackend`` reads the signed-in user with ``User.objects.get(pk=…)`` on every
request: building and compiling that queryset cost about a quarter of the app CPU of the
cheapest page (docs/performance.md, "CPU per request, fifth round"). :class:`PasswordBackend`
is ``ModelBackend`` with that one read written once per process (``jiritsu.core.rows``);
signing in, permissions and the active-account rule are ``ModelBackend``'s. The single
sign-on backend reads its users the same way (:func:`read_user`).

Sessions name the backend that signed them in; migration ``signin/0003`` renames Django's
backend to this one in the sessions stored before it, so nobody is signed out by the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from jiritsu.core.rows import JoinedRows
from jiritsu.offices.models import User

# User.objects.get(pk=…), as ModelBackend.get_user reads it.
_BY_ID = JoinedRows(User, [], where="{m}.id = %s")

PATH = "jiritsu.signin.backends.PasswordBackend"
DJANGO_PATH = "django.contrib.auth.backends.ModelBackend"


def read_user(user_id: Any) -> User | None:
    found = _BY_ID.fetch([user_id])
    return found[0] if found else None


class PasswordBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
