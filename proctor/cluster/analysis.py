"""Analysis work on NATS: the node's side of the queue group (:class:`NatsSampleChannel`)
and the messages both sides exchange.

A sample is a request on :data:`SAMPLES_SUBJECT`: the JPEG as the payload, the camera, time,
sample id and the node's deadline as headers. Every ``proctor analysis-worker`` subscribes
in the queue group :data:`WORKERS_QUEUE`, so NATS hands each sample to one of them; the
worker replies with JSON (:func:`answer_payload`). No worker subscribed: NATS says so at
once (no responders); a worker that dies holding samples: the request times out.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from proctor.vision.detector import Detection, as_box
from proctor.vision.manifest import Label
from proctor.vision.remote import AnalysisUnavailable, RemoteAnswer, RemoteSample
from proctor.vision.worker import ModelInfo

if TYPE_CHECKING:
    from nats.aio.client import Client

SAMPLES_SUBJECT = "proctor.analysis.samples"
WORKERS_QUEUE = "proctor-analysis-workers"
LABELS: frozenset[Label] = frozenset({"person", "phone"})


def sample_headers(sample: RemoteSample, deadline: float) -> dict[str, str]:
    """The headers of a sample's request (``deadline``: epoch seconds the node waits until)."""
    return {"Proctor-Camera": str(sample.camera_id), "Proctor-At": repr(sample.at),
            "Proctor-Sample": str(sample.sample_id), "Proctor-Deadline": repr(deadline)}


def read_sample(headers: dict[str, str] | None, jpeg: bytes) -> tuple[RemoteSample, float]:
    """The sample and the node's deadline from a request; ``ValueError`` if malformed."""
    if not headers or not jpeg:
        raise ValueError("a sample needs its headers and a JPEG")
    sample = RemoteSample(int(headers["Proctor-Camera"]), float(headers["Proctor-At"]),
                          int(headers["Proctor-Sample"]), jpeg)
    return sample, float(headers["Proctor-Deadline"])


def answer_payload(worker: str, model: ModelInfo, detections: list[Detection]) -> bytes:
    """A worker's reply: who, which model, and what it found."""
    return json.dumps({
        "worker": worker,
        "model": {"name": model.name, "sha256": model.sha256, "backend": model.backend,
                  "imgsz": model.imgsz, "labels": sorted(model.labels)},
        "detections": [[d.label, d.confidence, *d.box] for d in detections]}).encode()


def failure_payload(worker: str, reason: str) -> bytes:
    """A worker's reply when its detector failed on the sample."""
    return json.dumps({"worker": worker, "error": reason}).encode()


def read_answer(payload: bytes) -> RemoteAnswer:
    """The answer in a worker's reply; :class:`AnalysisUnavailable` for a failure or a reply
    that is not one."""
    try:
        data: dict[str, Any] = json.loads(payload)
        if "error" in data:
            raise AnalysisUnavailable(f"analysis worker {data['worker']} failed: {data['error']}")
        model = data["model"]
        info = ModelInfo(model["name"], model["sha256"], model["backend"], int(model["imgsz"]),
                         frozenset(model["labels"]))
        detections = [Detection(_label(row[0]), float(row[1]), as_box(row[2:6]))
                      for row in data["detections"]]
        return RemoteAnswer(str(data["worker"]), info, detections)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise AnalysisUnavailable(f"an analysis worker's reply is unreadable ({error})") from error


def _label(text: object) -> Label:
    for label in LABELS:
        if text == label:
            return label
    raise ValueError(f"unknown label {text!r}")


class NatsSampleChannel:
    """Sends samples to the analysis workers' queue group and waits a bounded time."""

    def __init__(self, connection: Client, timeout_s: float) -> None:
        self.connection = connection
        self.timeout_s = timeout_s

    async def detect(self, sample: RemoteSample) -> RemoteAnswer:
        """The answer of whichever worker NATS picks; :class:`AnalysisUnavailable` when none
        answers within the timeout."""
        from nats.errors import Error as NatsError
        from nats.errors import NoRespondersError, TimeoutError

        headers = sample_headers(sample, time.time() + self.timeout_s)
        try:
            reply = await self.connection.request(SAMPLES_SUBJECT, sample.jpeg,
                                                  timeout=self.timeout_s, headers=headers)
        except NoRespondersError as error:
            raise AnalysisUnavailable("no analysis worker running: start `proctor "
                                      "analysis-worker`, or set PROCTOR_ANALYSIS_WORKERS="
                                      "local") from error
        except TimeoutError as error:
            raise AnalysisUnavailable(f"no analysis worker answered within "
                                      f"{self.timeout_s:g} s") from error
        except NatsError as error:
            raise AnalysisUnavailable(f"NATS did not carry the sample ({error})") from error
        return read_answer(reply.data)
