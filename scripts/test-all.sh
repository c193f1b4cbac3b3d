#!/usr/bin/env bash
# Every check of VQ Lab, cheapest first, failing fast (this is what .ci/run runs):
#
#   1. cargo fmt --check             6. browser tests, no WebGPU adapter (CPU fallback)
#   2. layering (cargo tree)         7. browser tests, WebGPU on SwiftShader
#   3. clippy, native                8. trunk build --release (pkg/)
#   4. clippy, wasm32                9. end-to-end tests of pkg/ in headless Chromium
#   5. cargo test, native
#
# It first installs what is missing (Debian packages, the held-out photographs of
# scripts/install-photo-data.sh, the wasm tools, the e2e test's npm packages); nothing
# downloads a browser. Browser tests and the site are built with one cargo
# profile (`web`, Cargo.toml) and the engine's features, so burn is compiled once for both.
# CARGO_TARGET_DIR defaults to $HOME/.cache/vq-lab/target, shared by every clone.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vq-lab/target}"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

timings=()
tier() {
  local name="$1"
  shift
  printf '\n==> %s\n' "$name"
  local started=$SECONDS
  "$@"
  local took=$((SECONDS - started))
  timings+=("$(printf '%5d s  %s' "$took" "$name")")
  printf '<== %s: %d s\n' "$name" "$took"
}
report() {
  local status=$?
  printf '\n--- timings ---\n'
  printf '%s\n' "${timings[@]}"
  if [[ $status -eq 0 ]]; then echo "test-all: all tiers passed"; else echo "test-all: FAILED (exit $status)"; fi
}
trap report EXIT

install_debian_packages() {
  local packages=(chromium chromium-driver dataset-fashion-mnist plasma-workspace-wallpapers
    mate-backgrounds ukui-wallpapers)
  local missing=()
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_e2e_packages() {
  # playwright-core drives /usr/bin/chromium and has no browser to download.
  local wanted installed
  wanted="$(node -p 'require("./tests/e2e/package.json").devDependencies["playwright-core"]')"
  installed="$(node -p 'require("./tests/e2e/node_modules/playwright-core/package.json").version' 2>/dev/null || true)"
  if [[ "$installed" != "$wanted" ]]; then
    (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

install_all() {
  install_debian_packages
  # The held-out photographs the photo model's asset test measures it on (idempotent).
  scripts/install-photo-data.sh --held-out-only
  scripts/setup-app.sh --install-only
  install_e2e_packages
}

# Fails when `cargo tree <args> -e normal` lists a crate whose name matches the extended regular
# expression `pattern`; prints the crates found and, for the first, how it gets in.
forbid_in_tree() {
  local rule="$1" pattern="$2"
  shift 2
  local tree found first
  if ! tree="$(cargo tree "$@" -e normal --prefix none)"; then
    echo "FAIL: $rule: cargo tree $* -e normal did not run"
    return 1
  fi
  found="$(grep -E "^($pattern) v[0-9]" <<<"$tree" | sed 's/ (\*)$//' | sort -u || true)"
  if [[ -z "$found" ]]; then
    echo "ok: $rule"
    return 0
  fi
  echo "FAIL: $rule; cargo tree $* -e normal lists:"
  sed 's/^/    /' <<<"$found"
  first="$(head -n 1 <<<"$found" | awk '{ sub(/^v/, "", $2); print $1 "@" $2 }')"
  echo "  how $first gets in (cargo tree $* -e normal -i $first --depth 6):"
  cargo tree "$@" -e normal -i "$first" --depth 6 2>&1 | head -n 30 | sed 's/^/    /' || true
  return 1
}

# The crates' layering (ARCHITECTURE.md, "Invariants"), from cargo's dependency graph: cheap, and
# it names the offending crate where clippy or a build would only grow slower or bigger.
layering() {
  local burn='burn(-[a-z0-9_-]+)?'
  local web='web-sys|js-sys|wasm-bindgen(-[a-z0-9_-]+)?|leptos([-_][a-z0-9_-]+)?'
  local failed=0
  forbid_in_tree "the page's wasm (feature ui) holds no burn" "$burn" \
    -p vq-lab --target wasm32-unknown-unknown --no-default-features --features ui || failed=1
  forbid_in_tree "vq-model depends on no web crate" "$web" -p vq-model || failed=1
  forbid_in_tree "the app (all features, every target) never depends on vq-train" "vq-train" \
    -p vq-lab --target all || failed=1
  forbid_in_tree "vq-codes (every target) depends on no burn" "$burn" -p vq-codes --target all || failed=1
  forbid_in_tree "vq-codes (every target) depends on no web crate" "$web" -p vq-codes --target all || failed=1
  return "$failed"
}

browser_tests() {
  # The webdriver file chooses Chromium's flags and marks what the run must show (see
  # tests/engine_browser.rs); both runs use one build, the engine's feature only, as Trunk's.
  local webdriver="$1"
  CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}" \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$repo/tests/webdriver/$webdriver.json" \
    cargo test -p vq-lab --profile web --target wasm32-unknown-unknown \
    --no-default-features --features engine --test engine_browser -- --nocapture
}

tier "install what is missing" install_all
tier "cargo fmt --check" cargo fmt --all --check
tier "layering (cargo tree)" layering
tier "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
tier "clippy (wasm32)" cargo clippy -p vq-lab -p vq-model --all-targets --target wasm32-unknown-unknown -- -D warnings
tier "cargo test (native)" cargo test --workspace
tier "browser tests: no WebGPU adapter (CPU)" browser_tests cpu
tier "browser tests: WebGPU on SwiftShader" browser_tests swiftshader
tier "trunk build --release" trunk build --release
tier "end-to-end tests (headless Chromium)" node tests/e2e/e2e.mjs
