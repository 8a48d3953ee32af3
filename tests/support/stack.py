"""A real server process with a provisioned directory, for end-to-end tests (loopback only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiortc import RTCPeerConnection
from sqlalchemy.orm import Session

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.rtc.ice import build_rtc_configuration
from proctor_dev.processes import (
    ManagedProcess,
    agent_process,
    free_port,
    server_process,
    wait_http_ready,
)
from proctor_dev.provision import ProvisionedSite, provision_site, write_agent_config

PASSWORD = "correct horse battery"


@dataclass
class Stack:
    """Server + directory: site A (device A, cameras 1-2), site B (device B, camera 3)."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    server: ManagedProcess | None = None
    site_a: ProvisionedSite | None = None
    site_b: ProvisionedSite | None = None
    agents: list[ManagedProcess] = field(default_factory=list)
    server_env: dict[str, str] = field(default_factory=dict)
    analysis: bool = False  # most tests do not need the detector's CPU; analysis tests do

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'proctor.db'}"

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session on the server's own database through proctor's models and session
        factory; commits on success (tests that alter a record behind the server's back)."""
        engine = create_db_engine(self.database_url)
        try:
            with session_scope(create_session_factory(engine)) as session:
                yield session
        finally:
            engine.dispose()

    def provision(self) -> None:
        """Create both sites and the users: admin, supervisor of A, supervisor of B."""
        upgrade_database(self.database_url)
        engine = create_db_engine(self.database_url)
        with session_scope(create_session_factory(engine)) as db:
            self.site_a = provision_site(db, "test", "Site A", "Room 1", ["front", "back"])
            self.site_b = provision_site(db, "test", "Site B", "Room 9", ["only"])
            directory.create_user(db, "test", "admin", PASSWORD, Role.ADMIN)
            directory.create_user(db, "test", "sup_a", PASSWORD, Role.SUPERVISOR,
                                  site_ids=[self.site_a.site_id])
            directory.create_user(db, "test", "sup_b", PASSWORD, Role.SUPERVISOR,
                                  site_ids=[self.site_b.site_id])
            directory.create_user(db, "test", "officer", PASSWORD, Role.COMPLAINT_OFFICER,
                                  site_ids=[self.site_a.site_id])
        engine.dispose()

    def start_server(self) -> None:
        env = {"PROCTOR_ANALYSIS_ENABLED": str(self.analysis).lower(), **self.server_env}
        self.server = server_process(self.data_dir, self.port, extra_env=env,
                                     log_path=self.data_dir / "server.log").start()
        wait_http_ready(f"{self.url}/api/auth/me", self.server)

    def stop_server(self) -> None:
        if self.server:
            self.server.stop()

    def start_agent(self, sources: dict[int, str], token: str | None = None,
                    name: str = "agent",
                    recording: dict[str, object] | None = None,
                    camera_options: dict[int, dict[str, object]] | None = None
                    ) -> ManagedProcess:
        """A real ``proctor-edge`` for device A (or the given token) publishing ``sources``;
        it records into ``<data_dir>/spool`` (or as ``recording`` says); ``camera_options``
        adds keys to cameras' tables."""
        assert self.site_a is not None
        config = self.data_dir / f"{name}.toml"
        write_agent_config(config, self.url, token or self.site_a.device_token, sources,
                           ["127.0.0.1"], recording, camera_options)
        agent = agent_process(config, log_path=self.data_dir / f"{name}.log").start()
        self.agents.append(agent)
        return agent

    def login(self, username: str) -> str:
        response = httpx.post(f"{self.url}/api/auth/login",
                              json={"username": username, "password": PASSWORD})
        response.raise_for_status()
        return str(response.json()["token"])

    def camera_status(self, token: str, camera_id: int) -> dict[str, object]:
        cameras = httpx.get(f"{self.url}/api/cameras",
                            headers={"Authorization": f"Bearer {token}"}).json()
        return next(c for c in cameras if c["id"] == camera_id)["live"]

    def close(self) -> None:
        for agent in self.agents:
            agent.stop()
        self.stop_server()


async def sdp_offer(direction: str, codecs_h264_only: bool = False) -> str:
    """A real offer from an aiortc peer (``sendonly`` publisher or ``recvonly`` viewer)."""
    from proctor.rtc.h264 import prefer_h264

    pc = RTCPeerConnection(build_rtc_configuration([]))
    transceiver = pc.addTransceiver("video", direction=direction)
    if codecs_h264_only:
        prefer_h264(transceiver)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp
