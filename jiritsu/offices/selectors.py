"""Reads for office administration: the office's staff and partner organisations."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from jiritsu.offices.models import Membership, Office, PartnerOrganisation
from jiritsu.offices.permissions import roles_that_can


def office_staff(office: Office) -> QuerySet[Membership]:
    """Every membership of the office (active first), with its user and partner."""
    return (Membership.objects.filter(office=office).select_related("user", "partner")
            .order_by("-is_active", "role", "user__username", "id"))


def office_partners(office: Office) -> QuerySet[PartnerOrganisation]:
    return PartnerOrganisation.objects.filter(office=office).order_by("-is_active", "kind", "name", "id")


def installation_offices() -> QuerySet[Office]:
    """Every office of the installation with its count of active staff and administrators
    (for the installation administrator: no person is read)."""
    active = Q(memberships__is_active=True)
    return Office.objects.annotate(
        staff_count=Count("memberships", filter=active),
        admin_count=Count("memberships", filter=active & Q(
            memberships__role__in=roles_that_can("user.manage"))),
    ).order_by("code")
