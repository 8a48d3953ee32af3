"""The cluster settings section: where NATS is, who this node is and how many cameras it takes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClusterSettings(BaseModel):
    """Several server nodes sharing cameras by lease (see docs/deployment.md, "Several
    nodes"). With ``nats_url`` empty the server is one node, as it always was."""

    model_config = ConfigDict(extra="forbid")

    nats_url: str = Field(
        default="", description="NATS server(s) with JetStream, comma-separated "
        "(nats://host:4222); empty: a single node, no cluster")
    node_id: str = Field(
        default="", pattern=r"^[A-Za-z0-9_-]*$", max_length=64,
        description="this node's name in the cluster (letters, digits, - and _); "
        "required with PROCTOR_NATS_URL")
    node_url: str = Field(
        default="", description="this node's base URL as agents and browsers reach it "
        "(https://node-a.example:8443): where other nodes' 307 redirects point; required "
        "with PROCTOR_NATS_URL")
    nats_replicas: int = Field(
        default=1, ge=1, le=5, description="copies JetStream keeps of the lease buckets and "
        "the alert stream: 3 on a 3-server NATS cluster, so one NATS server may fail")
    max_cameras: int = Field(
        default=8, gt=0, description="most cameras this node publishes at once; a full "
        "node answers WHIP with 503 and Retry-After (2 cores analyse about 8)")
    camera_lease_s: float = Field(
        default=10.0, ge=1.0, le=300.0, description="how long a camera stays owned by a node "
        "that stopped renewing (a crashed node's cameras move after this long)")

    @property
    def clustered(self) -> bool:
        """Whether this server is one node of several."""
        return bool(self.nats_url)


def cluster_refusal(settings: ClusterSettings, database_url: str,
                    analysis_workers: str = "local") -> str | None:
    """Why these settings cannot run clustered, or ``None`` when they can (or are one node)."""
    if not settings.clustered:
        if analysis_workers == "remote":
            return ("PROCTOR_ANALYSIS_WORKERS=remote needs PROCTOR_NATS_URL: the analysis "
                    "workers are reached over NATS; set it, or PROCTOR_ANALYSIS_WORKERS=local")
        return None
    if database_url.startswith("sqlite"):
        return ("PostgreSQL is required for more than one node: PROCTOR_NATS_URL is set but "
                "PROCTOR_DATABASE_URL is SQLite, which each node would keep on its own disk; "
                "set PROCTOR_DATABASE_URL=postgresql+psycopg://... or unset PROCTOR_NATS_URL")
    missing = [name for name, value in (("PROCTOR_NODE_ID", settings.node_id),
                                        ("PROCTOR_NODE_URL", settings.node_url)) if not value]
    if missing:
        return (f"{' and '.join(missing)} must be set with PROCTOR_NATS_URL: other nodes "
                "redirect agents and browsers to this node by them")
    return None
