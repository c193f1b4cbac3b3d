#!/usr/bin/env bash
# The benchmark of VQ Lab (issue 12): drives the release site (pkg/) in headless Chromium as a
# user would, on the CPU backend and on WebGPU through SwiftShader (a software adapter), and
# writes BENCHMARKS.md (the tables, also printed) and bench/results.json (every timing).
# Beside ours: the peer, the same decoder with the same weights run by onnxruntime-web (npm) in
# the same page, and each CPU operation's multiply-adds against the single-thread WebAssembly
# SIMD peak measured in the same Chromium.
#
#   scripts/bench.sh           measure pkg/ (built first with `trunk build --release` if missing)
#   scripts/bench.sh --build   build pkg/ first, then measure
#
# First, what the peer needs: a Python venv ($HOME/.cache/vq-lab/peer-venv: numpy, onnx,
# onnxruntime from PyPI), then per model bench/peer/<model>-decoder.onnx (git-ignored), written
# by scripts/export-onnx.py from the shipped weights (`cargo run --release -p vq-model --example
# export_decoder`) and checked against our decoder; again when a model or the scripts change.
#
# Environment (tests/e2e/bench.mjs): VQ_LAB_BENCH_RUNS (runs of each operation, default 5),
# VQ_LAB_BENCH_ONLY (a regular expression over operation names such as cpu/photo-edit-idle,
# cpu/sample-fashion-8/windowed, cpu/photo-full-decode (with its peer) or cpu/wasm-peak),
# VQ_LAB_BENCH_TIMEOUT_S (the limit of one wait, default 120 s on the CPU backend, 2.5 times
# that on SwiftShader), CHROMIUM (default /usr/bin/chromium).
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
      sed -n '2,25p' "$0"
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

# playwright-core drives /usr/bin/chromium and has no browser to download (as in test-all.sh);
# onnxruntime-web, the peer, has its own package (tests/e2e/peer), which the test command skips.
for folder in tests/e2e tests/e2e/peer; do
  for package in $(node -p "Object.keys(require('./$folder/package.json').devDependencies).join(' ')"); do
    wanted="$(node -p "require('./$folder/package.json').devDependencies['$package']")"
    installed="$(node -p "require('./$folder/node_modules/$package/package.json').version" 2>/dev/null || true)"
    if [[ "$installed" != "$wanted" ]]; then
      say "installing the npm packages of $folder"
      (cd "$folder" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
      break
    fi
  done
done

# The peer's decoder graphs: the venv, then each model's export (when missing or older than
# its weights or the scripts that write it).
venv="$HOME/.cache/vq-lab/peer-venv"
python_packages=(numpy==2.4.6 onnx==1.23.2 onnxruntime==1.32.0)
if ! "$venv/bin/python" -c 'import numpy, onnx, onnxruntime, sys; sys.exit(f"numpy=={numpy.__version__} onnx=={onnx.__version__} onnxruntime=={onnxruntime.__version__}" != sys.argv[1])' \
  "${python_packages[*]}" 2>/dev/null; then
  say "creating the peer's Python venv ($venv: ${python_packages[*]})"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${python_packages[@]}"
fi
for model in fashion photo; do
  onnx="bench/peer/$model-decoder.onnx"
  stale=0
  for source in "assets/models/$model/vqvae.bpk" scripts/export-onnx.py crates/vq-model/examples/export_decoder.rs; do
    [[ -f "$onnx" && ! "$source" -nt "$onnx" ]] || stale=1
  done
  if ((stale)); then
    say "writing $onnx (the decoder of the shipped $model model, for onnxruntime-web)"
    cargo run --release --quiet -p vq-model --example export_decoder -- "assets/models/$model" "bench/peer/$model"
    "$venv/bin/python" scripts/export-onnx.py "bench/peer/$model" "$onnx"
  fi
done

say "measuring pkg/ (built $(date -u -r pkg/engine_worker_bg.wasm '+%Y-%m-%d %H:%M UTC'))"
exec node tests/e2e/bench.mjs
