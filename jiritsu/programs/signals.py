"""Signals the catalogue sends for the apps above it.

``review_terms_changed`` (sender: the :class:`~jiritsu.programs.models.Program`) — an edit
changed a program's review interval or its check after a discharge. Episodes whose version
snapshot lacks a review term fall back to the live program's, so ``jiritsu.cases.next_review``
refreshes their stored next review date. The catalogue does not know episodes; it only says
that a term changed.
"""

from django.dispatch import Signal

review_terms_changed = Signal()
