"""The analysis settings section: sampling, the detector and rule and tamper tuning."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from proctor.vision.counting import CountFusion
from proctor.vision.rules import AnalysisRules
from proctor.vision.tamper import TamperThresholds


class AnalysisSettings(BaseModel):
    """Whether and how live cameras are analysed (docs/vision.md)."""

    model_config = ConfigDict(extra="forbid")

    analysis_enabled: bool = Field(
        default=True, description="count people and flag anomalies on live cameras"
    )
    analysis_fps: float = Field(
        default=1.0, gt=0, le=5, description="frames analysed per second and camera"
    )
    analysis_detector: dict[str, Any] = Field(
        default_factory=dict,
        description="detector config: type, model, imgsz, confidence, threads (docs/vision.md); "
        "default the measured fastest backend and the manifest's model",
    )
    analysis_rules: AnalysisRules = Field(
        default_factory=AnalysisRules,
        description='rule timings to change, e.g. {"seat_empty": {"hold_s": 120}} (docs/vision.md)',
    )
    analysis_tamper: TamperThresholds = Field(
        default_factory=TamperThresholds,
        description='tamper thresholds to change, e.g. {"defocus_ratio": 0.15} (docs/vision.md)',
    )
    analysis_counting: CountFusion = Field(
        default_factory=CountFusion,
        description='people counted over the latest samples: median of the last "samples" (5) '
        'no older than "max_age_s" (10); {"samples": 1} counts each sample alone (docs/vision.md)',
    )
    analysis_detector_processes: int | None = Field(
        default=None, ge=1, le=16,
        description="detector processes side by side, each with cores / processes intra-op "
        "threads unless the detector config sets threads; default the usable cores, at most 4 "
        "(docs/vision.md, capacity)",
    )
    analysis_workers: Literal["local", "remote"] = Field(
        default="local", description="where samples are detected: 'local', this server's "
        "detector process; 'remote', `proctor analysis-worker` processes reached over NATS "
        "(needs PROCTOR_NATS_URL; docs/deployment.md)"
    )
    analysis_worker_timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="with remote workers: a sample not answered by "
        "then is not analysed (no worker running, or one died holding it)"
    )
    analysis_timeout_s: float = Field(
        default=30.0, gt=0, description="a detector batch not answered by then counts as a crash"
    )
    analysis_restart_after_s: float = Field(
        default=10.0, gt=0, description="wait before restarting a crashed detector"
    )
