# Production image of the proctor server (also used by the one-shot `storage-init`
# service in docker-compose.yml). Build from the repository root:
#   docker build -t proctor/server:local .
# Detection (ultralytics + torch, several GB) is not installed by default; add it with
#   docker build --build-arg PROCTOR_EXTRAS=server,postgres,vision -t proctor/server:local .
FROM python:3.11-slim

ARG PROCTOR_EXTRAS=server,postgres

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    YOLO_OFFLINE=1 \
    HOME=/var/lib/proctor

# fonts-noto-cjk: the Chinese font of the supervision report PDFs. ultralytics pulls the
# non-headless OpenCV wheel, which needs libGL and GLib.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && case ",${PROCTOR_EXTRAS}," in \
      *,vision,*) apt-get install -y --no-install-recommends libgl1 libglib2.0-0 ;; \
    esac \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 proctor \
    && useradd --system --uid 10001 --gid proctor --home-dir /var/lib/proctor \
       --shell /usr/sbin/nologin proctor

# Versions come from requirements.lock (CPython 3.11, linux x86_64; scripts/lock updates it).
# The development package proctor_dev/ is not in the build context (.dockerignore).
WORKDIR /app
COPY . /app
RUN pip install --constraint /app/requirements.lock "/app[${PROCTOR_EXTRAS}]" \
    && rm -rf /app/build /app/*.egg-info \
    && mkdir -p /app/models/cache /var/lib/proctor \
    && chown -R proctor:proctor /app/models/cache /var/lib/proctor

# The source tree stays at /app (read-only, owned by root) and comes first on sys.path,
# so paths resolved relative to the package (web/ templates and static files, models/
# manifest) point into /app. /app/models/cache holds imported detector weights and is a
# named volume in docker-compose.yml.
ENV PYTHONPATH=/app

USER proctor
EXPOSE 8000
CMD ["proctor", "serve", "--host", "0.0.0.0", "--port", "8000"]
