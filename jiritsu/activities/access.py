"""The one way request code (screens and API) reaches the seed programs' features: training
placements, group session series, Hello Work referrals and a person's support details.

Another office's row and a missing row are both 404; a role without the action gets 403
(``offices/access.py``). Office-wide lists and pages (``activity.view``) name people across the
office, so partners do not hold that action. A Hello Work reaches its own referrals only for
people referred to it within consent (``cases.access.partner_people``), like every other
partner path. Episodes are reached through ``cases.access.get_enrollment_for_user``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jiritsu.activities.models import HelloWorkReferral, SessionSeries, TrainingPlacement
from jiritsu.cases.access import get_person_for_user, partner_people
from jiritsu.offices.access import deny, get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
from jiritsu.people.models import Person


def require_staff(membership: Membership | None, action: str) -> Membership:
    """Office-wide lists (training placements, group sessions, the task list) name people
    across the whole office: for roles holding ``activity.view`` and ``action`` (403 else)."""
    m = require(membership, "activity.view")
    return require(m, action)


def get_person_support_for_user(membership: Membership | None, pk: Any) -> Person:
    """A person's support details (health tracks, family, receiving places, referrals)."""
    m = require(require(membership, "activity.view"), "person.view")
    return get_person_for_user(m, pk)


def get_placement_for_user(membership: Membership | None, pk: Any, *,
                           write: bool = False) -> TrainingPlacement:
    m = require_staff(membership, "record.write" if write else "program.view")
    return get_or_404(TrainingPlacement.objects.filter(office=m.office).select_related(
        "enrollment__person__household", "enrollment__program", "employer__partner",
        "extended_by"), pk)


def get_series_for_user(membership: Membership | None, pk: Any, *,
                        write: bool = False) -> SessionSeries:
    m = require_staff(membership, "record.write" if write else "program.view")
    return get_or_404(SessionSeries.objects.filter(office=m.office)
                      .select_related("program", "host"), pk)


def visible_referrals(membership: Membership) -> QuerySet[HelloWorkReferral]:
    """The office's referrals for staff who may view programs; for a Hello Work's own staff
    (partner role) only the referrals sent to that Hello Work, of people referred to it within
    consent — a withdrawn consent ends access at once."""
    qs = HelloWorkReferral.objects.filter(office=membership.office).select_related(
        "enrollment__person__household", "enrollment__program", "hello_work")
    if not membership.can("program.view"):
        return qs.none()
    if is_partner(membership):
        return qs.filter(hello_work=membership.partner_id,
                         enrollment__person__in=partner_people(membership))
    return qs


def get_referral_for_user(membership: Membership | None, pk: Any, *,
                          write: bool = False) -> HelloWorkReferral:
    """Staff of the office, and the Hello Work the referral went to (its result comes back)."""
    if membership is None:
        raise Http404
    require(membership, "program.view")
    if write and not membership.can("referral.advance"):
        raise deny()
    return get_or_404(visible_referrals(membership), pk)
