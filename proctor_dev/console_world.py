"""A throwaway server with a site of several rooms (考场) of cameras published by a real edge
agent, an administrator, and an ended 认定批次 with its drafted 督导报告: what the console's
screenshots and bench look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.organisations import OrganisationKind
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.organisations.organisations import attach_site, create_organisation
from proctor.organisations.regions import create_region
from proctor_dev.console_batch import seed_batch
from proctor_dev.processes import agent_process, free_port, server_process, wait_http_ready
from proctor_dev.provision import write_agent_config

ACTOR = "console"
USERNAME = "admin"
PASSWORD = "console-password-0"
CAMERA_NAMES = ("前方", "后方", "左侧", "右侧")


@dataclass(frozen=True)
class ConsoleWorld:
    """Where the server is, who may log in, and the cameras."""

    url: str
    username: str
    password: str
    camera_ids: list[int]
    batch_id: int


def _provision(database_url: str, rooms: int,
               per_room: int) -> tuple[str, list[int], int]:
    """The site (of an organisation in 思明区, 厦门市, 福建省), its rooms and cameras, one
    device for all, the administrator and the batch; returns the device's token, the
    cameras' ids and the batch's."""
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    camera_ids = []
    with session_scope(create_session_factory(engine)) as db:
        site = directory.create_site(db, ACTOR, "第一职业技能等级认定考点")
        for code, name in (("350000", "福建省"), ("350200", "厦门市"), ("350203", "思明区")):
            create_region(db, ACTOR, code, name)
        organisation = create_organisation(db, ACTOR, "厦门市第一职业技能评价中心",
                                           OrganisationKind.ENTERPRISE, "350203")
        attach_site(db, ACTOR, site.id, organisation.id)
        device, token = directory.create_device(db, ACTOR, site.id, "考点边缘设备")
        for number in range(1, rooms + 1):
            room = directory.create_room(db, ACTOR, site.id, f"第{number}考场")
            for index in range(per_room):
                name = CAMERA_NAMES[index % len(CAMERA_NAMES)] + ("" if index < 4 else str(index))
                camera_ids.append(directory.create_camera(db, ACTOR, room.id, name, device.id).id)
        directory.create_user(db, ACTOR, USERNAME, PASSWORD, Role.ADMIN, display_name="王督导")
        batch_id = seed_batch(db, ACTOR, organisation.id, site.id, PASSWORD)
    engine.dispose()
    return token, camera_ids, batch_id


@contextmanager
def console_world(data_dir: Path, rooms: int, per_room: int, source: str,
                  log: bool = True) -> Iterator[ConsoleWorld]:
    """Start the server and an agent publishing ``source`` on every camera; stop both after.
    Analysis is off (the console is measured, not the detector)."""
    token, camera_ids, batch_id = _provision(f"sqlite:///{data_dir / 'proctor.db'}", rooms,
                                             per_room)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    write_agent_config(data_dir / "agent.toml", url, token,
                       {camera_id: source for camera_id in camera_ids}, ["127.0.0.1"])
    server = server_process(data_dir, port, log_path=data_dir / "server.log" if log else None,
                            extra_env={"PROCTOR_ANALYSIS_ENABLED": "false"}).start()
    agent = None
    try:
        wait_http_ready(f"{url}/healthz", server)
        agent = agent_process(data_dir / "agent.toml",
                              log_path=data_dir / "agent.log" if log else None).start()
        yield ConsoleWorld(url, USERNAME, PASSWORD, camera_ids, batch_id)
    finally:
        if agent is not None:
            agent.stop()
        server.stop()
