"""A 退院 outcome closes the person's open hospital stay (退院日 = the discharge date), so
they no longer screen as an inpatient."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services
from jiritsu.people.models import HospitalStay
from jiritsu.programs import screening
from jiritsu.programs.models import OutcomeKind
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


def test_discharge_outcome_ends_the_open_stay_and_the_inpatient_screening(world):
    program = make_program(world.office, name="精神障害者退院支援プログラム", consent_required=False,
                           rules={"op": "and", "conditions": [
                               {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    stay = HospitalStay.objects.create(person=world.person, hospital_name="こころ病院",
                                       psychiatric=True, admitted_on=D(2024, 7, 1))
    earlier = HospitalStay.objects.create(person=world.person, hospital_name="みなと病院",
                                          psychiatric=False, admitted_on=D(2020, 1, 1),
                                          discharged_on=D(2020, 3, 1))
    assert [c.person for c in screening.preview(program, D(2025, 8, 1)).candidates] == [
        world.person]
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))
    kind = program.outcome_types.get(kind=OutcomeKind.DISCHARGE)
    services.outcome_record(actor=cw, enrollment=e, outcome_type=kind, occurred_on=D(2025, 9, 1),
                            data={"destination": "group_home"})
    stay.refresh_from_db()
    assert (stay.discharged_on, stay.destination) == (D(2025, 9, 1), "group_home")
    earlier.refresh_from_db()
    assert earlier.discharged_on == D(2020, 3, 1)
    assert AuditEvent.objects.filter(action="hospital_stay.discharge", person_id=world.person.pk,
                                     target_id=str(stay.pk)).exists()
    assert screening.preview(program, D(2025, 10, 1)).candidates == []
