"""Regions (GB/T 2260) and certification organisations (认定机构), and region grants.

The region tree is province → city → district; the six-digit administrative code is the key
(``350000`` 福建省 → ``350200`` 厦门市 → ``350203`` 思明区). An organisation belongs to a
district; sites belong to an organisation. A user granted a region sees every site of every
organisation below it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from proctor.db.base import Base, UtcDateTime, utcnow, value_enum


class RegionLevel(str, enum.Enum):
    """Where a region sits in the tree."""

    PROVINCE = "province"  # 省
    CITY = "city"  # 市
    DISTRICT = "district"  # 区/县


class OrganisationKind(str, enum.Enum):
    """The kinds of 认定机构; their plan-filing lead differs (see supervision deadlines)."""

    ENTERPRISE = "enterprise"  # 用人单位 (企业)
    COLLEGE = "college"  # 院校
    SOCIAL_ORG = "social_org"  # 社会培训评价组织


class Region(Base):
    """An administrative region, keyed by its GB/T 2260 code."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("length(code) = 6", name="region_code_six_digits"),)

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(value_enum(RegionLevel, 16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Organisation(Base):
    """A certification organisation (认定机构) in a district."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(value_enum(OrganisationKind, 16))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    registration_number: Mapped[str] = mapped_column(String(100), default="")  # 备案编号
    head_name: Mapped[str] = mapped_column(String(100), default="")  # 主管负责人
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RegionGrant(Base):
    """Gives a user every site of every organisation within a region."""

    __tablename__ = "region_grants"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
