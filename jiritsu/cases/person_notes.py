"""Short lines other apps add to the head of the person page: what happened to the record as a
whole, rather than to the person (a record merged into this one, a 移管 under discussion or
done). ``cases`` shows the person page but sits below the apps that know these facts
(``merging``, ``transfers``), so each of them registers a source here from its
``AppConfig.ready``; a source decides through its own app's door who may see its lines
(``merging.access``, ``transfers.access``) and returns none for the others. Partners never
see a line: what happened to the office's registry is not part of what a consent shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jiritsu.offices.models import Membership
from jiritsu.people.models import Person


@dataclass(frozen=True)
class PersonNote:
    """One line: a badge (``label``, its ``tone``: "" / "info" / "warn" / "ok"), the sentence,
    and a link for those who may follow it (empty otherwise)."""

    label: str
    text: str
    tone: str = ""
    url: str = ""
    link_text: str = ""


NoteSource = Callable[[Membership, Person], list[PersonNote]]

# Registered by the apps that know the facts (merging, transfers), once each.
SOURCES: list[NoteSource] = []


def register(source: NoteSource) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def notes_for(membership: Membership, person: Person) -> list[PersonNote]:
    """The lines for this membership about this person, in the sources' order."""
    if membership.is_partner:
        return []
    return [note for source in SOURCES for note in source(membership, person)]
