"""指導指示 steps on the person timeline (staff only), registered from WebConfig.ready().

The people app shows the timeline but must not import guidance (voluntary support
never depends on the sanctions track); this module lends it the entries.
"""

from __future__ import annotations

from jiritsu.cases.timeline import Entry, TimelineFilter, day_range, midnight_or_created
from jiritsu.guidance.models import GuidanceStep
from jiritsu.people.models import Person


def guidance_entries(person: Person, f: TimelineFilter, limit: int) -> list[Entry]:
    # Not part of any voluntary program: hidden under a program filter.
    if "guidance" not in f.kinds or f.program_id:
        return []
    steps = (GuidanceStep.objects.filter(case__person=person)
             .filter(day_range("occurred_on", f))
             .select_related("given_by").order_by("-occurred_on", "-id")[:limit])
    return [Entry("guidance", st.occurred_on, midnight_or_created(st.occurred_on, None),
                  st.get_kind_display(), st.content or st.reason, "",
                  str(st.given_by) if st.given_by else "",
                  details=[st.note] if st.note else [])
            for st in steps]
