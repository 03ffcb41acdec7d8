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
# on_exit COMMAND: run COMMAND (a string, eval'd) when the script ends, however
# it ends (success, failure, Ctrl-C, SIGTERM); the last registered runs first.
# A script that sets its own EXIT trap replaces this one (and the line below).
PA_EXIT_HOOKS=()
on_exit() { PA_EXIT_HOOKS=("$1" "${PA_EXIT_HOOKS[@]}"); }
pa_exit() {
  local rc=$? h
  trap - EXIT INT TERM
  for h in "${PA_EXIT_HOOKS[@]}"; do eval "$h" || true; done
  [ $rc -eq 0 ] || printf "error: step \"%s\" failed (exit %d); see the output above\n" "$PA_STEP" "$rc" >&2
  exit $rc
}
trap pa_exit EXIT
# Without these, bash dies on SIGTERM without running the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

jobs_n() { nproc 2>/dev/null || echo 2; }

# The Emscripten cache this project builds into: a writable copy of Debian's
# frozen one, so our builds never touch /usr/share.
pa_em_env() {
  export EM_CACHE="$PA_CACHE/emcache-$(cat /usr/share/emscripten/emscripten-version.txt | tr -d '"')"
  export EM_FROZEN_CACHE=0
}
