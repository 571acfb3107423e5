"""Who must sign in with a second factor: the one place that decides it."""

from __future__ import annotations

from django.conf import settings

from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import (
    installation_role_requires_second_factor,
    role_requires_second_factor,
)
from jiritsu.signin.models import SignInPolicy


def enforced() -> bool:
    """The installation's switch (``JIRITSU_TWO_FACTOR``, on unless set to ``off``): off only
    for a closed demonstration or a test that is about something else."""
    return str(getattr(settings, "JIRITSU_TWO_FACTOR", "on")).lower() != "off"


def second_factor_required(user: User) -> bool:
    """A second factor is required of this account: its role in any office where it is
    active needs one, or one of those offices requires it of everyone, or it holds an
    installation role."""
    if not enforced():
        return False
    if installation_role_requires_second_factor(user.installation_role):
        return True
    memberships = list(Membership.objects.filter(user=user, is_active=True)
                       .values_list("role", "office_id"))
    if any(role_requires_second_factor(role) for role, _ in memberships):
        return True
    offices = {office_id for _, office_id in memberships}
    return SignInPolicy.objects.filter(
        office_id__in=offices, two_factor=SignInPolicy.TwoFactor.EVERYONE).exists()


def password_allowed(user: User) -> bool:
    """May this account sign in with its password? Not where one of its offices has switched
    passwords off for single sign-on (an account without an office always may)."""
    offices = Membership.objects.filter(user=user, is_active=True).values("office_id")
    return not SignInPolicy.objects.filter(office_id__in=offices, password_allowed=False).exists()
