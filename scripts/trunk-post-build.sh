#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml), run in Trunk's staging folder before it becomes pkg/:
#
#   1. The build id: the first 12 hex digits of the SHA-256 of every file built (wasm, scripts,
#      page, models, training images, examples), so the same sources give the same id.
#   2. No inline script (the Content-Security-Policy in www/index.html allows none): Trunk's
#      inline module script that starts the UI is moved into boot.js, loaded by its address.
#   3. The id written where the parts meet: the page's <meta name="vq-lab-build">; the engine's
#      loader, which names it to the engine (`self.VQ_LAB_BUILD`, reported back to the page,
#      which refuses an engine of another build) and loads the engine's files with
#      `?build=<id>`, so no cache pairs this page with an older engine; the service worker's
#      cache name (one cache per build, the old ones removed).
set -euo pipefail

cd "${TRUNK_STAGING_DIR:?run by trunk build (Trunk.toml hooks)}"

for file in index.html engine_worker_loader.js sw.js; do
  [[ -f "$file" ]] || { echo "trunk-post-build: $file is missing from the build" >&2; exit 1; }
done

build="$(find . -type f ! -name boot.js -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"

# 2. Trunk's loader into boot.js. The pattern must match exactly one script, or the build fails.
BUILD="$build" perl -0777 -i -pe '
  my $count = s{<script type="module">\s*(.*?)\s*</script>}{
    open(my $out, ">", "boot.js") or die "boot.js: $!\n";
    print $out "// Starts the page (written by Trunk, moved here by scripts/trunk-post-build.sh).\n$1\n";
    close $out;
    q{<script type="module" src="/boot.js"></script>}
  }gse;
  $count == 1 or die "trunk-post-build: expected one inline module script in index.html, found $count\n";
  /<script>/ and die "trunk-post-build: index.html still has an inline script\n";
  s{<meta name="vq-lab-build" content="" />}{<meta name="vq-lab-build" content="$ENV{BUILD}" />} == 1
    or die "trunk-post-build: no build meta in index.html\n";
' index.html

# 3. The engine's loader and the service worker.
BUILD="$build" perl -0777 -i -pe '
  s{"\./engine_worker\.js"}{"./engine_worker.js?build=$ENV{BUILD}"} == 1 or die "trunk-post-build: the loader does not load engine_worker.js\n";
  s{"\./engine_worker_bg\.wasm"}{"./engine_worker_bg.wasm?build=$ENV{BUILD}"} == 1 or die "trunk-post-build: the loader does not load engine_worker_bg.wasm\n";
  $_ = "self.VQ_LAB_BUILD = \"$ENV{BUILD}\";\n$_";
' engine_worker_loader.js
BUILD="$build" perl -0777 -i -pe '
  s{__VQ_LAB_BUILD__}{$ENV{BUILD}} == 1 or die "trunk-post-build: no build placeholder in sw.js\n";
' sw.js

echo "trunk-post-build: build $build; the loader in boot.js"
