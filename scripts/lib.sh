# Shared by scripts/*: progress lines, failure that names the step, and the
# environment every build needs. Sourced, never run.
set -euo pipefail

PA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PA_CACHE=${PA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/petamigos}
export PA_ROOT PA_CACHE
# Debian's emcc needs acorn & co. from Debian's node modules for -O2 and up.
export NODE_PATH=/usr/share/nodejs
export DEBIAN_FRONTEND=noninteractive

PA_STEP=""
step() {
  PA_STEP=$1
  printf '==> %s\n' "$1"
}
die() {
  printf 'error: step "%s" failed: %s\n' "$PA_STEP" "$*" >&2
  exit 1
}
trap 'rc=$?; [ $rc -eq 0 ] || printf "error: step \"%s\" failed (exit %d); see the output above\n" "$PA_STEP" "$rc" >&2' EXIT

jobs_n() { nproc 2>/dev/null || echo 2; }

# The Emscripten cache this project builds into: a writable copy of Debian's
# frozen one, so our builds never touch /usr/share.
pa_em_env() {
  export EM_CACHE="$PA_CACHE/emcache-$(cat /usr/share/emscripten/emscripten-version.txt | tr -d '"')"
  export EM_FROZEN_CACHE=0
}
