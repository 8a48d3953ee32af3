"""``proctor demo``: the whole product on this machine, with real footage.

Starts the embedded object store (SeaweedFS, Object Lock), the server on embedded defaults
(SQLite in ``var/demo``, live analysis on) and a real ``proctor-edge``
publishing two cameras from real footage: one H.264 file sent as is, one MPEG-4 file the
agent encodes once. Prints the console URL and the logins, and runs until Ctrl-C.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.scenes.records import save_settings
from proctor.vision.scene import SceneSettings
from proctor_dev.demo_settings import cli_setup_lines, write_demo_settings
from proctor_dev.processes import agent_process, server_process, wait_http_ready
from proctor_dev.provision import provision_site, write_agent_config
from proctor_dev.samples import h264_sample, raw_sample
from proctor_dev.seaweed import EmbeddedSeaweedFS

ACTOR = "demo"


@dataclass(frozen=True)
class DemoLogins:
    """The console accounts the demo creates."""

    admin_password: str
    supervisor_password: str


def _prepare_state(data_dir: Path, media_dir: Path, server_url: str, ice: list[str]) -> DemoLogins:
    """Create (once) the demo users, site and cameras; refresh the agent's token every run."""
    database_url = f"sqlite:///{data_dir / 'proctor.db'}"
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    logins_file = data_dir / "demo-logins.txt"
    try:
        with session_scope(create_session_factory(engine)) as db:
            if directory.find_user(db, "admin") is None:
                logins = DemoLogins(secrets.token_urlsafe(9), secrets.token_urlsafe(9))
                site = provision_site(db, ACTOR, "Demo assessment site", "Room 101",
                                      ["front", "back"])
                directory.create_user(db, ACTOR, "admin", logins.admin_password, Role.ADMIN,
                                      "Centre administrator")
                directory.create_user(db, ACTOR, "supervisor", logins.supervisor_password,
                                      Role.SUPERVISOR, "Quality supervisor", [site.site_id])
                # the street footage shows 3-8 people: the count and alerts come and go
                save_settings(db, site.camera_ids[0], SceneSettings(expected_headcount=5), ACTOR)
                logins_file.touch(mode=0o600)
                logins_file.write_text(f"{logins.admin_password}\n{logins.supervisor_password}\n")
                token, camera_ids = site.device_token, site.camera_ids
            else:
                admin_pw, supervisor_pw = logins_file.read_text().split()
                logins = DemoLogins(admin_pw, supervisor_pw)
                token = directory.rotate_device_token(db, ACTOR, 1)
                camera_ids = [1, 2]
    finally:
        engine.dispose()
    sources = {camera_ids[0]: h264_sample(media_dir).as_uri(),
               camera_ids[1]: raw_sample(media_dir).as_uri()}
    write_agent_config(data_dir / "agent.toml", server_url, token, sources, ice)
    return logins


def run_demo(data_dir: Path, media_dir: Path, port: int, fresh: bool, ice: list[str]) -> None:
    """Run server and agent until interrupted, then stop both cleanly."""
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    logins = _prepare_state(data_dir, media_dir, url, ice)
    storage = EmbeddedSeaweedFS(data_dir / "seaweedfs").start()
    # one settings file for the server and for the user's `proctor` commands
    settings_file = write_demo_settings(data_dir / "proctor.toml", data_dir,
                                        storage.server_env())
    server = server_process(data_dir, port, ice_host_addresses=",".join(ice),
                            extra_env={"PROCTOR_CONFIG_FILE": str(settings_file)}).start()
    agent = None
    try:
        wait_http_ready(f"{url}/api/auth/me", server)
        agent = agent_process(data_dir / "agent.toml").start()
        print(
            f"\n  Proctor is running: open {url}/live\n"
            f"    admin       / {logins.admin_password}\n"
            f"    supervisor  / {logins.supervisor_password}\n"
            f"  Two cameras are streamed from real footage by proctor-edge and analysed\n"
            f"  (camera front expects 5 people: counts and alerts show on the live page).\n"
            f"  Object store (SeaweedFS, Object Lock): http://{storage.endpoint}\n"
            f"  State in {data_dir}; press Ctrl-C to stop.\n"
            f"  To use the proctor command on this demo (another terminal):\n"
            + "".join(f"    {line}\n" for line in cli_setup_lines(settings_file)),
            flush=True,
        )
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        while server.running() and agent.running():
            time.sleep(0.5)
        print("a demo process exited unexpectedly; stopping", flush=True)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        if agent is not None:
            agent.stop()
        server.stop()
        storage.stop()
