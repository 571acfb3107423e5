from __future__ import annotations

from django.http import HttpRequest

from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import may_manage_offices, may_view_national


def membership(request: HttpRequest) -> dict[str, object]:
    m = getattr(request, "membership", None)
    others: list[Membership] = []
    cached = getattr(request, "active_memberships", None)
    if m is not None and cached is not None:
        # The middleware read them all (active, with their office, in office order).
        others = [x for x in cached if x.pk != m.pk]
    elif m is not None:
        others = list(
            Membership.objects.filter(user_id=m.user_id, is_active=True)
            .exclude(pk=m.pk)
            .select_related("office")
        )
    return {"membership": m, "current_office": getattr(request, "office", None),
            "other_memberships": others,
            "may_view_national": may_view_national(getattr(request, "user", None)),
            "may_manage_offices": may_manage_offices(getattr(request, "user", None))}
