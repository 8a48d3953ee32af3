"""The directory of the service: sites, rooms, cameras, edge devices, users and their scope."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from proctor.db.base import Base, UtcDateTime, utcnow


class Role(str, enum.Enum):
    """What a user does in the service; see :mod:`proctor.auth.scope` for what each may do."""

    ADMIN = "admin"  # centre administrator: plans batches, registers sites, devices, users
    SUPERVISOR = "supervisor"  # quality supervisor: watches rooms live, signs reports
    ORG_OPERATOR = "org_operator"  # the assessment organisation's own operator
    COMPLAINT_OFFICER = "complaint_officer"  # investigates complaints from archived footage
    AUDITOR = "auditor"  # read-only oversight of records and audit log


class Site(Base):
    """An assessment site (考点) run by an organisation."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True)  # the 认定机构 running it
    address: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    rooms: Mapped[list[Room]] = relationship(back_populates="site", cascade="all, delete-orphan")
    devices: Mapped[list[Device]] = relationship(back_populates="site")


class Room(Base):
    """An exam room (考场) at a site."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship(back_populates="rooms")
    cameras: Mapped[list[Camera]] = relationship(back_populates="room")


class Device(Base):
    """An edge agent installed at a site. Authenticates with a token stored only as a hash."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(128))
    token_issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    status: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship(back_populates="devices")
    cameras: Mapped[list[Camera]] = relationship(back_populates="device")


class Camera(Base):
    """A camera in a room, published by exactly one edge device."""

    __tablename__ = "cameras"
    __table_args__ = (UniqueConstraint("room_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    room: Mapped[Room] = relationship(back_populates="cameras")
    device: Mapped[Device | None] = relationship(back_populates="cameras")


class User(Base):
    """A person who logs in to the console or uses the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site_grants: Mapped[list[SiteGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def site_ids(self) -> list[int]:
        """The sites granted to the user, by id."""
        return sorted(grant.site_id for grant in self.site_grants)


class SiteGrant(Base):
    """Gives a non-admin user access to one site's rooms and cameras."""

    __tablename__ = "site_grants"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )

    user: Mapped[User] = relationship(back_populates="site_grants")


class UserSession(Base):
    """A console login. The bearer/cookie token is stored only as its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """An append-only record of a security-relevant action (who, what, on what, when),
    hash-chained in ``seq`` order (see :mod:`proctor.audit_chain`); written by
    :func:`proctor.audit.record` only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3 … without gaps
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))  # an Actor's canonical form
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the chain cannot fork
    chain_hash: Mapped[str] = mapped_column(String(64))


class Segment(Base):
    """One recorded segment of a camera, stored under Object Lock, linked into a hash chain.

    Times are epoch milliseconds on the server's clock (the agent's clock plus its measured
    offset, which is kept too). ``chain_hash`` covers this record and ``prev_hash``, so
    altering, removing or reordering any row breaks every later link of the camera.
    """

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("camera_id", "agent_start_ms"),  # what makes re-uploads idempotent
        UniqueConstraint("camera_id", "prev_hash"),  # a chain cannot fork
        # coverage reads a camera's spans in a window from this index alone
        Index("ix_segments_camera_id_start_ms_end_ms", "camera_id", "start_ms", "end_ms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    start_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    agent_start_ms: Mapped[int] = mapped_column(BigInteger)
    clock_offset_ms: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    object_key: Mapped[str] = mapped_column(String(300))
    version_id: Mapped[str] = mapped_column(String(200))
    retain_until: Mapped[datetime] = mapped_column(UtcDateTime())
    prev_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class LegalHold(Base):
    """A complaint's hold on a camera's footage in a time range (server clock, epoch ms).

    While a hold is active, every stored segment version it covers carries an S3 legal hold,
    so nothing can delete it even after its retention expires.
    """

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    from_ms: Mapped[int] = mapped_column(BigInteger)
    to_ms: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CameraScene(Base):
    """What a camera is expected to see (:class:`proctor.vision.scene.SceneSettings` as JSON)
    and its tamper reference picture (a JPEG, set by an operator or captured automatically)."""

    __tablename__ = "camera_scenes"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    settings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    reference_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reference_source: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reference_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Event(Base):
    """An anomaly the analyzer flagged on a camera, open while its condition lasts.

    ``peak`` keeps the values of the worst sample (e.g. count against expected, confidence);
    ``explanation`` says which rule with which thresholds and which model (name, sha256).
    The snapshot JPEG lives in the object store under the same retention as footage.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    zone: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    severity: Mapped[float] = mapped_column(Float, default=0.0)
    peak: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    explanation: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    snapshot_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    snapshot_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
