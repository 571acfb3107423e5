"""The three printed documents: A4 PDFs with the office, the number, 和暦 dates; audited."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.core.wareki import format_wareki
from jiritsu.guidance import services as s
from jiritsu.guidance.tests.helpers import Walker

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True)
    return out.stdout


def render_png(data: bytes, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / name)], check=True)
    pngs = sorted(tmp_path.glob(f"{name}*.png"))
    assert pngs, "pdftoppm produced no page image"
    return pngs[0]


@pytest.fixture
def decided(world):
    walk = Walker(world, required=2)
    draft = walk.to_draft("suspend")
    decision = s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True)
    return walk, decision


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_three_documents_render_with_office_number_and_wareki_dates(world, decided, tmp_path):
    walk, decision = decided
    steps = list(walk.case.steps.order_by("occurred_on", "id"))
    instruction = next(st for st in steps if st.kind == "written_instruction")
    notice = next(st for st in steps if st.kind == "notice")
    expectations = [
        (instruction, "指導指示書", format_wareki(instruction.occurred_on),
         ["生活保護法第27条第1項", "履行期限", format_wareki(instruction.deadline)]),
        (notice, "弁明の機会の付与について", format_wareki(notice.occurred_on),
         ["第62条第3項", "弁明の日時", "弁明の場所", "相談室1"]),
        (decision, "保護停止決定通知書", format_wareki(decision.approved_on),
         ["審査請求", "愛知県知事", "3か月以内", "行政事件訴訟法", "適用した処分基準"]),
    ]
    for step, title, date, phrases in expectations:
        filename, data = s.guidance_document_export(actor=walk.cw, step=step)
        assert data.startswith(b"%PDF") and len(data) > 5000
        assert title in filename
        text = pdf_text(data, tmp_path, step.kind)
        flat = "".join(text.split())
        assert title.replace(" ", "") in flat
        assert "Ａ市福祉事務所" in flat
        assert step.document_number in flat
        assert date in flat and date.startswith("令和")
        assert world.person.name.replace(" ", "") in flat  # 髙橋 𠮷子, outside cp932
        for phrase in phrases:
            assert phrase.replace(" ", "") in flat, (title, phrase)
        png = render_png(data, tmp_path, step.kind)
        assert png.stat().st_size > 10000
        assert AuditEvent.objects.filter(action="guidance.document_export", kind="export",
                                         target_id=str(step.pk),
                                         person_id=world.person.pk).exists()


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdf_is_a4_and_embeds_a_subset_japanese_font(decided, tmp_path):
    walk, decision = decided
    _, data = s.guidance_document_export(actor=walk.cw, step=decision)
    path = tmp_path / "decision.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    cjk = [line for line in fonts.stdout.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    assert all("+" in line.split()[0] for line in cjk)  # subset prefix ABCDEF+
    assert len(data) < 1_000_000
