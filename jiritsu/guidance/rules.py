"""What may happen next on a guidance case, and what is missing for a 法62条 decision.

Pure functions over a case's steps (no queries), so the case page, the supervisor
list and the services ask exactly the same questions. Each refusal is a
:class:`Blocker` with a stable code; docs/legal.md maps every code to its article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from jiritsu.core import clock
from jiritsu.core.wareki import format_wareki
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep

K = GuidanceStep.Kind
SUBJ = GuidanceStep.ConferenceSubject
OUT = GuidanceStep.ConferenceOutcome
HO = GuidanceStep.HearingOutcome
AP = GuidanceStep.Approval


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class NextStep:
    action: str  # the form/service: oral_instruction, conference, written_instruction, ...
    label: str
    due_on: dt.date | None = None
    step_id: int | None = None  # for delivery/approval: the step it applies to
    subject: str = ""  # for conferences: instruction / sanction


class Track:
    """A case's steps read as a procedure. ``steps`` must be in (occurred_on, id) order."""

    def __init__(self, case: GuidanceCase, steps: Sequence[GuidanceStep],
                 settings: GuidanceSettings) -> None:
        self.case = case
        self.steps = list(steps)
        self.settings = settings

    # --- reading the steps -------------------------------------------------------------
    def of(self, *kinds: str) -> list[GuidanceStep]:
        return [s for s in self.steps if s.kind in kinds]

    def after(self, step: GuidanceStep | None, *kinds: str) -> list[GuidanceStep]:
        """Steps of ``kinds`` recorded after ``step`` (all of them when ``step`` is None)."""
        start = 0 if step is None else self.steps.index(step) + 1
        return [s for s in self.steps[start:] if s.kind in kinds]

    @property
    def latest_date(self) -> dt.date:
        dates = [s.latest_date for s in self.steps]
        return max([self.case.opened_on, *dates])

    @property
    def latest_step(self) -> GuidanceStep | None:
        return max(self.steps, key=lambda s: (s.latest_date, s.pk or 0), default=None)

    @property
    def written(self) -> list[GuidanceStep]:
        return self.of(K.WRITTEN_INSTRUCTION)

    def followup(self, written: GuidanceStep) -> GuidanceStep | None:
        """The noncompliance (or compliance) recorded for a written instruction."""
        for s in self.after(written, K.NONCOMPLIANCE, K.COMPLIANCE):
            if s.kind == K.COMPLIANCE or s.instruction_id == written.pk:
                return s
        return None

    @property
    def pending_written(self) -> GuidanceStep | None:
        """The latest written instruction whose deadline has not yet been checked."""
        if self.written and self.followup(self.written[-1]) is None:
            return self.written[-1]
        return None

    def overdue_noncompliant(self) -> list[GuidanceStep]:
        """Written instructions, delivered, whose deadline passed without compliance."""
        out = []
        for w in self.written:
            f = self.followup(w)
            if (f is not None and f.kind == K.NONCOMPLIANCE and w.delivered_on is not None
                    and w.deadline is not None and f.occurred_on > w.deadline):
                out.append(w)
        return out

    def conferences(self, subject: str, after: GuidanceStep | None = None) -> list[GuidanceStep]:
        return [s for s in self.after(after, K.CONFERENCE) if s.conference_subject == subject]

    def instruction_conference_for(self, written: GuidanceStep) -> GuidanceStep | None:
        """The case conference that decided to give this written instruction."""
        idx = self.written.index(written)
        previous = self.written[idx - 1] if idx > 0 else None
        for c in self.conferences(SUBJ.INSTRUCTION, previous):
            if c.conference_outcome == OUT.PROCEED and self.steps.index(c) < self.steps.index(written):
                return c
        return None

    def open_instruction_conference(self) -> GuidanceStep | None:
        """A 'proceed' instruction conference not yet followed by a written instruction."""
        last = self.written[-1] if self.written else None
        found = self.conferences(SUBJ.INSTRUCTION, last)
        if found and found[-1].conference_outcome == OUT.PROCEED:
            return found[-1]
        return None

    @property
    def latest_notice(self) -> GuidanceStep | None:
        notices = self.of(K.NOTICE)
        return notices[-1] if notices else None

    @property
    def hearing(self) -> GuidanceStep | None:
        notice = self.latest_notice
        if notice is None:
            return None
        hearings = self.after(notice, K.HEARING)
        return hearings[0] if hearings else None

    @property
    def sanction_conference(self) -> GuidanceStep | None:
        hearing = self.hearing
        if hearing is None:
            return None
        found = self.conferences(SUBJ.SANCTION, hearing)
        return found[-1] if found else None

    @property
    def pending_decision(self) -> GuidanceStep | None:
        for s in self.of(K.DECISION):
            if s.approval == AP.PENDING:
                return s
        return None

    # --- guards ------------------------------------------------------------------------
    def common_blockers(self) -> list[Blocker]:
        if not self.case.is_open:
            return [Blocker("guidance.case_closed",
                            "この指導指示は終結しています。新しい手続は記録できません。")]
        if self.pending_decision is not None:
            return [Blocker("guidance.decision_pending",
                            "法62条の決定案が決裁待ちです。決裁（または差戻し）の後に記録してください。")]
        return []

    def blockers_for(self, action: str, *, subject: str = "") -> list[Blocker]:
        """Structural refusals for ``action`` (dates are checked by the service)."""
        if action == "compliance":
            return [] if self.case.is_open else self.common_blockers()
        out = self.common_blockers()
        if out:
            return out
        notice_started = self.latest_notice is not None
        if action == "oral_instruction":
            if self.written:
                out.append(Blocker("guidance.oral_after_written",
                                   "文書による指導指示の後に口頭指導を記録することはできません。"))
        elif action == "conference" and subject == SUBJ.INSTRUCTION:
            if not self.of(K.ORAL_INSTRUCTION):
                out.append(Blocker("guidance.oral_missing",
                                   "先に法27条による口頭指導（査察指導員同席）を記録してください。"))
            if self.pending_written is not None:
                out.append(self._pending_blocker())
            if self.open_instruction_conference() is not None:
                out.append(Blocker("guidance.conference_already_held",
                                   "文書指示を行う旨のケース診断会議の決定が既にあります。文書指示書を作成してください。"))
            if notice_started:
                out.append(Blocker("guidance.notice_started",
                                   "弁明の機会の付与通知の後は、文書指示の協議は行えません。"))
        elif action == "written_instruction":
            if self.pending_written is not None:
                out.append(self._pending_blocker())
            elif self.open_instruction_conference() is None:
                out.append(Blocker("guidance.conference_missing",
                                   "文書指示の前に、ケース診断会議で文書指示を行うことを決定してください。"))
            if notice_started:
                out.append(Blocker("guidance.notice_started",
                                   "弁明の機会の付与通知の後は、文書指示は行えません。"))
        elif action == "noncompliance":
            pending = self.pending_written
            if pending is None:
                out.append(Blocker("guidance.no_pending_instruction",
                                   "履行を確認する文書指示がありません。"))
            elif pending.delivered_on is None:
                out.append(Blocker("guidance.not_delivered",
                                   f"文書指示書（{pending.document_number}）の交付が記録されていません。"))
        elif action == "notice":
            out.extend(self._instruction_blockers())
            if self.hearing is not None:
                out.append(Blocker("guidance.hearing_done", "弁明の聴取は既に記録されています。"))
        elif action == "hearing":
            notice = self.latest_notice
            if notice is None:
                out.append(Blocker("guidance.notice_missing",
                                   "弁明の機会の付与通知（書面）が記録されていません。"))
            elif notice.delivered_on is None:
                out.append(Blocker("guidance.notice_not_delivered",
                                   f"弁明通知（{notice.document_number}）の交付が記録されていません。"))
            elif self.hearing is not None:
                out.append(Blocker("guidance.hearing_done", "弁明の聴取は既に記録されています。"))
        elif action == "conference" and subject == SUBJ.SANCTION:
            hearing = self.hearing
            if hearing is None or hearing.hearing_outcome not in (HO.HELD, HO.ABSENT):
                out.append(self._hearing_blocker())
            elif self.sanction_conference is not None:
                out.append(Blocker("guidance.conference_already_held",
                                   "処分についてのケース診断会議は既に記録されています。"))
        elif action == "decision":
            out.extend(self.decision_blockers(kind=None))
        else:
            raise KeyError(action)
        return out

    def _pending_blocker(self) -> Blocker:
        pending = self.pending_written
        assert pending is not None
        return Blocker("guidance.instruction_pending",
                       f"文書指示（{pending.document_number}、履行期限"
                       f"{format_wareki(pending.deadline)}）の履行確認が済んでいません。")

    def _hearing_blocker(self) -> Blocker:
        return Blocker("guidance.hearing_missing",
                       "弁明の聴取（実施、または適正な通知の上での不出頭）が記録されていません。")

    def _instruction_blockers(self) -> list[Blocker]:
        out: list[Blocker] = []
        if not self.written:
            return [Blocker("guidance.no_written_instruction",
                            "文書による指導指示がありません。口頭指導だけでは法62条の処分はできません（施行規則19条）。")]
        if self.pending_written is not None:
            out.append(self._pending_blocker())
        overdue = self.overdue_noncompliant()
        if not overdue:
            out.append(Blocker("guidance.no_overdue_noncompliance",
                               "履行期限を過ぎても従わなかった文書指示がありません。"))
        required = self.settings.required_written_instructions
        if len(overdue) < required:
            out.append(Blocker("guidance.too_few_instructions",
                               f"この事務所では処分の前に{required}回の文書指示（期限経過・不履行）が必要です。"
                               f"現在{len(overdue)}回です。"))
        for w in self.written:
            if self.instruction_conference_for(w) is None:
                out.append(Blocker("guidance.instruction_conference_missing",
                                   f"文書指示（{w.document_number}）の前に、文書指示を決定したケース診断会議がありません。"))
                break
        return out

    def notice_blockers(self) -> list[Blocker]:
        notice = self.latest_notice
        if notice is None:
            return [Blocker("guidance.notice_missing",
                            "弁明の機会の付与通知（書面）が記録されていません（法62条4項）。")]
        out: list[Blocker] = []
        missing = [label for label, value in (("理由", notice.reason), ("日時", notice.hearing_at),
                                              ("場所", notice.hearing_place)) if not value]
        if missing:
            out.append(Blocker("guidance.notice_incomplete",
                               f"弁明通知に{'・'.join(missing)}が記載されていません（法62条4項）。"))
        if notice.delivered_on is None:
            out.append(Blocker("guidance.notice_not_delivered",
                               f"弁明通知（{notice.document_number}）の交付が記録されていません。"))
        elif notice.hearing_at is not None:
            hearing_day = hearing_date(notice)
            days = (hearing_day - notice.delivered_on).days
            if days < self.settings.min_notice_days:
                out.append(Blocker("guidance.notice_too_late", notice_gap_message(
                    "弁明通知の交付", notice.delivered_on, hearing_day,
                    self.settings.min_notice_days) + "弁明の日時を改めて通知してください。"))
        return out

    def decision_blockers(self, *, kind: str | None) -> list[Blocker]:
        """Everything a 法62条 decision needs except the manager's approval."""
        out = self._instruction_blockers()
        if out and out[0].code == "guidance.no_written_instruction":
            return out
        out.extend(self.notice_blockers())
        hearing = self.hearing
        notice = self.latest_notice
        if hearing is None or hearing.hearing_outcome not in (HO.HELD, HO.ABSENT):
            out.append(self._hearing_blocker())
        elif notice is not None and notice.hearing_at is not None and (
                hearing.occurred_on < hearing_date(notice)):
            out.append(Blocker("guidance.hearing_before_scheduled",
                               "弁明の聴取が通知した日時より前に記録されています。"))
        conf = self.sanction_conference
        if conf is None:
            out.append(Blocker("guidance.sanction_conference_missing",
                               "弁明の聴取の後に、処分についてケース診断会議で協議した記録がありません。"))
        elif conf.conference_outcome != OUT.PROCEED and kind not in (None, "none"):
            out.append(Blocker("guidance.conference_declined_sanction",
                               "ケース診断会議は処分を行わないと決定しています。", "decision_kind"))
        return out

    # --- what the screens offer ----------------------------------------------------------
    def next_steps(self) -> list[NextStep]:
        """The lawful next actions, in procedural order (compliance is always possible)."""
        if not self.case.is_open:
            return []
        pending_decision = self.pending_decision
        if pending_decision is not None:
            return [NextStep("approve", "法62条の決定の決裁", step_id=pending_decision.pk),
                    NextStep("compliance", "指示の履行を記録（終結）")]
        out: list[NextStep] = []
        for step in (self.pending_written, self.latest_notice):
            if step is not None and step.delivered_on is None:
                due = None
                if step.kind == K.NOTICE and step.hearing_at is not None:
                    due = hearing_date(step) - dt.timedelta(days=self.settings.min_notice_days)
                out.append(NextStep("delivery", f"{step.get_kind_display()}の交付を記録",
                                    due_on=due, step_id=step.pk))
        if not self.blockers_for("noncompliance"):
            pending = self.pending_written
            assert pending is not None and pending.deadline is not None
            out.append(NextStep("noncompliance", "履行期限経過後の不履行の確認",
                                due_on=pending.deadline + dt.timedelta(days=1), step_id=pending.pk))
        if not self.blockers_for("oral_instruction") and not self.of(K.ORAL_INSTRUCTION):
            out.append(NextStep("oral_instruction", "法27条による口頭指導（査察指導員同席）"))
        if not self.blockers_for("conference", subject=SUBJ.INSTRUCTION):
            out.append(NextStep("conference", "ケース診断会議（文書指示を行うかどうか）",
                                subject=SUBJ.INSTRUCTION))
        if not self.blockers_for("written_instruction"):
            out.append(NextStep("written_instruction", "文書による指導指示（指導指示書）"))
        if not self.blockers_for("notice") and self.latest_notice is None:
            out.append(NextStep("notice", "弁明の機会の付与通知（書面）"))
        if not self.blockers_for("hearing"):
            notice = self.latest_notice
            assert notice is not None
            out.append(NextStep("hearing", "弁明の聴取", due_on=hearing_date(notice)))
        if not self.blockers_for("conference", subject=SUBJ.SANCTION):
            out.append(NextStep("conference", "ケース診断会議（処分を行うかどうか）",
                                subject=SUBJ.SANCTION))
        if self.sanction_conference is not None and not self.blockers_for("decision"):
            out.append(NextStep("decision", "法62条の決定案（決裁に回す）"))
        if self.latest_notice is not None and not self.blockers_for("notice"):
            out.append(NextStep("notice", "弁明の機会の付与通知をやり直す（日時の再通知）"))
        out.append(NextStep("compliance", "指示の履行を記録（終結）"))
        return out

    def primary_next(self) -> NextStep | None:
        """The one step a supervisor's list shows: the first that moves the case forward."""
        for n in self.next_steps():
            if n.action != "compliance":
                return n
        return None


def notice_gap_message(what: str, day: dt.date, hearing_day: dt.date, min_days: int) -> str:
    """Why a notice (issued or delivered on ``day``) leaves too little time before the
    hearing — worded for a notice that came after the hearing or on its day as well."""
    days = (hearing_day - day).days
    if days < 0:
        return (f"{what}（{format_wareki(day)}）が弁明の日（{format_wareki(hearing_day)}）より後です。"
                "弁明の日より前に通知が届いていないため、弁明の機会を与えたことになりません"
                "（法62条4項「あらかじめ」）。")
    if days == 0:
        return (f"{what}（{format_wareki(day)}）が弁明の日の当日です。"
                f"この事務所の基準は弁明の日の{min_days}日以上前です。")
    return (f"{what}（{format_wareki(day)}）から弁明の日（{format_wareki(hearing_day)}）まで"
            f"{days}日しかありません。この事務所の基準は{min_days}日以上です。")


def hearing_date(notice: GuidanceStep) -> dt.date:

    assert notice.hearing_at is not None
    return clock.japan_date(notice.hearing_at)


# Words that name voluntary support (法27条の2, 55条の7): every 自立支援プログラム and the
# 被保護者就労支援事業. Declining them is never a breach, so no guidance may order them.
VOLUNTARY_TERMS = ("自立支援プログラム", "プログラムへの参加", "プログラムに参加", "プログラム参加",
                   "被保護者就労支援事業", "就労準備支援事業")


def voluntary_program_named(text: str, program_names: Sequence[str] = ()) -> str | None:
    """The voluntary program (or the generic term for one) that ``text`` names, if any.

    ``program_names`` are the office's 自立支援プログラム (all voluntary by law)."""
    for name in [*program_names, *VOLUNTARY_TERMS]:
        if name and name in text:
            return name
    return None


def voluntary_blocker(text: str, program_names: Sequence[str], field: str) -> Blocker | None:
    """Refuse an instruction (or a ground) that orders participation in voluntary support."""
    name = voluntary_program_named(text, program_names)
    if name is None:
        return None
    return Blocker(
        "guidance.voluntary_program",
        f"「{name}」は本人の希望と同意による任意の支援（法27条の2・55条の7の自立支援プログラム）です。"
        "参加を指導指示することはできず、参加しないことや辞退したことは法27条の指導指示・"
        "法62条の処分の理由になりません（法27条3項）。指導は求職活動・受診など本人の義務"
        "（法4条・60条・61条）について、具体的な事実に基づいて記載してください。",
        field)
