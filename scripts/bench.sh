#!/usr/bin/env bash
# The benchmark of VQ Lab (issue 12): drives the release site (pkg/) in headless Chromium as a
# user would, on the CPU backend and on WebGPU through SwiftShader (a software adapter), and
# writes BENCHMARKS.md (the tables, also printed) and bench/results.json (every timing).
#
#   scripts/bench.sh           measure pkg/ (built first with `trunk build --release` if missing)
#   scripts/bench.sh --build   build pkg/ first, then measure
#
# Environment (tests/e2e/bench.mjs): VQ_LAB_BENCH_RUNS (runs of each operation, default 5),
# VQ_LAB_BENCH_ONLY (a regular expression over operation names such as cpu/photo-edit-idle or
# cpu/sample-fashion-8/windowed), VQ_LAB_BENCH_TIMEOUT_S (the limit of one wait, default 120 s
# on the CPU backend, 2.5 times that on SwiftShader), CHROMIUM (default /usr/bin/chromium).
# It is not a test: an operation that fails gets its sentence in the table, and the run goes on.
# Nothing else should run on the machine while it measures. CARGO_TARGET_DIR defaults to
# $HOME/.cache/vq-lab/target, shared by every clone.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=0
for argument in "$@"; do
  case "$argument" in
    --build) build=1 ;;
    -h | --help)
      sed -n '2,16p' "$0"
      exit 0
      ;;
    *)
      echo "bench.sh: unknown option $argument (try --help)" >&2
      exit 2
      ;;
  esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vq-lab/target}"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say() { printf '==> %s\n' "$*"; }

if ((build)) || [[ ! -f pkg/index.html || ! -f pkg/engine_worker_bg.wasm ]]; then
  say "building pkg/ (trunk build --release)"
  started=$SECONDS
  trunk build --release
  say "built pkg/ in $((SECONDS - started)) s"
fi

if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "bench.sh: no Chromium at ${CHROMIUM:-/usr/bin/chromium}; scripts/test-all.sh installs Debian's chromium" >&2
  exit 1
fi

# playwright-core drives /usr/bin/chromium and has no browser to download (as in test-all.sh).
wanted="$(node -p 'require("./tests/e2e/package.json").devDependencies["playwright-core"]')"
installed="$(node -p 'require("./tests/e2e/node_modules/playwright-core/package.json").version' 2>/dev/null || true)"
if [[ "$installed" != "$wanted" ]]; then
  say "installing the e2e test's npm packages"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

say "measuring pkg/ (built $(date -u -r pkg/engine_worker_bg.wasm '+%Y-%m-%d %H:%M UTC'))"
exec node tests/e2e/bench.mjs
