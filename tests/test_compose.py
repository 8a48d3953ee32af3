"""The compose files: docker-compose.yml alone and with the province overlay
(docker-compose.cluster.yml) merged as Compose merges them. Checked without Docker (parsed,
``extends`` resolved, overlay merged): every image pinned, every long-running service health
checked, nothing published that the base keeps private, every secret from .env, and the
SeaweedFS and NATS clusters wired as the overlay says. ``docker compose config`` also renders
them where the Compose plugin is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BASE, OVERLAY = ROOT / "docker-compose.yml", ROOT / "docker-compose.cluster.yml"
PINNED = re.compile(r"(@sha256:[0-9a-f]{64}|:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?)$")
INTERNAL = {"backend", "storage_internal"}
SEAWEEDFS = "chrislusf/seaweedfs"
Config = dict[str, Any]


class Override(list[Any]):
    """A sequence tagged ``!override``: replaces the base's instead of merging with it."""


class ComposeLoader(yaml.SafeLoader):
    """YAML with Compose's ``!override`` and ``!reset`` tags."""


ComposeLoader.add_constructor("!override", lambda loader, node: Override(
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []))
ComposeLoader.add_constructor("!reset", lambda loader, node: None)


def load(path: Path) -> Config:
    config: Config = yaml.load(path.read_text(), Loader=ComposeLoader)  # noqa: S506
    return config


def _target(volume: str) -> str:
    return volume.split(":")[1] if ":" in volume else volume


def merge(base: Any, override: Any, key: str = "") -> Any:
    """Compose's merge: mappings recursively; ``volumes`` by container path; ``ports``
    appended (unless ``!override``); ``networks`` united; any other value replaced."""
    if isinstance(override, Override):
        return list(override)
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = merge(base[name], value, name) if name in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        if key == "volumes":
            by_target = {_target(v): v for v in base} | {_target(v): v for v in override}
            return list(by_target.values())
        if key in ("ports", "networks"):
            return base + [item for item in override if item not in base]
    return override


def resolve(config: Config) -> Config:
    """``config`` with every ``extends`` of docker-compose.yml's services applied."""
    base = load(BASE)["services"]
    services = {}
    for name, service in config["services"].items():
        extends = service.pop("extends", None)
        if extends:
            assert extends["file"] == BASE.name, f"{name} extends an unknown file"
            service = merge(base[extends["service"]], service)
        services[name] = service
    return {**config, "services": services}


def rendered(*paths: Path) -> Config:
    """The files merged in order, as ``docker compose -f ... -f ...`` does."""
    merged = load(paths[0])
    for path in paths[1:]:
        overlay = resolve(load(path))
        merged = {key: merge(merged.get(key), value, key) if key in merged else value
                  for key, value in {**merged, **overlay}.items()}
    return merged


def one_shot(service: Config) -> bool:
    """Runs once and exits (``storage-init``): nothing to health-check."""
    return bool(service.get("restart") == "no")


def flag(service: Config, name: str) -> str:
    """The value of ``-name=...`` in the service's command."""
    values = [arg.split("=", 1)[1] for arg in service["command"]
              if isinstance(arg, str) and arg.startswith(f"-{name}=")]
    assert len(values) == 1, f"-{name} given {len(values)} times in {service['command']}"
    return values[0]


CONFIGS = {"base": (BASE,), "cluster": (BASE, OVERLAY)}


@pytest.mark.parametrize("files", CONFIGS.values(), ids=list(CONFIGS))
def test_every_image_is_pinned_and_every_service_health_checked(files: tuple[Path, ...]) -> None:
    services = rendered(*files)["services"]
    for name, service in services.items():
        if "build" not in service:  # built here from ./Dockerfile
            assert PINNED.search(service["image"]), f"{name}: {service['image']} not pinned"
        if not one_shot(service):
            test = service.get("healthcheck", {}).get("test")
            assert test and test != ["NONE"], f"{name} has no health check"
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown {needed}"


def test_the_overlay_publishes_nothing_the_base_keeps_private() -> None:
    base = rendered(BASE)["services"]
    cluster = rendered(BASE, OVERLAY)["services"]
    for name, service in cluster.items():
        if name in base:
            assert service.get("ports", []) == base[name].get("ports", []), name
            assert set(service.get("networks", [])) == set(base[name].get("networks", [])), name
        elif name == "server-2":  # the second node: as the first, on the same bind address
            assert service["ports"] == ["${PROCTOR_HTTP_BIND:-127.0.0.1}:8001:8000"]
        else:
            assert "ports" not in service, f"{name} is published"
            assert set(service["networks"]) <= INTERNAL, f"{name} joins {service['networks']}"
        if service.get("image", "").startswith(SEAWEEDFS):
            mounts = service.get("volumes", [])
            assert any(m.startswith("./deploy/seaweedfs/security.toml:") for m in mounts), name
            assert service["environment"]["WEED_JWT_SIGNING_KEY"].startswith("${"), name
            assert service["networks"][0] == "storage_internal", name
            if service["networks"] != ["storage_internal"]:
                assert name.startswith("seaweedfs-s3"), f"{name} reaches beyond storage"


def test_every_secret_the_overlay_needs_is_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for path in (BASE, OVERLAY):
        required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", path.read_text()))
        assert required <= documented, f"{path.name}: {required - documented} not in .env.example"


def test_the_seaweedfs_cluster_is_wired_as_designed() -> None:
    services = rendered(BASE, OVERLAY)["services"]

    def named(prefix: str) -> list[str]:
        return sorted(n for n in services if re.fullmatch(rf"{prefix}(-\d)?", n))

    masters, volumes = named("seaweedfs-master"), named("seaweedfs-volume")
    filers, gateways = named("seaweedfs-filer"), named("seaweedfs-s3")
    assert (len(masters), len(volumes), len(filers), len(gateways)) == (3, 3, 2, 2)
    everyone = {f"{m}:9333" for m in masters}
    for master in masters:
        assert set(flag(services[master], "peers").split(",")) == everyone
        assert flag(services[master], "ip") == master
        assert flag(services[master], "defaultReplication") == "010"
    assert {flag(services[v], "rack") for v in volumes} == {"rack1", "rack2", "rack3"}
    for volume in volumes:
        assert set(flag(services[volume], "mserver").split(",")) == everyone
    for group in (masters, volumes, filers):  # each keeps its state in a volume of its own
        data = {next(m for m in services[s]["volumes"] if _target(m) == "/data") for s in group}
        assert len(data) == len(group), data
    for filer in filers:
        assert set(flag(services[filer], "master").split(",")) == everyone
        assert "./deploy/seaweedfs/filer-postgres.toml:/etc/seaweedfs/filer.toml:ro" in \
            services[filer]["volumes"]
    for gateway in gateways:
        assert {f.split(":")[0] for f in flag(services[gateway], "filer").split(",")} == \
            set(filers)
    assert flag(services["seaweedfs-s3-2"], "filer").startswith("seaweedfs-filer-2:")
    assert services["server-2"]["environment"]["PROCTOR_S3_ENDPOINT"] == "seaweedfs-s3-2:8333"


def test_the_nats_cluster_routes_to_every_node_with_a_password() -> None:
    services = rendered(BASE, OVERLAY)["services"]
    nats = sorted(n for n in services if n.startswith("nats-"))
    assert len(nats) == 3
    for name in nats:
        command = services[name]["command"]
        assert f"--name={name}" in command and "--jetstream" in command
        routes = next(a for a in command if a.startswith("--routes=")).removeprefix("--routes=")
        assert {r.rsplit("@", 1)[1] for r in routes.split(",")} == {f"{n}:6222" for n in nats}
        assert all(r.startswith("nats://route:${NATS_ROUTE_PASSWORD}@") for r in routes.split(","))
        assert "--pass=${NATS_PASSWORD:?set NATS_PASSWORD in .env}" in command
    for built in ("server", "server-2", "storage-init"):  # one image, with the NATS client
        assert "cluster" in services[built]["build"]["args"]["PROCTOR_EXTRAS"], built
    for node, node_id in (("server", "node-1"), ("server-2", "node-2")):
        environment = services[node]["environment"]
        assert environment["PROCTOR_NODE_ID"] == node_id
        assert environment["PROCTOR_NATS_REPLICAS"] == "3"
        assert environment["PROCTOR_NATS_URL"].count("@nats-") == 3
        assert {"nats-1", "nats-2", "nats-3"} <= set(services[node]["depends_on"])


def test_the_analysis_worker_runs_apart_on_the_internal_network_only() -> None:
    services = rendered(BASE, OVERLAY)["services"]
    worker = services["analysis-worker"]
    assert worker["command"] == ["proctor", "analysis-worker"]
    assert {"cluster", "vision"} <= set(
        worker["build"]["args"]["PROCTOR_EXTRAS"].split(":-")[1].rstrip("}").split(","))
    assert set(worker["networks"]) == {"backend"} and "backend" in INTERNAL
    assert "ports" not in worker and worker["restart"] == "unless-stopped"
    assert worker["cap_drop"] == ["ALL"] and "no-new-privileges:true" in worker["security_opt"]
    assert worker["environment"]["PROCTOR_NATS_URL"].count("@nats-") == 3
    assert "PROCTOR_DATABASE_URL" not in worker["environment"]  # it needs NATS only
    assert "models_cache:/app/models/cache:ro" in worker["volumes"]
    assert {"nats-1", "nats-2", "nats-3"} <= set(worker["depends_on"])
    for node in ("server", "server-2"):  # the nodes hand detection to the workers
        assert services[node]["environment"]["PROCTOR_ANALYSIS_WORKERS"].endswith("remote}")


def _compose_plugin() -> bool:
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker or "docker", "compose", "version"],
                                           capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the Docker Compose plugin is not installed")
def test_docker_compose_renders_the_overlay(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    env_file = tmp_path / ".env"
    env_file.write_text(re.sub(r"^([A-Z0-9_]+)=$", r"\1=x0", example, flags=re.M))
    result = subprocess.run(["docker", "compose", "--env-file", str(env_file), "-f", str(BASE),
                             "-f", str(OVERLAY), "config", "--quiet"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
