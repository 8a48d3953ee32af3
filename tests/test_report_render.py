"""The 督导报告 PDF: PDF/A-3u in Chinese, every font embedded, no glyph missing (the text
extracted by poppler is the text that went in), user text never read as markup, and the
clip manifest attached with the SHA-256 the report prints."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.manifest import ATTACHMENT_NAME, clip_manifest
from proctor.supervision.report.render import FontSetup, ReportRenderError, render_report
from proctor_dev.report_sample import sample_report

# Typst markup and code that must come out literally
MARKUP = "#strong[某] $x^2$ <a> @b \\ *粗* _斜_ `码` = 标题 #let y = 1"


def _report(**changes: object) -> SupervisionReport:
    data = sample_report(findings=3, cameras=2, hours=1).model_dump(mode="json")
    data["header"]["organisation"] = f"厦门市䶮职业技术学院 {MARKUP}"
    data.update(changes)
    return SupervisionReport.model_validate(data)


def _tool(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True,
                          text=True).stdout


def _text(pdf: Path) -> str:
    """The extracted text without any whitespace (line wrapping is the renderer's)."""
    return re.sub(r"\s+", "", _tool("pdftotext", "-enc", "UTF-8", pdf, "-"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[SupervisionReport, Path]:
    report = _report()
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(render_report(report))
    return report, path


def test_the_text_shows_every_chinese_field_exactly(
        rendered: tuple[SupervisionReport, Path]) -> None:
    report, pdf = rendered
    text = _text(pdf)
    h = report.header
    expected = [h.organisation, h.batch, h.filing_number, h.occupation.name, h.level, h.mode,
                h.site, h.room, h.session, h.recusal_statement, f"{h.side}·{h.manner}",
                *(s.name for s in h.supervisors), *(s.draw_id for s in h.supervisors),
                *(e.item for e in report.checklist), *(e.remark or "" for e in report.checklist),
                *(f.description for f in report.findings), report.opinion, report.conclusion,
                "职业技能等级认定质量督导报告", "谁主管、谁签字、谁负责", "整改期限", "处理意见"]
    assert report.acknowledgement is not None
    expected.append(report.acknowledgement.name)
    missing = [s for s in expected if re.sub(r"\s+", "", s) not in text]
    assert not missing
    assert "\ufffd" not in text and ".notdef" not in text
    assert "厦门市䶮职业技术学院" in text  # a CJK Extension A character, drawn and mapped


def test_every_font_is_embedded_and_unicode_mapped(
        rendered: tuple[SupervisionReport, Path]) -> None:
    lines = _tool("pdffonts", rendered[1]).splitlines()[2:]
    assert lines and any("NotoSansCJK" in line for line in lines)
    for line in lines:  # columns: emb sub uni are "yes yes yes"
        assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+$", line), line


def test_it_claims_pdf_a_3u(rendered: tuple[SupervisionReport, Path]) -> None:
    xmp = _tool("pdfinfo", "-meta", rendered[1])
    assert re.search(r"pdfaid:part[>=\"]+3", xmp) and re.search(r"pdfaid:conformance[>=\"]+U", xmp)


def test_the_clip_manifest_is_attached_and_its_hash_printed(
        rendered: tuple[SupervisionReport, Path], tmp_path: Path) -> None:
    report, pdf = rendered
    assert ATTACHMENT_NAME in _tool("pdfdetach", "-list", pdf)
    out = tmp_path / "clips.json"
    _tool("pdfdetach", "-savefile", ATTACHMENT_NAME, "-o", out, pdf)
    attached = out.read_bytes()
    assert attached == clip_manifest(report)
    manifest = json.loads(attached)
    assert len(manifest["clips"]) == 6 and manifest["clips"][0]["segments"] == \
        report.findings[0].clips[0].segments
    assert hashlib.sha256(attached).hexdigest() in _text(pdf)


def test_rendering_is_reproducible(rendered: tuple[SupervisionReport, Path]) -> None:
    report, pdf = rendered
    assert render_report(report) == pdf.read_bytes()


def test_an_amendment_cites_the_old_version(tmp_path: Path) -> None:
    old_sha = hashlib.sha256(b"version 1").hexdigest()
    amended = _report(version=2, amends={"report_number": "DD-2026-0001", "version": 1,
                                         "pdf_sha256": old_sha, "reason": "更正缺考人数"})
    path = tmp_path / "v2.pdf"
    path.write_bytes(render_report(amended))
    text = _text(path)
    assert "第2版，修订并替代报告DD-2026-0001第1版" in text
    assert old_sha in text and "修订说明：更正缺考人数" in text


def test_a_character_the_font_lacks_is_refused_not_drawn_as_a_box() -> None:
    report = _report(opinion="责令整改 𠀀")  # CJK Extension B: not in Noto Sans CJK SC
    with pytest.raises(ReportRenderError, match="𠀀.*could not be displayed"):
        render_report(report)


def test_a_missing_font_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ReportRenderError, match="install the Debian package fonts-noto-cjk"):
        render_report(_report(), FontSetup(directory=tmp_path / "none"))
    with pytest.raises(ReportRenderError, match="not in"):
        render_report(_report(), FontSetup(family="No Such Font"))
