"""Walk a guidance case through services, one lawful step at a time, with past dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu.core import clock
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep

K = GuidanceStep.Kind


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=clock.JAPAN)


class Walker:
    """Drives one case of ``world.person`` from day -200 onwards (the 清洲 path)."""

    def __init__(self, world: Any, *, required: int = 2, min_days: int = 7) -> None:
        self.w = world
        self.cw = world.m(world.caseworker)
        self.sv = world.m(world.supervisor)
        self.mgr = world.m(world.manager)
        settings = s.settings_for(world.office)
        type(world.office).objects.filter(pk=world.office.pk).update(
            document_number_format="清福第{number}号")
        world.office.refresh_from_db()
        GuidanceSettings.objects.filter(pk=settings.pk).update(
            required_written_instructions=required, min_notice_days=min_days,
            appeal_authority="愛知県知事",
            office_head_title="Ａ市福祉事務所長")
        self.day = 200
        self.case: GuidanceCase = s.guidance_case_open(
            actor=self.cw, person=world.person, opened_on=self.next(0),
            ground_category="work_capacity", ground="稼働能力があるにもかかわらず求職活動を行っていない。")

    def next(self, gap: int = 1) -> dt.date:
        self.day -= gap
        return days_ago(self.day)

    def oral(self) -> GuidanceStep:
        return s.guidance_oral_instruction_record(
            actor=self.cw, case=self.case, occurred_on=self.next(),
            content="ハローワークで求職登録を行い、月2回求職活動状況報告書を提出すること。",
            supervisor_present=self.w.supervisor)

    def conference(self, subject: str = "instruction", outcome: str = "proceed") -> GuidanceStep:
        return s.guidance_conference_record(
            actor=self.sv, case=self.case, held_on=self.next(), subject=subject,
            outcome=outcome, minutes="稼働能力の活用状況を協議した。", place="第1会議室",
            attendees=[self.w.caseworker, self.w.supervisor, self.w.manager])

    def written(self, deadline_in: int = 14) -> GuidanceStep:
        issued = self.next()
        return s.guidance_written_instruction_issue(
            actor=self.cw, case=self.case, occurred_on=issued,
            content="令和8年X月までにハローワークへ求職登録し、求職活動状況報告書を提出すること。",
            reason="稼働能力があり、就労阻害要因がないにもかかわらず、口頭指導後も求職活動を行っていないため。",
            deadline=issued + dt.timedelta(days=deadline_in))

    def deliver(self, step: GuidanceStep, gap: int = 1) -> GuidanceStep:
        return s.guidance_delivery_record(actor=self.cw, step=step, delivered_on=self.next(gap),
                                          method="hand")

    def noncompliance(self, written: GuidanceStep) -> GuidanceStep:
        assert written.deadline is not None
        self.day = (clock.today() - written.deadline).days - 1
        return s.guidance_noncompliance_record(
            actor=self.cw, case=self.case, occurred_on=days_ago(self.day),
            note="履行期限までに求職登録も報告書の提出もなかった。")

    def instruction_round(self) -> GuidanceStep:
        self.conference("instruction")
        w = self.written()
        self.deliver(w)
        self.noncompliance(w)
        return w

    def notice(self, hearing_in: int = 14) -> GuidanceStep:
        issued = self.next()
        return s.guidance_notice_issue(
            actor=self.cw, case=self.case, occurred_on=issued,
            reason="2回の文書指示に従わず、求職活動を行わないため。",
            hearing_at=at(issued + dt.timedelta(days=hearing_in)),
            hearing_place="Ａ市役所 福祉事務所 相談室1", content="保護の停止")

    def hearing(self, notice: GuidanceStep, outcome: str = "held") -> GuidanceStep:
        assert notice.hearing_at is not None
        self.day = (clock.today() - clock.japan_date(notice.hearing_at)).days
        return s.guidance_hearing_record(actor=self.cw, case=self.case,
                                         occurred_on=days_ago(self.day), outcome=outcome,
                                         content="本人から、体調は良いが働く気になれないとの弁明があった。")

    def draft(self, kind: str = "suspend") -> GuidanceStep:
        on = self.next()
        return s.guidance_decision_draft(
            actor=self.sv, case=self.case, occurred_on=on, decision_kind=kind,
            effective_on=clock.today() + dt.timedelta(days=7),
            reason="正当な理由なく2回の文書指示に従わず、弁明においても正当な理由が認められなかった。",
            content="保護費を月額5,000円減額する。" if kind == "change" else "")

    def to_hearing(self, outcome: str = "held") -> GuidanceStep:
        self.oral()
        for _ in range(self.required_rounds()):
            self.instruction_round()
        notice = self.notice()
        self.deliver(notice)
        return self.hearing(notice, outcome)

    def required_rounds(self) -> int:
        return s.settings_for(self.w.office).required_written_instructions

    def to_draft(self, kind: str = "suspend") -> GuidanceStep:
        self.to_hearing()
        self.conference("sanction")
        return self.draft(kind)
