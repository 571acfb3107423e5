"""文書番号: the one running number of an office's outgoing documents.

Forms (帳票), written instructions, 弁明 notices and 法62条 decisions all take their number
here, in the office's format (``Office.document_number_format``), counting from 1 in each
fiscal year. Call inside the transaction that stores the document: the counter row is locked
until it commits, so two documents never get one number.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiritsu.core import clock, wareki
from jiritsu.offices.models import DocumentCounter, Office


@dataclass(frozen=True)
class IssuedNumber:
    fiscal_year: int
    number: int
    text: str


def next_document_number(office: Office) -> IssuedNumber:
    fy = wareki.fiscal_year_of(clock.today())
    DocumentCounter.objects.get_or_create(office=office, fiscal_year=fy)
    counter = DocumentCounter.objects.select_for_update().get(office=office, fiscal_year=fy)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    era_year = wareki.era_of(wareki.fiscal_year_bounds(fy)[0])[1]
    return IssuedNumber(fy, counter.last_number,
                        office.format_document_number(counter.last_number, year=era_year))
