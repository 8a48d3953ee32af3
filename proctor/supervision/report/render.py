"""Render a :class:`SupervisionReport` to PDF/A-3u in Chinese with Typst.

PDF/A-3u keeps every font embedded and every glyph mapped to Unicode, and allows the
attached clip manifest. In PDF/A mode Typst refuses a character the font lacks, so a
rendered report never shows a missing glyph: such text is a :class:`ReportRenderError`.
Rendering is reproducible: the same content gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import typst

from proctor.errors import ProctorError
from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.manifest import clip_manifest, summarise
from proctor.supervision.report.template import TEMPLATE
from proctor.supervision.report.text import BEIJING
from proctor.supervision.report.view import report_view

PDF_STANDARD: Final = "a-3u"


class ReportRenderError(ProctorError):
    """The report cannot be rendered (a font is missing, or text it cannot show)."""


@dataclass(frozen=True)
class FontSetup:
    """The CJK font: a family and the folder holding it (Debian ``fonts-noto-cjk``)."""

    family: str = "Noto Sans CJK SC"
    directory: Path = Path("/usr/share/fonts/opentype/noto")


@lru_cache(maxsize=4)
def _fonts(setup: FontSetup) -> typst.Fonts:
    """Only the configured folder's fonts: nothing from the system or Typst's own set,
    so a document never silently falls back to another font."""
    if not setup.directory.is_dir():
        raise ReportRenderError(f"font folder {setup.directory} is missing: install the "
                                "Debian package fonts-noto-cjk (or configure another CJK font)")
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                        font_paths=[str(setup.directory)])
    if setup.family not in fonts.families():
        raise ReportRenderError(f"font family {setup.family!r} is not in {setup.directory}")
    return fonts


def render_report(report: SupervisionReport, fonts: FontSetup | None = None) -> bytes:
    """``report`` as PDF/A-3u bytes, the clip manifest attached as ``clips.json``."""
    setup = fonts or FontSetup()
    manifest = clip_manifest(report)
    view = report_view(report, summarise(report, manifest), setup.family)
    inputs = {"report": json.dumps(view, ensure_ascii=False), "manifest": manifest.decode()}
    try:
        pdf, warnings = typst.compile_with_warnings(
            TEMPLATE.encode(), font_paths=_fonts(setup), ignore_system_fonts=True,
            sys_inputs=inputs, pdf_standards=PDF_STANDARD,
            timestamp=report.issued_at.astimezone(BEIJING))
    except typst.TypstError as error:
        raise ReportRenderError(f"the report cannot be rendered: {error.message}") from error
    if warnings:
        raise ReportRenderError("the report cannot be rendered cleanly: "
                                + "; ".join(w.message for w in warnings))
    return pdf
