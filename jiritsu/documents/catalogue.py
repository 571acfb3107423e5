"""The forms of the seed (帳票), each printed from the record it describes.

Each :class:`~jiritsu.documents.printing.FormSpec` names where the seed describes the form
(docs/forms.md lists them with their sources and fonts) and gathers its context, naming each
required field the record lacks (``need``) so that nothing prints with blanks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jiritsu.activities.models import HelloWorkReferral
from jiritsu.cases.models import (
    STAFF_PRESENT_ORDER,
    ActivityRecord,
    Conference,
    Consent,
    DataCategory,
    Enrollment,
)
from jiritsu.core import wareki
from jiritsu.documents.printing import FormSpec, Need
from jiritsu.offices.models import Office
from jiritsu.people.models import Person
from jiritsu.programs.models import ScreeningLedger
from jiritsu.reports import exports
from jiritsu.reports.figures import office_report
from jiritsu.reports.periods import Period


@dataclass(frozen=True)
class YearTable:
    """What the 竹原 yearly table is printed from: an office and a fiscal year."""

    office: Office
    fiscal_year: int
    pk: int = 0

    def __str__(self) -> str:
        return f"{wareki.format_fiscal_year(self.fiscal_year)}の策定状況"


def person_block(person: Person, need: Need, *, address: bool = True) -> dict[str, Any]:
    household = person.household
    if address:
        need(household.address if household else "", "household.address", "住所")
    return {"person": person, "household": household,
            "caseworker": household.caseworker if household else None}


def _months(start: Any, end: Any) -> int:
    """Whole months from ``start`` to ``end`` (入院期間)."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _plan(enrollment: Enrollment) -> Any:
    return enrollment.plans.order_by("-number").first()


def _records(enrollment: Enrollment) -> list[ActivityRecord]:
    return list(enrollment.records.select_related("author", "author_partner")
                .order_by("occurred_at", "id"))


# ---------------------------------------------------------------- 清洲市

def kiyosu_plan(e: Enrollment, need: Need) -> dict[str, Any]:
    plan = need(_plan(e), "plan", "自立計画書の計画（支援計画）")
    ctx = {**person_block(e.person, need, address=False), "enrollment": e, "plan": plan}
    if plan is not None:
        need(plan.policy, "plan.policy", "福祉事務所の方針")
        need(plan.target_start_on, "plan.target_start_on", "就労開始の目標時期")
        ctx["goals"] = need(list(plan.goals.all()), "plan.goals", "目標")
        ctx["commitments"] = need(list(plan.commitments.all()), "plan.commitments",
                                  "目標達成のための具体策（求職活動の約束）")
    return ctx


def _referral_context(r: HelloWorkReferral, need: Need) -> dict[str, Any]:
    person = r.enrollment.person
    return {**person_block(person, need), "referral": r, "enrollment": r.enrollment,
            "consent": r.consent, "hello_work": r.hello_work,
            "work_history": list(person.work_history.all()),
            "qualifications": list(person.qualifications.all()),
            "illnesses": list(person.illnesses.filter(until__isnull=True)),
            "disabilities": list(person.disabilities.all()),
            "care_duties": list(person.care_duties.all())}


def kiyosu_form_a(r: HelloWorkReferral, need: Need) -> dict[str, Any]:
    return _referral_context(r, need)


def kiyosu_request(r: HelloWorkReferral, need: Need) -> dict[str, Any]:
    ctx = _referral_context(r, need)
    need(r.form_a_on, "form_a_on", "個人票Aの提出日")
    need(ctx["caseworker"], "household.caseworker", "担当ケースワーカー")
    return ctx


# ---------------------------------------------------------------- 和歌山県

def wakayama_plan_table(ledger: ScreeningLedger, need: Need) -> dict[str, Any]:
    entries = need(list(ledger.entries.select_related("person").order_by("id")), "entries",
                   "台帳の対象者")
    rows = []
    for entry in entries:
        stay = (entry.person.hospital_stays.filter(psychiatric=True, discharged_on__isnull=True)
                .order_by("admitted_on").first())
        rows.append({"entry": entry, "person": entry.person, "stay": stay,
                     "age": entry.person.age_on(ledger.as_of),
                     "months": (_months(stay.admitted_on, ledger.as_of)
                                if stay else None)})
    return {"ledger": ledger, "rows": rows, "people": [e.person for e in entries]}


def wakayama_record_table(e: Enrollment, need: Need) -> dict[str, Any]:
    stay = (e.person.hospital_stays.filter(psychiatric=True).order_by("-admitted_on").first())
    return {**person_block(e.person, need, address=False), "enrollment": e, "stay": stay,
            "centres": list(e.referred_partners.all()),
            "records": need(_records(e), "records", "経過記録")}


# ---------------------------------------------------------------- 竹原市

TAKEHARA_SUPPORTS = ("外泊訓練の支援", "住宅の確保に関する支援", "施設入所の支援",
                     "一時扶助の支給に関する支援", "その他の必要事項")


def takehara_individual(e: Enrollment, need: Need) -> dict[str, Any]:
    person = e.person
    stay = need(person.hospital_stays.filter(psychiatric=True).order_by("-admitted_on").first(),
                "hospital_stay", "精神科病院への入院（入院歴）")
    records = _records(e)
    done = {0} if any(r.kind == ActivityRecord.Kind.OVERNIGHT_TRIAL for r in records) else set()
    return {**person_block(person, need, address=False), "enrollment": e, "stay": stay,
            "illnesses": list(person.illnesses.filter(is_psychiatric=True)),
            "disabilities": list(person.disabilities.all()),
            "supports": [(i in done, label) for i, label in enumerate(TAKEHARA_SUPPORTS)],
            "records": records[-12:], "plan": _plan(e)}


def takehara_yearly(table: YearTable, need: Need) -> dict[str, Any]:
    report = office_report(table.office, Period.for_fiscal_year(table.fiscal_year))
    rows = need(exports.takehara_rows(report), "programs", "プログラム")
    return {"rows": rows, "headers": exports.TAKEHARA_HEADERS,
            "fiscal_year_label": wareki.format_fiscal_year(table.fiscal_year)}


# ---------------------------------------------------------------- 善通寺市

def zentsuji_progress(e: Enrollment, need: Need) -> dict[str, Any]:
    need(e.started_on, "started_on", "就労支援の開始日（第1回面接）")
    need(e.lead_staff, "lead_staff", "担当の就労支援員")
    return {**person_block(e.person, need, address=False), "enrollment": e,
            "records": need(_records(e), "records", "経過記録"),
            "reviews": list(e.reviews.select_related("reviewer").order_by("reviewed_on", "id"))}


# ---------------------------------------------------------------- every program

def consent_form(c: Consent, need: Need) -> dict[str, Any]:
    grants = need(list(c.grants.select_related("partner").order_by("partner__name")), "grants",
                  "情報提供先の関係機関")
    categories = list(DataCategory.choices)
    rows = [{"partner": g.partner, "marks": [key in g.categories for key, _ in categories]}
            for g in grants]
    return {**person_block(c.person, need), "consent": c, "program": c.program,
            "categories": categories, "rows": rows}


def support_plan(e: Enrollment, need: Need) -> dict[str, Any]:
    plan = need(_plan(e), "plan", "支援計画")
    ctx = {**person_block(e.person, need, address=False), "enrollment": e, "plan": plan,
           "menus": list(e.menus.all())}
    if plan is not None:
        need(plan.policy, "plan.policy", "支援方針")
        ctx["goals"] = need(list(plan.goals.all()), "plan.goals", "目標")
        ctx["commitments"] = list(plan.commitments.all())
    return ctx


def conference_minutes(c: Conference, need: Need) -> dict[str, Any]:
    attendees = need(list(c.attendees.select_related("partner").all()), "attendees", "出席者")
    decisions = list(c.decisions.select_related("person", "enrollment__program").all())
    results = list(c.results.select_related("enrollment__person").all())  # 結果検討会
    return {"conference": c, "attendees": attendees, "decisions": decisions, "results": results,
            "people": [*(d.person for d in decisions), *(r.enrollment.person for r in results)]}


def interview_record(r: ActivityRecord, need: Need) -> dict[str, Any]:
    need(r.text, "text", "内容")
    return {**person_block(r.person, need, address=False), "record": r,
            "staff": list(r.staff_present.order_by(*STAFF_PRESENT_ORDER)), "partners": list(r.partners_present.all())}


FORMS: dict[str, FormSpec] = {spec.key: spec for spec in (
    FormSpec("kiyosu-plan", "自立計画書", "清洲市 稼働能力活用推進プログラム「就労計画の協議 ○自立計画書の作成・提出」",
             "enrollment", "documents/print/kiyosu_plan.html", kiyosu_plan,
             api_path="/enrollments/{enrollment_id}/forms/self-reliance-plan"),
    FormSpec("kiyosu-form-a", "個人票A", "清洲市「生活保護受給者等就労支援事業の適用 ②個人票Aを提出させ」",
             "referral", "documents/print/kiyosu_form_a.html", kiyosu_form_a,
             api_path="/hello-work-referrals/{referral_id}/forms/individual-a"),
    FormSpec("kiyosu-request", "支援要請書", "清洲市「②…ハローワークに支援要請書を提出」",
             "referral", "documents/print/kiyosu_request.html", kiyosu_request, numbered=True,
             api_path="/hello-work-referrals/{referral_id}/forms/support-request"),
    FormSpec("wakayama-plan-table", "別紙1 計画表", "和歌山県 実施手順①「別紙1『計画表』の作成」",
             "ledger", "documents/print/wakayama_plan_table.html", wakayama_plan_table,
             api_path="/ledgers/{ledger_id}/forms/plan-table", landscape=True),
    FormSpec("wakayama-record-table", "別紙2 記録表", "和歌山県 実施手順④「別紙2『記録表』を作成し、事業の経過を記録する」",
             "enrollment", "documents/print/wakayama_record_table.html", wakayama_record_table,
             api_path="/enrollments/{enrollment_id}/forms/record-table", landscape=True),
    FormSpec("takehara-individual", "精神障害者退院支援プログラム個人票",
             "竹原市「支援対象者と判断された者については、精神障害者退院支援プログラム個人票を作成する」",
             "enrollment", "documents/print/takehara_individual.html", takehara_individual,
             api_path="/enrollments/{enrollment_id}/forms/discharge-individual"),
    FormSpec("takehara-yearly", "自立支援プログラムの策定状況", "竹原市「3 支援の効果」の表（プログラム名・策定年月・支援対象者数・達成者数）",
             "year", "documents/print/takehara_yearly.html", takehara_yearly,
             api_path="/forms/program-table"),
    FormSpec("zentsuji-progress", "就労支援プログラム経過記録", "善通寺市 4(1)イ「就労支援プログラム経過記録（以下『経過記録』）を随時担当CWに報告」",
             "enrollment", "documents/print/zentsuji_progress.html", zentsuji_progress,
             api_path="/enrollments/{enrollment_id}/forms/progress-record", landscape=True),
    FormSpec("consent", "同意書", "全プログラム（甲州市「本人の同意を得て」、清洲市「当該事業の説明をし同意を得る」、和歌山県③ ほか）",
             "consent", "documents/print/consent.html", consent_form,
             api_path="/consents/{consent_id}/forms/consent"),
    FormSpec("support-plan", "支援計画書", "全プログラム（出雲市「退院前・後の支援計画の作成」、五條市「今後の支援計画に反映」ほか）",
             "enrollment", "documents/print/support_plan.html", support_plan,
             api_path="/enrollments/{enrollment_id}/forms/support-plan"),
    FormSpec("conference-minutes", "検討会記録", "全プログラム（所内関係者検討会、就労支援検討会、関係機関会議、ネットワーク会議 ほか）",
             "conference", "documents/print/conference_minutes.html", conference_minutes,
             api_path="/conferences/{conference_id}/forms/minutes"),
    FormSpec("interview-record", "面接・訪問記録", "全プログラム（家庭訪問・面接・同行の記録。福井県「CWの家庭訪問時に保健師または栄養士が同行」ほか）",
             "record", "documents/print/interview_record.html", interview_record,
             api_path="/records/{record_id}/forms/interview"),
)}

# The program template (activities.catalog) a seed-specific form belongs to; forms without
# an entry print for every program.
FORM_TEMPLATES: dict[str, tuple[str, ...]] = {
    "kiyosu-plan": ("kiyosu_work_capacity",),
    "kiyosu-form-a": ("kiyosu_work_capacity",),
    "kiyosu-request": ("kiyosu_work_capacity",),
    "wakayama-plan-table": ("wakayama_discharge",),
    "wakayama-record-table": ("wakayama_discharge",),
    "takehara-individual": ("takehara_discharge",),
    "zentsuji-progress": ("zentsuji_employment",),
}


def enrollment_forms(enrollment: Enrollment) -> list[FormSpec]:
    """The forms printed from an episode: the seed's own for its program, and the common ones."""
    code = enrollment.program.template_code
    return [s for s in FORMS.values() if s.target == "enrollment"
            and (s.key not in FORM_TEMPLATES or code in FORM_TEMPLATES[s.key])]
