"""Every table of the service: importing this module registers all of them, so
:data:`metadata` is complete (Alembic and the schema tests compare against it)."""

from __future__ import annotations

from proctor.db import complaints, models, organisations
from proctor.db.base import Base
from proctor.oversight import models as oversight_models
from proctor.supervision import models as supervision_models
from proctor.supervision import oversight, records

TABLE_MODULES = (models, organisations, complaints, supervision_models, records, oversight,
                 oversight_models)
metadata = Base.metadata
