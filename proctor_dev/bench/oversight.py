"""``proctor bench oversight``: the 三级 region views and complaint intake on a
province-sized PostgreSQL database, through the real API.

A throwaway PostgreSQL cluster (Debian's, on 127.0.0.1) is seeded
(:mod:`.oversight_seed`); the coverage aggregate is filled by the server's own refresh
rounds and one notice round hands the due notices to the (logging) notifier, both timed;
the statistics are gathered (``ANALYZE``). Then the real server runs on a loopback port
(uvicorn in a thread), three region users log in and the summary of the province, a city
and a district is fetched N times each over HTTP; so are a batch page and the
notifications list; ``GET /api/auth/me`` is timed too, as the baseline cost of any
authenticated request at the same moment. Complaint intake posts N anonymous online
complaints (multipart, no attachment: attachments would also time the object store, which
has its own bench).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import text

from proctor.app import create_app
from proctor.config import Settings, load_settings
from proctor.db.base import utcnow
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.oversight.coverage_totals import refresh_round
from proctor.oversight.cutoffs import Rules
from proctor.oversight.dispatch import DispatchRules, dispatch_once
from proctor.oversight.notifier import LoggingNotifier
from proctor_dev.bench.oversight_seed import PASSWORD, USERS, seed
from proctor_dev.postgres import postgres_cluster
from proctor_dev.processes import free_port

Log = Callable[[str], None]
BOUNDARY = "bench-boundary-7f3a"


@dataclass(frozen=True)
class Timing:
    """Milliseconds of N requests."""

    p50: float
    p95: float

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        """p50 and p95 of ``samples`` (ms)."""
        cuts = statistics.quantiles(samples, n=20, method="inclusive")
        return cls(round(statistics.median(samples), 1), round(cuts[18], 1))


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real server on a loopback port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="bench-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start within 60 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def _timed(n: int, send: Callable[[int], httpx.Response]) -> Timing:
    """Send ``n`` requests (``send(i)``) one after another; refuse a failed one."""
    samples = []
    for number in range(n):
        started = time.perf_counter()
        response = send(number)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 300:
            raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return Timing.of(samples)


def _getter(client: httpx.Client, url: str, token: str) -> Callable[[int], httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    return lambda _number: client.get(url, headers=headers)


def _complaint_body(number: int) -> bytes:
    fields = {"organisation_id": "1", "text": f"第{number}号考场疑似替考，请调取录像核实。"}
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _measure(base: str, n: int, log: Log) -> dict[str, Timing]:
    figures: dict[str, Timing] = {}
    tokens: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for level, code in USERS.items():
            tokens[level] = token = client.post("/api/auth/login", json={"username": level,
                                                         "password": PASSWORD}).json()["token"]
            if level == "province":  # the cost of any authenticated request, for scale
                figures["auth_me_ms"] = _timed(n, _getter(client, "/api/auth/me", token))
                log(f"GET /api/auth/me (baseline): p50 {figures['auth_me_ms'].p50} ms, "
                    f"p95 {figures['auth_me_ms'].p95} ms")
            summary = _getter(client, f"/api/oversight/regions/{code}", token)
            summary(0)  # warm-up
            figures[f"{level}_summary_ms"] = timing = _timed(n, summary)
            log(f"{level} summary {code}: p50 {timing.p50} ms, p95 {timing.p95} ms")
        page = "/api/oversight/regions/350000/batches?overdue=true&sort=-coverage&per_page=50"
        province = tokens["province"]
        figures["batch_page_ms"] = _timed(n, _getter(client, page, province))
        figures["notifications_ms"] = _timed(n, _getter(client, "/api/notifications", province))
        multipart = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        figures["complaint_intake_ms"] = _timed(n, lambda number: client.post(
            "/public/complaints", content=_complaint_body(number), headers=multipart))
        for name in ("batch_page_ms", "notifications_ms", "complaint_intake_ms"):
            log(f"{name}: p50 {figures[name].p50} ms, p95 {figures[name].p95} ms")
    return figures


def run_oversight_bench(batches: int, requests: int, segment_s: int,
                        log: Log) -> dict[str, object]:
    """Seed, fill the aggregate, then time the API (see the module docstring)."""
    result: dict[str, object] = {"batches": batches, "requests": requests,
                                 "segment_seconds": segment_s}
    with postgres_cluster() as url, tempfile.TemporaryDirectory() as data:
        settings = load_settings(database_url=url, data_dir=Path(data), analysis_enabled=False,
                                 ice_host_addresses=["127.0.0.1"],
                                 complaint_intake_per_address=1000)
        upgrade_database(url)
        engine = create_db_engine(url)
        factory = create_session_factory(engine)
        started, now = time.perf_counter(), utcnow()
        with session_scope(factory) as db:
            seeded = seed(db, batches, now, segment_s)
        result |= vars(seeded) | {"seed_seconds": round(time.perf_counter() - started, 1)}
        log(f"seeded {seeded} in {result['seed_seconds']} s")
        started = time.perf_counter()
        while refresh_round(factory, timedelta(hours=settings.coverage_settle_hours), now):
            pass
        result["coverage_fill_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        rules = DispatchRules(Rules.of(settings), settings.notice_horizon_working_days,
                              settings.notice_since_days)
        result["notices_sent"] = dispatch_once(factory, LoggingNotifier(), rules, now)
        result["notice_round_seconds"] = round(time.perf_counter() - started, 1)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        engine.dispose()
        log(f"coverage aggregate filled in {result['coverage_fill_seconds']} s; "
            f"{result['notices_sent']} notices in {result['notice_round_seconds']} s")
        with serve(settings) as base:
            figures = _measure(base, requests, log)
    result |= {key: vars(timing) for key, timing in figures.items()}
    result["oversight_ms"] = max(figures[f"{level}_summary_ms"].p95 for level in USERS)
    result["complaint_intake_ms"] = figures["complaint_intake_ms"].p95
    return result
