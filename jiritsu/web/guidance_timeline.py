"""指導指示 steps on the person timeline (staff only), registered from WebConfig.ready().

The people app shows the timeline but must not import guidance (voluntary support
never depends on the sanctions track); this module lends it the entries.
"""

from __future__ import annotations

from jiritsu.cases.timeline import Entry, TimelineFilter, day_range, midnight_or_created
from jiritsu.core.rows import Join, JoinedRows
from jiritsu.guidance.models import GuidanceStep
from jiritsu.people.models import Person

# Read on every view of a person by staff: when no period is asked for, a statement written
# once per process (jiritsu.core.rows) with the queryset's conditions — the person's cases in
# the person's office (the office scope's, as the person was reached through it) — and its
# order (tested equal).
_STEPS = JoinedRows(GuidanceStep, [Join("case"), Join("given_by", outer=True)],
                    where="{j0}.person_id = %s AND {j0}.office_id = %s",
                    order_by="{m}.occurred_on DESC, {m}.id DESC LIMIT %s")


def guidance_entries(person: Person, f: TimelineFilter, limit: int) -> list[Entry]:
    # Not part of any voluntary program: hidden under a program filter.
    if "guidance" not in f.kinds or f.program_id:
        return []
    if f.date_from is None and f.date_to is None:
        steps = _STEPS.fetch([person.pk, person.office_id, limit])
    else:
        steps = list(GuidanceStep.objects.filter(case__person=person)
                     .filter(day_range("occurred_on", f))
                     .select_related("given_by").order_by("-occurred_on", "-id")[:limit])
    return [Entry("guidance", st.occurred_on, midnight_or_created(st.occurred_on, None),
                  st.get_kind_display(), st.content or st.reason, "",
                  str(st.given_by) if st.given_by else "",
                  details=[st.note] if st.note else [])
            for st in steps]
