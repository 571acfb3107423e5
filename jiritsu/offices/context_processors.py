from __future__ import annotations

from django.http import HttpRequest

from jiritsu.offices.models import Membership


def membership(request: HttpRequest) -> dict[str, object]:
    m = getattr(request, "membership", None)
    others: list[Membership] = []
    if m is not None:
        others = list(
            Membership.objects.filter(user_id=m.user_id, is_active=True)
            .exclude(pk=m.pk)
            .select_related("office")
        )
    return {"membership": m, "current_office": getattr(request, "office", None),
            "other_memberships": others}
