"""The derived task list (新規・未検討, follow-ups, the yearly cycle) and registering people
not on assistance."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from jiritsu.activities import selectors, services
from jiritsu.api.common import (
    Day,
    Extended,
    Id,
    InputSchema,
    acting,
    person_ref,
    ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.activities.common import Note, staff
from jiritsu.api.routers.lifecycle.common import EnrollmentOut
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_of
from jiritsu.people.models import Person
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.models import Program

router = Router()


# ---------------------------------------------------------------- the task list

class TaskFilter(Schema):
    everyone: bool = Field(False, description="ケースワーカーも全員分を表示（既定は自分の担当分）")
    fiscal_year: int | None = Field(None, ge=1990, le=2100, description="年間サイクルの年度")


class TaskPersonOut(Schema):
    id: int
    name: str
    kana: str
    case_number: str | None
    assistance_started_on: dt.date | None
    caseworker_id: int | None

    # Read from the person; the case fields from the household.
    @staticmethod
    def resolve_case_number(obj: Person) -> str | None:
        return obj.household.case_number if obj.household else None

    @staticmethod
    def resolve_assistance_started_on(obj: Person) -> dt.date | None:
        return obj.household.assistance_started_on if obj.household else None

    @staticmethod
    def resolve_caseworker_id(obj: Person) -> int | None:
        return obj.household.caseworker_id if obj.household else None


class NewCasesOut(Schema):
    program_id: int
    program_name: str
    people: list[TaskPersonOut]

    # Read from a ``(program, people)`` pair of ``TaskOverview.new_cases``.
    @staticmethod
    def resolve_program_id(obj: tuple[Program, list[Person]]) -> int:
        return obj[0].pk

    @staticmethod
    def resolve_program_name(obj: tuple[Program, list[Person]]) -> str:
        return obj[0].name

    @staticmethod
    def resolve_people(obj: tuple[Program, list[Person]]) -> list[Person]:
        return list(obj[1])


class FollowUpOut(Schema):
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    discharged_on: dt.date
    due_on: dt.date
    done_on: dt.date | None = Field(..., description="確認が終わった日（生活が安定と確認した日、または主治医と協議した日）")
    overdue: bool
    checked_on: dt.date | None = Field(..., description="生活状況を確認した家庭訪問・来所面接の日")
    settled: bool | None = Field(..., description="生活は安定していたか（未確認は null）")
    consulted_on: dt.date | None = Field(..., description="不安定のとき、退院前の主治医と協議した日")
    hospital_name: str = Field(..., description="退院した医療機関（協議する主治医の所属）")
    state: str = Field(..., description="open / overdue / consult / consulted / settled")
    state_label: str
    step_label: str = Field(..., description="次にすること")

    # Read from a ``selectors.FollowUp``.
    @staticmethod
    def resolve_enrollment_id(obj: Any) -> int:
        return int(obj.enrollment.pk)

    @staticmethod
    def resolve_person_id(obj: Any) -> int:
        return int(obj.enrollment.person_id)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.enrollment.person.name)

    @staticmethod
    def resolve_program_id(obj: Any) -> int:
        return int(obj.enrollment.program_id)


class CycleTaskOut(Schema):
    code: str
    title: str
    opens_on: dt.date
    due_on: dt.date | None = Field(..., description="期限（病状調査等の期限を事務所が決めていなければ null）")
    done: int
    total: int
    state: str = Field(..., description="upcoming / open / due_soon / overdue / done / late（台帳が期限後に作成）/ no_due（期限未設定）")
    state_label: str
    done_on: dt.date | None = Field(None, description="台帳を作成した日")


class CyclePendingOut(Schema):
    person_id: int
    person_name: str
    missing: list[str]

    # Read from a ``{"person", "missing"}`` row of a cycle's ``pending``.
    @staticmethod
    def resolve_person_id(obj: dict[str, Any]) -> int:
        return int(obj["person"].pk)

    @staticmethod
    def resolve_person_name(obj: dict[str, Any]) -> str:
        return str(obj["person"].name)


class CycleOut(Schema):
    program_id: int
    program_name: str
    fiscal_year: int
    ledger_id: int | None
    survey_period_set: bool = Field(..., description="事務所が病状調査等の期限（原文「11月31日」）を決めているか")
    tasks: list[CycleTaskOut]
    pending: list[CyclePendingOut]

    # Read from a ``(program, cycle)`` pair of ``TaskOverview.cycles``.
    @staticmethod
    def resolve_program_id(obj: tuple[Program, dict[str, Any]]) -> int:
        return obj[0].pk

    @staticmethod
    def resolve_program_name(obj: tuple[Program, dict[str, Any]]) -> str:
        return obj[0].name

    @staticmethod
    def resolve_fiscal_year(obj: tuple[Program, dict[str, Any]]) -> int:
        return int(obj[1]["fiscal_year"])

    @staticmethod
    def resolve_ledger_id(obj: tuple[Program, dict[str, Any]]) -> int | None:
        ledger = obj[1]["ledger"]
        return ledger.pk if ledger else None

    @staticmethod
    def resolve_survey_period_set(obj: tuple[Program, dict[str, Any]]) -> bool:
        return bool(obj[1]["survey_period_set"])

    @staticmethod
    def resolve_tasks(obj: tuple[Program, dict[str, Any]]) -> list[Any]:
        return list(obj[1]["tasks"])

    @staticmethod
    def resolve_pending(obj: tuple[Program, dict[str, Any]]) -> list[dict[str, Any]]:
        return list(obj[1]["pending"])


class CompanionPromptOut(Schema):
    person_id: int
    person_name: str
    program_id: int = Field(..., description="退院したプログラム")
    discharged_on: dt.date
    destination_label: str
    companion_program_ids: list[int] = Field(..., description="移行を検討するプログラム（未検討のもの）")
    companion_program_names: list[str]

    # Read from a ``selectors.CompanionPrompt``.
    @staticmethod
    def resolve_person_id(obj: Any) -> int:
        return int(obj.outcome.enrollment.person_id)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.outcome.enrollment.person.name)

    @staticmethod
    def resolve_program_id(obj: Any) -> int:
        return int(obj.outcome.enrollment.program_id)

    @staticmethod
    def resolve_discharged_on(obj: Any) -> dt.date:
        day: dt.date = obj.outcome.occurred_on
        return day

    @staticmethod
    def resolve_destination_label(obj: Any) -> str:
        return str(obj.outcome.get_destination_display())

    @staticmethod
    def resolve_companion_program_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.companions]

    @staticmethod
    def resolve_companion_program_names(obj: Any) -> list[str]:
        return [p.name for p in obj.companions]


class TasksOut(Schema):
    mine: bool
    fiscal_year: int
    today: dt.date
    new_cases: list[NewCasesOut]
    follow_ups: list[FollowUpOut] = Field(
        ..., description=f"退院後の確認（未確認を先に、確認の目途の順）。最大{selectors.TASK_LIST_LIMIT}件")
    follow_ups_total: int = Field(..., description=f"退院後の確認の総数（follow_ups は先頭{selectors.TASK_LIST_LIMIT}件まで）")
    cycles: list[CycleOut]
    companions: list[CompanionPromptOut] = Field(
        ..., description="退院して居宅生活に移った方の、関連プログラム（在宅生活支援・就労支援）への移行の検討")


class ConsideredIn(InputSchema):
    program_id: Id
    person_id: Id
    on: Day
    note: str = Field(..., min_length=1, max_length=300, description="検討の結果（見送る理由）")
    reason: Literal["new_case", "after_discharge"] = Field(
        "new_case", description="new_case: 新規開始ケース / after_discharge: 退院して居宅生活に移った方の移行の検討")


class CycleRecordIn(InputSchema):
    program_id: Id
    person_id: Id
    task: Literal["condition_survey", "doctor_consultation", "individual_sheet"] = Field(
        ..., description="病状調査 / 嘱託医協議 / 個人票の作成")
    on: Day
    text: str = Field(..., min_length=1, max_length=300)


class TaskRecordOut(Schema):
    record_id: int
    person_id: int
    program_id: int
    occurred_at: dt.datetime
    text: str

    # Read from the progress record (``program_id`` added by the operation).
    @staticmethod
    def resolve_record_id(obj: Any) -> int:
        return int(obj.pk)


@router.get("/tasks", response=responses(TasksOut),
            summary="支援活動のタスク（新規開始ケースの検討、退院後の確認、年間サイクル、退院後の移行の検討）")
def task_overview(request: ApiRequest, filters: Query[TaskFilter]) -> Extended:
    m = staff(request, "program.view")
    today = clock.today()
    fy = filters.fiscal_year or fiscal_year_of(today)
    o = selectors.task_overview(m.office, role=m.role, user=m.user, today=today, fiscal_year=fy,
                                everyone=filters.everyone)
    return Extended(o, today=today)


def _task_record(rec: Any, program: Program) -> Extended:
    return Extended(rec, program_id=program.pk)


@router.post("/tasks/new-case-considered", response=responses(TaskRecordOut, 201),
             summary="新規開始ケース・退院後の移行についてプログラム利用を検討した（今回は見送り）ことの記録")
def new_case_considered(request: ApiRequest, payload: ConsideredIn) -> tuple[int, Extended]:
    m = staff(request, "enrollment.manage")
    program = ref(visible_programs(m), payload.program_id, "program_id")
    person = person_ref(m, payload.person_id)
    rec = services.new_case_mark_considered(actor=m, program=program, person=person,
                                            on=payload.on, note=payload.note,
                                            reason=payload.reason)
    return 201, _task_record(rec, program)


@router.post("/tasks/cycle-records", response=responses(TaskRecordOut, 201),
             summary="年間サイクルの作業（病状調査・嘱託医協議・個人票）の記録")
def cycle_record(request: ApiRequest, payload: CycleRecordIn) -> tuple[int, Extended]:
    m = staff(request, "record.write")
    program = ref(visible_programs(m), payload.program_id, "program_id")
    person = person_ref(m, payload.person_id)
    rec = services.cycle_task_record(actor=m, program=program, person=person, task=payload.task,
                                     on=payload.on, text=payload.text)
    return 201, _task_record(rec, program)


# ---------------------------------------------------------------- people not on assistance

class NonRecipientIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    kana: str = Field(..., min_length=1, max_length=100)
    birth_date: Day
    sex: Person.Sex
    school_name: str = Field("", max_length=100)
    school_grade: Person.SchoolGrade | None = None
    single_parent: bool = Field(False, description="一人親世帯（選定条件 single_parent_household が使う）")
    phone: str = Field("", max_length=30)
    note: str = Note
    registered_on: Day = Field(..., description="登録日（候補になった日）")


@router.post("/programs/{program_id}/non-recipients",
             response=responses(EnrollmentOut, 201),
             summary="被保護者以外の参加者を登録し、候補として参加させる（大津型）")
def non_recipient_register(request: ApiRequest, program_id: Id,
                           payload: NonRecipientIn) -> tuple[int, Enrollment]:
    m = acting(request, "person.edit")
    program = get_program_for_user(m, program_id)
    data = payload.dict(exclude={"registered_on"})
    data["school_grade"] = data["school_grade"] or ""
    enrollment = services.person_register_and_enrol(actor=m, program=program, data=data,
                                                    on=payload.registered_on)
    return 201, enrollment
