"""Time the report path for ``proctor bench supervision``: build the 20 findings × 8 cameras
× 4 h sample (11,520 segment hashes), render it and sign it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from proctor.supervision.report.identity import service_identity
from proctor.supervision.report.render import render_report
from proctor.supervision.report.sample import sample_report
from proctor.supervision.report.signing import PadesSigner


@dataclass(frozen=True)
class ReportTiming:
    """The signed PDF and how long each step took, in seconds."""

    pdf: bytes
    build_seconds: float
    render_seconds: float
    sign_seconds: float

    @property
    def report_seconds(self) -> float:
        """Build + render + sign."""
        return self.build_seconds + self.render_seconds + self.sign_seconds


def time_sample_report(key_directory: Path) -> ReportTiming:
    """Build, render and sign the sample with the identity in ``key_directory`` (created
    there if missing, before the clock starts)."""
    signer = PadesSigner(service_identity(key_directory, create=True))
    started = time.perf_counter()
    report = sample_report()
    built = time.perf_counter()
    pdf = render_report(report)
    rendered = time.perf_counter()
    signed = signer.sign(pdf, reason="督导报告签署", location=report.header.site)
    return ReportTiming(signed, built - started, rendered - built,
                        time.perf_counter() - rendered)
