"""Reads for office administration: the office's staff and partner organisations."""

from __future__ import annotations

from django.db.models import QuerySet

from jiritsu.offices.models import Membership, Office, PartnerOrganisation


def office_staff(office: Office) -> QuerySet[Membership]:
    """Every membership of the office (active first), with its user and partner."""
    return (Membership.objects.filter(office=office).select_related("user", "partner")
            .order_by("-is_active", "role", "user__username", "id"))


def office_partners(office: Office) -> QuerySet[PartnerOrganisation]:
    return PartnerOrganisation.objects.filter(office=office).order_by("-is_active", "kind", "name", "id")
