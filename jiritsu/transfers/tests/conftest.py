"""The transfer world: office A hands 髙橋 𠮷子 over to office B (the shared ``world``'s two
offices), with an active episode, a record by the office, one by a partner, and a disability."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jiritsu import testing as t
from jiritsu.cases import services as cases
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.testing import make_consent, refer
from jiritsu.core import clock
from jiritsu.offices.models import User
from jiritsu.people.models import Disability
from jiritsu.programs.models import Program
from jiritsu.programs.testing import make_program
from jiritsu.transfers import personfile


@dataclass
class TransferWorld:
    w: Any
    program_a: Program
    program_b: Program
    episode: Enrollment
    supervisor_b: User
    third_cw: User

    def __getattr__(self, name: str) -> Any:
        return getattr(self.w, name)


@pytest.fixture
def tw(world: Any) -> TransferWorld:
    cw = world.m(world.caseworker)
    program_a = make_program(world.office, code="EMP", name="就労支援プログラム",
                             consent_required=False, phases=["準備"])
    program_b = make_program(world.other_office, code="EMP", name="Ｂ市就労支援",
                             consent_required=False)
    episode = cases.enrollment_create(actor=cw, person=world.person, program=program_a,
                                      on=dt.date(2025, 4, 1))
    cases.enrollment_start(actor=cw, enrollment=episode, on=dt.date(2025, 5, 1))
    ActivityRecord.objects.create(office=world.office, person=world.person, enrollment=episode,
                                  author=world.caseworker, occurred_at=clock.now(),
                                  kind="home_visit", text="家庭訪問：求職活動の状況を確認")
    partner_program = make_program(world.office, consent_required=False)
    refer(world.person, world.partner_org, partner_program)
    make_consent(world.person, None, partners=[world.partner_org],
                 categories=["basic", "records"], recorded_by=world.caseworker)
    ActivityRecord.objects.create(office=world.office, person=world.person, author=world.partner,
                                  author_partner=world.partner_org, occurred_at=clock.now(),
                                  kind="agency_contact", text="ハローワークの相談メモ")
    Disability.objects.create(person=world.person, kind="mental", grade="2級")
    supervisor_b = t.make_user(world.other_office, "supervisor", username="sv_b",
                               display_name="小林 監督")
    third = t.make_office("C001", name="Ｃ市福祉事務所")
    third_cw = t.make_user(third, "caseworker", username="cw_c")
    return TransferWorld(world, program_a, program_b, episode, supervisor_b, third_cw)


@pytest.fixture
def keys(tmp_path: Path, settings) -> Path:
    """This installation's key; another installation's key in the trusted folder."""
    personfile.generate_keys(tmp_path / "own")
    personfile.generate_keys(tmp_path / "other")
    (tmp_path / "trusted").mkdir()
    (tmp_path / "trusted" / "other.pem").write_bytes((tmp_path / "other" / "public.pem").read_bytes())
    settings.JIRITSU_TRANSFER_SIGNING_KEY = str(tmp_path / "own" / "private.pem")
    settings.JIRITSU_TRANSFER_TRUSTED_KEYS = str(tmp_path / "trusted")
    settings.JIRITSU_INSTALLATION_NAME = "Ａ県共同利用"
    return tmp_path
