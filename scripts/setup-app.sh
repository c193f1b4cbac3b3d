#!/usr/bin/env bash
# Installs what building the VQ Lab page needs (only what is missing), builds pkg/ with Trunk,
# and serves it on http://127.0.0.1:8080/.
#
#   scripts/setup-app.sh                 install, build, serve (Trunk rebuilds on changes)
#   scripts/setup-app.sh --build-only    install and build pkg/, do not serve
#   scripts/setup-app.sh --install-only  install the tools only
#
# Nothing is downloaded at build time: Trunk runs offline (Trunk.toml) with the tools installed
# here from crates.io. CARGO_TARGET_DIR defaults to a cache shared by every clone,
# $HOME/.cache/vq-lab/target; set it to build elsewhere.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=serve
for argument in "$@"; do
  case "$argument" in
    --build-only) mode=build ;;
    --install-only) mode=install ;;
    -h | --help)
      sed -n '2,12p' "$0"
      exit 0
      ;;
    *)
      echo "setup-app.sh: unknown option $argument (try --help)" >&2
      exit 2
      ;;
  esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vq-lab/target}"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
# Trunk runs the wasm-bindgen CLI only when its version equals the crate's in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [[ -z "$WASM_BINDGEN_VERSION" ]]; then
  echo "setup-app.sh: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi

say() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# `cargo install` builds in its own temporary directory, not in CARGO_TARGET_DIR.
if ! trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores)"
  # --locked: without it Trunk 0.21 does not compile; Trunk 0.22 needs a newer rustc.
  env -u CARGO_TARGET_DIR cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qw "$WASM_BINDGEN_VERSION" ||
  ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # Not --locked: its lock file does not build with this toolchain.
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if [[ "$mode" == install ]]; then
  say "tools ready: $(trunk --version), $(wasm-bindgen --version)"
  exit 0
fi

if [[ "$mode" == build ]]; then
  say "building pkg/ (release)"
  trunk build --release
  say "built $(du -sh pkg | cut -f1) into pkg/"
  exit 0
fi

say "building and serving on http://127.0.0.1:8080/ (Ctrl-C stops; Trunk rebuilds on changes)"
echo "http://127.0.0.1:8080/"
# --no-autoreload: pkg/ stays the deployable site (no reload script injected into index.html).
exec trunk serve --release --no-autoreload
