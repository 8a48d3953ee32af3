#!/bin/sh
# Entrypoint of the seaweedfs-s3 container: render the S3 identities file from the
# environment, then start `weed s3` with the arguments given as the container command.
#
# The template (s3.json, mounted read-only) holds ${PROCTOR_S3_ACCESS_KEY},
# ${PROCTOR_S3_SECRET_KEY} (the server's runtime identity), ${PROCTOR_S3_ADMIN_ACCESS_KEY},
# ${PROCTOR_S3_ADMIN_SECRET_KEY} (the admin identity of `proctor storage init`) and
# ${PROCTOR_S3_BUCKET}. The rendered copy lives on a tmpfs
# (docker-compose.yml) and is never written to a volume. The server is then started
# through the image's own /entrypoint.sh, which drops root privileges to the `seaweed`
# user (SeaweedFS 4.x images); without it, `weed` is run directly.
set -eu

TEMPLATE=${S3_CONFIG_TEMPLATE:-/etc/seaweedfs/s3.json.template}
RENDERED=${S3_CONFIG_RENDERED:-/run/seaweedfs/s3.json}

require() {
  # $1: variable name, $2: value. Refuse empty values and characters that would need
  # escaping in JSON or in the sed replacement below.
  case "$2" in
    "") echo "s3-entrypoint: $1 is empty" >&2; exit 64 ;;
    *[!A-Za-z0-9._+=/-]*)
      echo "s3-entrypoint: $1 may only contain A-Z a-z 0-9 . _ + = / -" >&2; exit 64 ;;
  esac
}

require PROCTOR_S3_ACCESS_KEY "${PROCTOR_S3_ACCESS_KEY:-}"
require PROCTOR_S3_SECRET_KEY "${PROCTOR_S3_SECRET_KEY:-}"
require PROCTOR_S3_ADMIN_ACCESS_KEY "${PROCTOR_S3_ADMIN_ACCESS_KEY:-}"
require PROCTOR_S3_ADMIN_SECRET_KEY "${PROCTOR_S3_ADMIN_SECRET_KEY:-}"
require PROCTOR_S3_BUCKET "${PROCTOR_S3_BUCKET:-}"
require WEED_JWT_SIGNING_KEY "${WEED_JWT_SIGNING_KEY:-}"
require WEED_JWT_FILER_SIGNING_KEY "${WEED_JWT_FILER_SIGNING_KEY:-}"

umask 077
mkdir -p "$(dirname "$RENDERED")"
sed -e "s|\${PROCTOR_S3_ACCESS_KEY}|${PROCTOR_S3_ACCESS_KEY}|g" \
    -e "s|\${PROCTOR_S3_SECRET_KEY}|${PROCTOR_S3_SECRET_KEY}|g" \
    -e "s|\${PROCTOR_S3_ADMIN_ACCESS_KEY}|${PROCTOR_S3_ADMIN_ACCESS_KEY}|g" \
    -e "s|\${PROCTOR_S3_ADMIN_SECRET_KEY}|${PROCTOR_S3_ADMIN_SECRET_KEY}|g" \
    -e "s|\${PROCTOR_S3_BUCKET}|${PROCTOR_S3_BUCKET}|g" \
    "$TEMPLATE" > "$RENDERED"

if grep -q '\${' "$RENDERED"; then
  echo "s3-entrypoint: unrendered placeholder left in $RENDERED" >&2
  exit 65
fi

# The image's entrypoint runs weed as the unprivileged `seaweed` user: let it read the file.
if [ "$(id -u)" = 0 ] && id seaweed >/dev/null 2>&1; then
  chown seaweed:seaweed "$(dirname "$RENDERED")" "$RENDERED"
fi

UPSTREAM_ENTRYPOINT=${UPSTREAM_ENTRYPOINT:-/entrypoint.sh}
if [ -f "$UPSTREAM_ENTRYPOINT" ]; then
  exec /bin/sh "$UPSTREAM_ENTRYPOINT" s3 -config="$RENDERED" "$@"
fi
exec "${WEED_BINARY:-/usr/bin/weed}" -logtostderr=true s3 -config="$RENDERED" "$@"
