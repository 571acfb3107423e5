"""The demo office's medical evidence (医学的な根拠): a step of the demo generator
(``jiritsu.people.demo.DEMO_STEPS``), run after the caseload is made."""

from __future__ import annotations

import datetime as dt
import random

from jiritsu.core.wareki import add_months
from jiritsu.people.demo import DemoContext
from jiritsu.people.models import HospitalStay, Illness, MedicalEvidence, Person


def step_medical_evidence(ctx: DemoContext) -> None:
    """医学的な根拠 for the caseload: a 医療要否意見書 for each inpatient and for some people in
    outpatient treatment (a few falling due this week), レセプト and 受療状況 for some, and a
    嘱託医協議 on the 意見書 of some long-term psychiatric inpatients. Its own random source,
    so the later steps draw what they drew before."""
    office = ctx.office
    assert office is not None
    rng, today = random.Random(ctx.seed + 17), ctx.today
    E = MedicalEvidence
    opinions: list[MedicalEvidence] = []
    others: list[MedicalEvidence] = []
    stays = {s.person_id: s for s in HospitalStay.objects.filter(
        person__office=office, discharged_on__isnull=True).select_related("person__household")}
    outpatients = list(Illness.objects.filter(person__office=office, until__isnull=True)
                       .exclude(person_id__in=list(stays)).select_related("person__household")
                       .order_by("person_id", "id"))

    def opinion(person: Person, issuer: str, setting: str, days_ago: int, **said: str) -> None:
        issued = today - dt.timedelta(days=days_ago)
        opinions.append(E(person=person, kind=E.Kind.OPINION, issued_on=issued, issuer=issuer,
                          care_setting=setting, next_due_on=add_months(issued, 6),
                          recorded_by=person.household.caseworker if person.household else None,
                          **said))

    for stay in stays.values():
        p = stay.person
        long_term = stay.psychiatric and (today - stay.admitted_on).days > 180
        # About a third of the long-term ones (the first always) are ready with support.
        ready = long_term and (rng.random() < 0.35 or not any(
            o.discharge == E.Discharge.IF_SUPPORTED for o in opinions))
        opinion(p, f"{stay.hospital_name} 主治医", E.CareSetting.INPATIENT, rng.randint(20, 176),
                hospitalisation=E.Hospitalisation.REQUIRED,
                discharge=(E.Discharge.IF_SUPPORTED if ready else E.Discharge.NOT_YET))
        if rng.random() < 0.4:
            others.append(E(person=p, kind=E.Kind.RECEIPT, issuer=stay.hospital_name,
                            issued_on=today - dt.timedelta(days=rng.randint(10, 60)),
                            finding=rng.choice(["投薬・精神療法のみ", "処置なし・服薬管理",
                                                "作業療法を継続"])))
    seen: set[int] = set()
    for ill in outpatients:
        p = ill.person
        if p.pk in seen or rng.random() > 0.25:
            continue
        seen.add(p.pk)
        working_age = p.age_on(today) < 65
        work = rng.choice([E.Work.POSSIBLE, E.Work.LIMITED, E.Work.LIMITED, E.Work.NOT_POSSIBLE])
        said: dict[str, str] = {"hospitalisation": E.Hospitalisation.NOT_REQUIRED}
        if working_age:
            said["work"] = work
            if work == E.Work.LIMITED:
                said["work_limits"] = rng.choice(["軽作業のみ", "1日4時間まで", "重量物の運搬は不可"])
        # One in five falls due within the coming fortnight (the home's list has lines).
        days_ago = rng.randint(172, 186) if rng.random() < 0.2 else rng.randint(10, 170)
        opinion(p, f"{ill.medical_institution or '診療所'} 主治医", E.CareSetting.OUTPATIENT,
                days_ago, **said)
        if working_age and rng.random() < 0.3:
            others.append(E(person=p, kind=E.Kind.TREATMENT_REPORT, issuer=ill.medical_institution,
                            issued_on=today - dt.timedelta(days=rng.randint(5, 90)),
                            finding="月2回通院、服薬継続", work=work))
    opinions = MedicalEvidence.objects.bulk_create(opinions, batch_size=1000)
    for o in opinions:
        if o.discharge == E.Discharge.IF_SUPPORTED:
            others.append(E(person=o.person, kind=E.Kind.CONSULTATION, based_on=o,
                            issued_on=min(today, o.issued_on + dt.timedelta(days=14)),
                            issuer="嘱託医（精神科）", question="退院の可能性と支援対象者としての可否",
                            discharge=E.Discharge.POSSIBLE,
                            finding="住居と通院先が確保できれば退院可能", recorded_by=o.recorded_by))
    MedicalEvidence.objects.bulk_create(others, batch_size=1000)
    ctx.log(f"  医学的な根拠 {len(opinions) + len(others)}（医療要否意見書 {len(opinions)}）")
