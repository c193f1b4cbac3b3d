// End-to-end tests of the built site (tier 4 of DESIGN.md): serve pkg/ on localhost, drive
// Debian's headless Chromium with playwright-core (which never downloads a browser), find
// nodes by data-testid, save screenshots into tests/e2e/screenshots/.
//
//   node tests/e2e/e2e.mjs            (after `trunk build --release`)
//
// Environment: VQ_LAB_PKG (default <repo>/pkg), CHROMIUM (default /usr/bin/chromium),
// VQ_LAB_E2E_ONLY (a regular expression of scenario titles to run),
// VQ_LAB_E2E_TIMEOUT_MS (default 180000: SwiftShader is slow; the limit of a step that has no
// limit of its own).
//
// Every check prints "ok:" or "FAIL:". A wait that runs out counts a FAIL that says what the
// page showed, and stops its scenario (unless later steps do not depend on it); a step that
// throws counts a FAIL too; either way the next scenario runs. Every scenario that names a
// backend checks that the badge shows it. The last line is `e2e: N passed, M failed`, and the
// exit status is 1 when M > 0 (or when no check ran).

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { readFile, writeFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { BASE_ARGS, SWIFTSHADER_ARGS, darkShoeOnWhite, largeJpeg, markVisited, png } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const pkg = resolve(process.env.VQ_LAB_PKG ?? join(root, "pkg"));
const screenshots = join(here, "screenshots");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const timeout = Number(process.env.VQ_LAB_E2E_TIMEOUT_MS ?? 180000);


/// The shipped photo model's geometry, read from the site's `models/photo/config.json`: `cell`,
/// the pixels a side of one code (`vqvae.downsample`, 4 where absent), and `reach(c)`, the pixels
/// `[from, to)` along one axis that a code in cell `c` reaches through the decoder (its 3×3
/// layers and resampling, as `vq_model::vqvae::Upsampling` counts them: 4c − 15 ..< 4c + 19 at
/// ÷4, 2c − 9 ..< 2c + 11 at ÷2).
function photoGeometry() {
  const config = JSON.parse(readFileSync(join(pkg, "models", "photo", "config.json"), "utf8"));
  const cell = config.vqvae.downsample ?? 4;
  const [before, after] = { 4: [15, 19], 2: [9, 11] }[cell];
  return { cell, reach: (c) => [cell * c - before, cell * c + after] };
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

// While true, the server drops every connection, as if the network were gone.
let serverDown = false;
// When set, the service worker the server answers names this build instead of its own, as a
// new build on the server would.
let swBuild = null;

function serve(directory) {
  const server = createServer(async (request, response) => {
    if (serverDown) {
      request.socket.destroy();
      return;
    }
    let path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    // /broken/ is the site without the engine's worker script: the page must say so.
    if (path.startsWith("/broken/")) {
      if (path.endsWith("engine_worker_loader.js")) {
        response.writeHead(404).end("not found");
        return;
      }
      path = path.slice("/broken".length);
    }
    // /stale/ is the site with an engine of another build: the page must refuse it.
    let stale = false;
    if (path.startsWith("/stale/")) {
      stale = path.endsWith("engine_worker_loader.js");
      path = path.slice("/stale".length);
    }
    const file = normalize(join(directory, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(directory)) {
      response.writeHead(403).end();
      return;
    }
    try {
      let body = await readFile(file);
      if (stale) {
        body = Buffer.from(body.toString().replace(/VQ_LAB_BUILD = "[0-9a-f]+"/, 'VQ_LAB_BUILD = "000000000000"'));
      }
      if (swBuild && path === "/sw.js") {
        body = Buffer.from(body.toString().replace(/const BUILD = "[0-9a-f]+"/, `const BUILD = "${swBuild}"`));
      }
      response.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

let passes = 0;
let failures = 0;
function pass(message) {
  passes += 1;
  console.log(`    ok: ${message}`);
}
function fail(message) {
  failures += 1;
  console.log(`    FAIL: ${message}`);
}
function check(condition, message) {
  if (condition) pass(message);
  else fail(message);
}

/// Thrown after a failed step that later steps of its scenario depend on: the FAIL is already
/// counted, and `scenario` goes on with the next scenario.
class ScenarioStopped extends Error {}

/// Waits at most `seconds` for `predicate(arg)` to hold in the page. Counts an ok, or on timeout a
/// FAIL with `message`, the limit and what `observe()` reads from the page (without one, the
/// start of the page's text); then, unless
/// `fatal` is false, stops the scenario (`ScenarioStopped`). Returns whether it held.
async function expectWithin(page, message, seconds, predicate, arg, observe, { fatal = true } = {}) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: seconds * 1000 });
  } catch (error) {
    if (error?.name !== "TimeoutError") throw error;
    let seen;
    try {
      seen = observe ? await observe() : JSON.stringify(await page.evaluate(() => document.body.innerText.slice(0, 400)));
    } catch (observing) {
      seen = `(the page could not be read: ${String(observing.message ?? observing).split("\n")[0]})`;
    }
    fail(`${message}: not within ${seconds} s; the page shows ${seen}`);
    if (fatal) throw new ScenarioStopped(message);
    return false;
  }
  pass(message);
  return true;
}

/// What the page shows around an edit, for a FAIL's message.
async function editState(page) {
  return page.evaluate(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim();
    const codes = [...document.querySelectorAll('[data-testid="code-cell"]')].map((n) => n.dataset.code);
    return JSON.stringify({
      codes: codes.length ? codes.join(",") : undefined,
      cell: text("cell-info"),
      selected: text("selected-cell"),
      pending: !!document.querySelector('[data-testid="edit-pending"]'),
      tool: document.querySelector('[data-testid="tool"][aria-pressed="true"]')?.dataset.tool,
      message: text("tool-message"),
      editError: text("edit-error"),
      uploadError: text("upload-error"),
      engineError: text("engine-error"),
    });
  });
}

/// Waits at most `seconds` until the small heatmap's codes are `expected` (null entries: any
/// code) and no edit is pending; counts an ok or a FAIL that lists the cells that differ.
async function expectCodes(page, message, seconds, expected, { fatal = true } = {}) {
  return expectWithin(page, message, seconds, (want) => {
    const got = [...document.querySelectorAll('[data-testid="code-cell"]')].map((n) => Number(n.dataset.code));
    return got.length === want.length && want.every((c, i) => c === null || c === got[i]) &&
      !document.querySelector('[data-testid="edit-pending"]');
  }, expected, async () => {
    const state = await page.evaluate(() => ({
      got: [...document.querySelectorAll('[data-testid="code-cell"]')].map((n) => Number(n.dataset.code)),
      cols: Number(document.querySelector('[data-testid="heatmap"]')?.getAttribute("data-cols")),
      pending: !!document.querySelector('[data-testid="edit-pending"]'),
    }));
    const cols = state.cols || 7;
    const wrong = expected.flatMap((want, i) => (want === null || want === state.got[i] ? []
      : [`(${Math.floor(i / cols)}, ${i % cols}) ${state.got[i]} not ${want}`]));
    return `${state.got.length} cells${state.got.length === expected.length ? "" : ` (expected ${expected.length})`}, ` +
      `${wrong.length} wrong: ${wrong.slice(0, 12).join("; ") || "none"}${state.pending ? "; an edit is pending" : ""}`;
  }, { fatal });
}

/// Waits at most `seconds` for cell (`row`, `col`) of the small heatmap to hold `code`.
async function expectCellCode(page, message, seconds, row, col, code, options) {
  return expectWithin(page, message, seconds, ([r, c, k]) =>
    document.querySelector(`[data-testid="code-cell"][data-row="${r}"][data-col="${c}"]`)?.dataset.code === String(k),
  [row, col, code], async () => `code ${await page.evaluate(([r, c]) =>
    document.querySelector(`[data-testid="code-cell"][data-row="${r}"][data-col="${c}"]`)?.dataset.code ?? "(none)", [row, col])
  } at (${row}, ${col}) (expected ${code}); ${await editState(page)}`, options);
}

/// Waits at most `seconds` for the backend badge and checks that it shows `backend` ("cpu" or
/// "webgpu"): its data-backend and its name. A FAIL stops the scenario: what follows would
/// test another backend than the one its title claims.
async function expectBackend(page, backend, seconds = 90) {
  const name = { cpu: "CPU", webgpu: "WebGPU" }[backend];
  await expectWithin(page, "the backend badge is shown", seconds,
    () => document.querySelector('[data-testid="backend-badge"], [data-testid="engine-error"]'), null,
    async () => JSON.stringify(await page.evaluate(() => document.querySelector("main, body")?.innerText.slice(0, 300))));
  const shown = await page.evaluate(() => ({
    backend: document.querySelector('[data-testid="backend-badge"]')?.dataset.backend,
    name: document.querySelector('[data-testid="backend-name"]')?.textContent.trim(),
    adapter: document.querySelector('[data-testid="adapter-name"]')?.textContent.trim(),
    error: document.querySelector('[data-testid="engine-error"]')?.textContent.trim(),
  }));
  const ok = shown.backend === backend && shown.name === name;
  check(ok, `the badge shows ${name}: ${JSON.stringify(shown)}`);
  if (!ok) throw new ScenarioStopped(`the badge does not show ${name}`);
}

/// Checks that what `loadBadge` read shows `backend` ("cpu" or "webgpu"): data-backend and the
/// badge's name. With `fatal`, a FAIL stops the scenario.
function checkBadge(badge, backend, { fatal = false } = {}) {
  const name = { cpu: "CPU", webgpu: "WebGPU" }[backend];
  const ok = badge.backend === backend && badge.name === name;
  check(ok, `the badge says ${name}${ok ? "" : `: ${JSON.stringify(badge)}`}`);
  if (!ok && fatal) throw new ScenarioStopped(`the badge does not say ${name}`);
  return ok;
}

/// Runs `body` in a fresh browser. Unless `firstVisit`, every page of it opens as a returning
/// visit's (`markVisited`): no example encoded by itself, no tour, the lab as the scenarios
/// expect it.
async function withBrowser(args, body, { firstVisit = false } = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), "vq-lab-e2e-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...BASE_ARGS, ...args],
    viewport: { width: 1100, height: 700 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    if (!firstVisit) await page.addInitScript(markVisited);
    page.setDefaultTimeout(timeout);
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await body(page, errors);
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

const byId = (page, id) => page.locator(`[data-testid="${id}"]`);

/// Loads `url`, waits for the badge or an error, returns what the badge says.
async function loadBadge(page, url) {
  const started = Date.now();
  await page.goto(url);
  await page.locator('[data-testid="backend-badge"], [data-testid="engine-error"]').first().waitFor();
  if (await byId(page, "engine-error").count()) {
    return { error: await byId(page, "engine-error").innerText() };
  }
  const badge = byId(page, "backend-badge");
  return {
    seconds: (Date.now() - started) / 1000,
    backend: await badge.getAttribute("data-backend"),
    software: await badge.getAttribute("data-software-adapter"),
    name: await byId(page, "backend-name").innerText(),
    adapter: await byId(page, "adapter-name").innerText(),
    // Folded under "Details": its text, not what is rendered.
    reason: await byId(page, "backend-reason").textContent(),
    warmup: await byId(page, "warmup-time").innerText(),
    text: await badge.innerText(),
  };
}


// ------------------------------------------------------------------ images for the lab


/// The reconstruction canvas's RGBA bytes.
async function reconstructionPixels(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="reconstruction"]');
    const context = canvas.getContext("2d");
    return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
  });
}

/// Waits for the heatmap of the image `source` (the encoded-info line names it).
async function waitForEncoding(page, source) {
  await page.waitForFunction(
    (name) => document.querySelector('[data-testid="encoded-info"]')?.textContent.startsWith(name + ":"),
    source,
  );
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="code-cell"], [data-testid="heatmap-canvas"]').length > 0 &&
      !document.querySelector('[data-testid="encoding"]'),
  );
}

async function cellCode(page, row, col) {
  return Number(await page.locator(`[data-testid="code-cell"][data-row="${row}"][data-col="${col}"]`).getAttribute("data-code"));
}

/// The lab on one backend: load fashion (with progress), upload files, edit, undo, bad file.
async function labScenario(page, errors, url, backend, label) {
  await page.addInitScript(() => {
    // Main-thread tasks over 50 ms (the Long Tasks API), with their start times.
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask", buffered: true });
    window.__stages = [];
    new MutationObserver(() => {
      const stage = document.querySelector('[data-testid="load-stage"]')?.dataset.stage;
      if (stage && window.__stages.at(-1) !== stage) window.__stages.push(stage);
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const started = Date.now();
  await page.goto(url);
  await page.locator('[data-testid="model-status"], [data-testid="model-error"], [data-testid="engine-error"]').first().waitFor();
  const status = await page.locator('[data-testid="model-status"], [data-testid="model-error"], [data-testid="engine-error"]').first().innerText();
  console.log(`    model: ${status} (page to model ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await expectBackend(page, backend);
  check(await byId(page, "model-status").count() === 1, "the fashion model loads");
  const stages = await page.evaluate(() => window.__stages);
  check(stages.includes("Downloading"), `the progress bar showed the stages: ${stages.join(" → ")}`);
  await page.screenshot({ path: join(screenshots, `${label}-model-loaded.png`), fullPage: true });

  // A file through the input: dark shoe on white, 150×120.
  const uploadStarted = Date.now();
  await byId(page, "file-input").setInputFiles({ name: "dark-shoe.png", mimeType: "image/png", buffer: darkShoeOnWhite() });
  await waitForEncoding(page, "dark-shoe.png");
  console.log(`    upload to heatmap: ${Date.now() - uploadStarted} ms`);
  const heatmap = byId(page, "heatmap");
  check(await heatmap.getAttribute("data-rows") === "7" && await heatmap.getAttribute("data-cols") === "7", "the heatmap is 7×7");
  check(await byId(page, "code-cell").count() === 49, "the heatmap has 49 cells");
  const info = await byId(page, "encoded-info").innerText();
  check(/150×120 → 28×28/.test(info) && /Inverted automatically/.test(info), `the upload was cropped, resized and inverted: ${info}`);
  await page.locator('[data-testid="code-cell"][data-row="2"][data-col="4"]').hover();
  const cellInfo = await byId(page, "cell-info").innerText();
  check(/Cell \(2, 4\): code \d+ · distance [\d.]+ · margin [\d.]+/.test(cellInfo), `hover shows the cell: ${cellInfo}`);
  check(await byId(page, "original-highlight").count() === 1 && await byId(page, "reconstruction-highlight").count() === 1,
    "hover highlights the cell's region on both images");
  await page.screenshot({ path: join(screenshots, `${label}-uploaded-hover.png`), fullPage: true });
  const styleByCode = await page.locator('[data-testid="code-cell"]').first().getAttribute("style");
  await byId(page, "colour-by").selectOption("margin");
  await page.waitForFunction((style) =>
    document.querySelector('[data-testid="code-cell"]').getAttribute("style") !== style, styleByCode);
  check(await byId(page, "code-cell").count() === 49, "the heatmap can be coloured by margin");
  await page.screenshot({ path: join(screenshots, `${label}-margin.png`), fullPage: true });
  await byId(page, "colour-by").selectOption("code");

  // Edit the corner cell (0, 0): only pixels within its receptive field may change.
  const before = await reconstructionPixels(page);
  const oldCode = await cellCode(page, 0, 0);
  const newCode = (oldCode + 64) % 128;
  await page.locator('[data-testid="code-cell"][data-row="0"][data-col="0"]').click();
  await byId(page, "code-input").fill(String(newCode));
  const editStarted = Date.now();
  await byId(page, "apply-code").click();
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="0"][data-col="0"]')?.dataset.code === String(code), newCode);
  console.log(`    edit round trip: ${Date.now() - editStarted} ms; ${await byId(page, "edit-time").innerText()}`);
  const after = await reconstructionPixels(page);
  // Decoder reach 3 cells (1 + 2 residual blocks): cell 0 reaches pixels 0 ..< 4·3 + 7 = 19.
  const field = 19;
  let changed = 0;
  let outside = 0;
  for (let i = 0; i < after.length; i += 4) {
    const x = (i / 4) % 28;
    const y = Math.floor(i / 4 / 28);
    if (after[i] !== before[i] || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2]) {
      changed += 1;
      if (x >= field || y >= field) outside += 1;
    }
  }
  check(changed > 0, `the edit changed ${changed} pixels of the reconstruction`);
  check(outside === 0, `none outside the cell's receptive field (${outside} outside)`);
  await page.screenshot({ path: join(screenshots, `${label}-edited.png`), fullPage: true });

  await byId(page, "undo").click();
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="0"][data-col="0"]')?.dataset.code === String(code), oldCode);
  const undone = await reconstructionPixels(page);
  check(undone.every((v, i) => v === before[i]), "undo restores the reconstruction exactly");
  await page.keyboard.press("Control+y");
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="0"][data-col="0"]')?.dataset.code === String(code), newCode);
  const redone = await reconstructionPixels(page);
  check(redone.every((v, i) => v === after[i]), "Ctrl-Y redoes it exactly");
  await page.keyboard.press("Control+z");
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="0"][data-col="0"]')?.dataset.code === String(code), oldCode);
  check((await reconstructionPixels(page)).every((v, i) => v === before[i]), "Ctrl-Z undoes it exactly");

  // An edit after undo must decode from the engine's restored grid: set the same code twice.
  await page.locator('[data-testid="code-cell"][data-row="0"][data-col="0"]').click();
  await byId(page, "code-input").fill(String(newCode));
  await byId(page, "apply-code").click();
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="0"][data-col="0"]')?.dataset.code === String(code), newCode);
  const again = await reconstructionPixels(page);
  const worst = again.reduce((m, v, i) => Math.max(m, Math.abs(v - after[i])), 0);
  check(worst <= 1, `the same edit again gives the same pixels (largest difference ${worst})`);
  await byId(page, "reset").click();
  check((await reconstructionPixels(page)).every((v, i) => v === before[i]), "reset restores the encoded reconstruction");

  // Painting codes: twelve edits in a row, while a PerformanceObserver watches the main thread.
  const editingFrom = await page.evaluate(() => performance.now());
  for (let i = 0; i < 12; i++) {
    const [row, col] = [i % 7, (3 * i) % 7];
    await cell(page, row, col).click();
    const code = (await cellCode(page, row, col) + 17 + i) % 128;
    await byId(page, "code-input").fill(String(code));
    await byId(page, "code-input").press("Enter");
    await page.waitForFunction(([r, c, k]) =>
      document.querySelector(`[data-testid="code-cell"][data-row="${r}"][data-col="${c}"]`)?.dataset.code === String(k), [row, col, code]);
  }
  const longTasks = await page.evaluate((from) => window.__longTasks.filter((t) => t.start >= from), editingFrom);
  const longest = longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
  const allTasks = await page.evaluate(() => window.__longTasks.length);
  console.log(`    long tasks while editing: ${longTasks.length} (longest ${longest.toFixed(0)} ms); ${allTasks} since the page opened`);
  if (label === "lab-cpu") {
    check(longTasks.length === 0, `no main-thread task over 50 ms while editing on the CPU backend (${longTasks.length})`);
  }
  await byId(page, "reset").click();

  // Keyboard: arrows move the selection; "?" shows the shortcuts, Escape hides them.
  await cell(page, 2, 2).click();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  check(/Cell \(3, 3\)/.test(await byId(page, "selected-cell").innerText()), "the arrow keys move the selected cell");
  await page.keyboard.press("?");
  await byId(page, "help").waitFor();
  check(/Keyboard shortcuts/.test(await byId(page, "help").innerText()), "? shows the keyboard shortcuts");
  await page.screenshot({ path: join(screenshots, `${label}-help.png`), fullPage: false });
  await page.keyboard.press("Escape");
  await byId(page, "help").waitFor({ state: "detached" });

  // The codebook: every code as a tile; a click with a cell selected sets it (a palette).
  await expectWithin(page, "the codebook panel counts 128 codes", 60,
    () => /128 codes/.test(document.querySelector('[data-testid="codebook-summary"]')?.textContent ?? ""), null,
    async () => `the codebook summary ${JSON.stringify(await page.evaluate(() =>
      document.querySelector('[data-testid="codebook-summary"]')?.textContent ?? null))}`);
  await byId(page, "codebook-find").fill("5");
  check(/^Code 5: \d+ cells of this image/.test(await byId(page, "codebook-detail").innerText()), "finding a code by number describes it");
  await cell(page, 1, 1).click();
  const paletteCode = (await cellCode(page, 1, 1)) === 17 ? 18 : 17;
  await byId(page, "codebook-atlas").scrollIntoViewIfNeeded();
  const atlas = await byId(page, "codebook-atlas").boundingBox();
  // 16 tiles per row, 8 rows for 128 codes.
  await page.mouse.click(atlas.x + ((paletteCode % 16) + 0.5) * atlas.width / 16, atlas.y + (Math.floor(paletteCode / 16) + 0.5) * atlas.height / 8);
  await expectCellCode(page, `clicking code ${paletteCode} in the codebook sets the selected cell`, 30, 1, 1, paletteCode);
  check(await page.locator(".code-cell.highlighted").count() >= 1, "and outlines the cells that use it");
  await page.screenshot({ path: join(screenshots, `${label}-codebook.png`), fullPage: true });
  await byId(page, "reset").click();

  // Keep and share: the PNG, the grid file, a share link, and importing a grid.
  const codes = await page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  const [pngDownload] = await Promise.all([page.waitForEvent("download"), byId(page, "export-png").click()]);
  const pngBytes = await readFile(await pngDownload.path());
  const pngOk = pngBytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  check(pngOk && pngBytes.readUInt32BE(16) === 28 && pngBytes.readUInt32BE(20) === 28,
    `the PNG export is a valid 28×28 PNG (${pngDownload.suggestedFilename()}, ${pngBytes.length} bytes)`);
  const [gridDownload] = await Promise.all([page.waitForEvent("download"), byId(page, "export-grid").click()]);
  const gridFile = JSON.parse(await readFile(await gridDownload.path(), "utf8"));
  check(gridFile.format === "vq-lab-grid" && gridFile.model === "fashion" && gridFile.codes.every((c, i) => c === codes[i]),
    `the grid file holds the grid (${gridDownload.suggestedFilename()})`);
  await byId(page, "colour-by").selectOption("margin");
  await byId(page, "share-link").click();
  const link = await byId(page, "share-url").inputValue();
  check(/#model=fashion&grid=7x7&codes=[\w-]+&view=margin$/.test(link), `a share link: ${link.slice(0, 90)}…`);
  await page.goto("about:blank");
  await page.goto(link);
  await waitForEncoding(page, "Shared link");
  await expectBackend(page, backend); // the link reloads the page: still on the same backend
  const restored = await page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  check(restored.every((c, i) => c === codes[i]), "the share link restores the same grid");
  const view = await byId(page, "colour-by").inputValue();
  check(view === "margin", `and its view (${view})`);
  await page.screenshot({ path: join(screenshots, `${label}-shared-link.png`), fullPage: true });
  const edited = { ...gridFile, codes: gridFile.codes.map((c, i) => (i === 0 ? (c + 1) % 128 : c)) };
  await byId(page, "import-grid").setInputFiles({ name: "edited-grid.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(edited)) });
  await waitForEncoding(page, "edited-grid.json");
  check(await cellCode(page, 0, 0) === edited.codes[0], "an imported grid file is shown");
  await byId(page, "import-grid").setInputFiles({ name: "other.json", mimeType: "application/json", buffer: Buffer.from('{"hello": "world"}') });
  await byId(page, "upload-error").waitFor();
  check(/other\.json: This is not a VQ Lab grid file/.test(await byId(page, "upload-error").innerText()), "a wrong grid file gets a sentence");

  // A bad file: a sentence, and the next good file works.
  await byId(page, "file-input").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("these are my notes, not a picture\n") });
  await page.waitForFunction(() => /notes\.png/.test(document.querySelector('[data-testid="upload-error"]')?.textContent ?? ""));
  const sentence = await byId(page, "upload-error").innerText();
  check(/notes\.png: This file is not an image/.test(sentence), `a bad file gets a sentence: ${sentence}`);
  await page.screenshot({ path: join(screenshots, `${label}-bad-file.png`), fullPage: true });
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  check(await byId(page, "upload-error").count() === 0, "the next good file (an example) works and clears the sentence");
  check(await byId(page, "code-cell").count() === 49, "its heatmap has 49 cells");
  await page.screenshot({ path: join(screenshots, `${label}-example.png`), fullPage: true });

  // Drag and drop, and paste from the clipboard, hand a file in the same way.
  const base64 = darkShoeOnWhite().toString("base64");
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
    const target = document.querySelector('[data-testid="lab"]');
    target.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, base64);
  await waitForEncoding(page, "dropped.png");
  check(await byId(page, "code-cell").count() === 49, "a dropped file is encoded");
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
    document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, base64);
  await waitForEncoding(page, "pasted.png");
  check(await byId(page, "code-cell").count() === 49, "a pasted file is encoded");
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

/// The RGBA bytes of every canvas with `testid`, in order.
async function canvases(page, testid) {
  return page.evaluate((id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].map((canvas) =>
    Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data)), testid);
}

/// Clicks Sample and waits until every cell is drawn; returns the pictures.
async function sampleAndWait(page) {
  await byId(page, "sample-button").click();
  await page.waitForFunction(() => /done in/.test(document.querySelector('[data-testid="generate"] [data-testid="draw-progress"]')?.textContent ?? ""));
  return canvases(page, "sample");
}

const cell = (page, row, col) => page.locator(`[data-testid="code-cell"][data-row="${row}"][data-col="${col}"]`);

/// Selects cell (row, col), types `code`, presses Set code, and waits at most `seconds` for the
/// grid to show it (`message` names the check).
async function setCellCode(page, message, row, col, code, seconds = 30) {
  await cell(page, row, col).click();
  await byId(page, "code-input").fill(String(code));
  await byId(page, "apply-code").click();
  return expectCellCode(page, message, seconds, row, col, code);
}

/// The prior on one backend: sample with a seed twice, step the timeline, edit a sample, the
/// surprisal view, suggestions, and completion of a masked region.
async function priorScenario(page, errors, url, backend, label) {
  await page.goto(url);
  await expectBackend(page, backend);
  await byId(page, "model-status").waitFor();
  await byId(page, "generate").waitFor();

  // Sample: class "Ankle boot" (9), seed 5, two side by side.
  await byId(page, "sample-class").selectOption("9");
  await byId(page, "sample-seed").fill("5");
  await byId(page, "sample-count").selectOption("2");
  const started = Date.now();
  const first = await sampleAndWait(page);
  console.log(`    2 samples drawn and shown in ${Date.now() - started} ms: ${await byId(page, "draw-progress").first().innerText()}`);
  check(first.length === 2, "two samples side by side");
  const timings = await byId(page, "op-timings").innerText();
  check(/sample \d+(\.\d)? ms/.test(timings), `the badge shows the operations' times: ${timings}`);
  await page.screenshot({ path: join(screenshots, `${label}-samples.png`), fullPage: true });
  const second = await sampleAndWait(page);
  check(second.length === 2 && second.every((picture, i) => picture.every((v, j) => v === first[i][j])),
    "the same seed gives the same pictures");
  await byId(page, "sample-seed").fill("6");
  const third = await sampleAndWait(page);
  check(third[0].some((v, j) => v !== first[0][j]), "another seed gives another picture");

  // The timeline steps back through the order: early on, most cells are veiled.
  const timeline = page.locator('[data-testid="generate"] [data-testid="timeline"]');
  const steps = Number(await timeline.getAttribute("max"));
  // Snapshots take at most about half of a drawing's time (generate::draw): a fast drawing has few.
  check(steps >= 2, `the timeline has ${steps + 1} snapshots`);
  await timeline.fill(String(Math.floor(steps / 3)));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="generate"] .veil').length > 0);
  const showing = await byId(page, "draw-progress").first().innerText();
  check(/Showing \d+ of 49 cells drawn/.test(showing) && !/Showing 49/.test(showing), `the timeline shows an earlier step: ${showing}`);
  await page.screenshot({ path: join(screenshots, `${label}-timeline.png`), fullPage: true });

  // Bad input gets a sentence and the panel keeps working.
  await byId(page, "sample-temperature").fill("-1");
  await byId(page, "sample-button").click();
  const sentence = await byId(page, "draw-error").innerText();
  check(/not a temperature/.test(sentence), `a bad temperature gets a sentence: ${sentence}`);
  await byId(page, "sample-temperature").fill("1");
  check(await byId(page, "draw-error").count() === 0, "correcting the field takes the sentence away");

  // A sample goes to the lab to be edited.
  await byId(page, "use-sample").first().click();
  await waitForEncoding(page, "Sample 1 (seed 6)");
  check(await byId(page, "code-cell").count() === 49, "the sample is in the lab as a 7×7 grid");

  // Surprisal of an example, and after an edit to an unlikely code.
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  await byId(page, "colour-by").selectOption("surprisal");
  await page.waitForFunction(() => /costs \d+ bits/.test(document.querySelector('[data-testid="surprisal-totals"]')?.textContent ?? ""));
  const totals = await byId(page, "surprisal-totals").innerText();
  check(/uniform codes would cost 343 bits/.test(totals) && /raw image 6272 bits/.test(totals), `the totals compare with uniform codes and the raw image: ${totals}`);
  const bitsBefore = Number(/costs (\d+) bits/.exec(totals)[1]);
  await page.screenshot({ path: join(screenshots, `${label}-surprisal.png`), fullPage: true });

  // Suggestions for cell (3, 3); apply one that differs from the current code.
  const current = await cellCode(page, 3, 3);
  await cell(page, 3, 3).click();
  await byId(page, "suggestion").first().waitFor();
  const suggested = await page.locator('[data-testid="suggestion"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  check(suggested.length === 5, `five suggestions: ${suggested.join(", ")}`);
  await page.screenshot({ path: join(screenshots, `${label}-suggestions.png`), fullPage: true });
  const pick = suggested.find((code) => code !== current);
  await page.locator(`[data-testid="suggestion"][data-code="${pick}"]`).click();
  await expectCellCode(page, `a suggestion applies: cell (3, 3) ${current} → ${pick}`, 30, 3, 3, pick);
  // Not fatal: the steps after it (undo, completion) do not depend on the surprisal's totals.
  await expectWithin(page, `the surprisal follows the edit (the total changes from ${bitsBefore} bits)`, 30, (before) => {
    const m = /costs (\d+) bits/.exec(document.querySelector('[data-testid="surprisal-totals"]')?.textContent ?? "");
    return m && Number(m[1]) !== before;
  }, bitsBefore, async () => `the totals ${JSON.stringify(await page.evaluate(() =>
    document.querySelector('[data-testid="surprisal-totals"]')?.textContent ?? null))}`, { fatal: false });
  await byId(page, "undo").click();
  await page.waitForFunction((code) =>
    document.querySelector('[data-testid="code-cell"][data-row="3"][data-col="3"]')?.dataset.code === String(code), current);

  // Completion: mask the bottom two rows by dragging, redraw them, take a candidate.
  const codesBefore = await page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  const pixelsBefore = await reconstructionPixels(page);
  await byId(page, "mask-mode").click();
  await byId(page, "heatmap").scrollIntoViewIfNeeded();
  for (const row of [5, 6]) {
    const box0 = await cell(page, row, 0).boundingBox();
    const box6 = await cell(page, row, 6).boundingBox();
    await page.mouse.move(box0.x + box0.width / 2, box0.y + box0.height / 2);
    await page.mouse.down();
    await page.mouse.move(box6.x + box6.width / 2, box6.y + box6.height / 2, { steps: 12 });
    await page.mouse.up();
  }
  const masked = await page.locator('[data-testid="code-cell"][data-masked="true"]').count();
  check(masked === 14, `dragging masks the two bottom rows (${masked} cells)`);
  await byId(page, "complete-button").click();
  await page.waitForFunction(() => /done in/.test(document.querySelector('[data-testid="prior-tools"] [data-testid="draw-progress"]')?.textContent ?? ""));
  check(await byId(page, "candidate").count() === 3, "three candidates");
  await page.screenshot({ path: join(screenshots, `${label}-completion.png`), fullPage: true });
  await byId(page, "use-candidate").nth(1).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="candidate"]').length === 0);
  const codesAfter = await page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  check(codesAfter.slice(0, 35).every((c, i) => c === codesBefore[i]), "the completion keeps every unmasked cell");
  check(codesAfter.slice(35).some((c, i) => c !== codesBefore[35 + i]), "and redraws masked ones");
  await page.screenshot({ path: join(screenshots, `${label}-completed.png`), fullPage: true });
  await byId(page, "undo").click();
  await page.waitForFunction((codes) => [...document.querySelectorAll('[data-testid="code-cell"]')].every((n, i) => Number(n.dataset.code) === codes[i]), codesBefore);
  check((await reconstructionPixels(page)).every((v, i) => v === pixelsBefore[i]), "undo takes the completion back exactly");
  // Shift-click masks the rectangle from the last cell pressed (taking a candidate cleared the mask).
  await cell(page, 0, 0).click();
  await cell(page, 1, 2).click({ modifiers: ["Shift"] });
  const rectangle = await page.locator('[data-testid="code-cell"][data-masked="true"]').count();
  check(rectangle === 6, `Shift-click masks a rectangle (${rectangle} cells)`);
  await byId(page, "clear-mask").click();
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

/// Every code of the small (button) heatmap, row-major.
async function gridCodes(page) {
  return page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
}

/// Presses the mouse on cell `from` and releases it on cell `to` of the button heatmap.
async function dragCells(page, [r0, c0], [r1, c1]) {
  await byId(page, "heatmap").scrollIntoViewIfNeeded();
  const a = await cell(page, r0, c0).boundingBox();
  const b = await cell(page, r1, c1).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

/// Waits until the grid's codes satisfy `expected` (an array; null entries: any code).
async function waitForCodes(page, expected) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('[data-testid="code-cell"]')].map((n) => Number(n.dataset.code));
    return got.length === want.length && want.every((c, i) => c === null || c === got[i]) &&
      !document.querySelector('[data-testid="edit-pending"]');
  }, expected);
}

/// The pixels (x, y) of a 28×28 reconstruction that differ between two RGBA arrays.
function changedPixels(before, after, width) {
  const changed = [];
  for (let i = 0; i < after.length; i += 4) {
    if (after[i] !== before[i] || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2]) {
      changed.push([(i / 4) % width, Math.floor(i / 4 / width)]);
    }
  }
  return changed;
}

/// Elements a screen reader would announce without a name: buttons, fields, focusable canvases.
async function unnamedControls(page) {
  return page.evaluate(() => [...document.querySelectorAll("button, input, select, canvas[tabindex]")]
    .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
    .filter((el) => {
      const labelled = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.title;
      const labels = el.labels ? [...el.labels].map((l) => l.textContent.trim()).join("") : "";
      const text = el.tagName === "BUTTON" ? (el.textContent.trim() || [...el.querySelectorAll("img[alt]")].map((i) => i.alt).join("")) : "";
      return !(labelled || labels || text);
    })
    .map((el) => `${el.tagName.toLowerCase()}[data-testid=${el.dataset.testid ?? "?"}]`));
}

/// The editing tools on the CPU backend: nearest codes, colourings, the error map, the
/// eyedropper, a brush stroke (one undo), a rectangle fill, copy and paste into another image,
/// sentences for a tool used too early, and names for screen readers.
async function toolsScenario(page, errors, url, backend, label) {
  await page.goto(url);
  await expectBackend(page, backend);
  await byId(page, "model-status").waitFor();
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  await page.waitForFunction(() => /128 codes/.test(document.querySelector('[data-testid="codebook-summary"]')?.textContent ?? ""));

  // Hover: the five codes nearest to the encoder's output, the first the cell's own.
  await cell(page, 3, 3).hover();
  await byId(page, "nearest").waitFor();
  const nearest = await byId(page, "nearest-code").evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.code)));
  check(nearest.length === 5 && nearest[0] === await cellCode(page, 3, 3) && new Set(nearest).size === 5,
    `hover lists the five nearest codes, its own first: ${nearest.join(", ")}`);
  await page.screenshot({ path: join(screenshots, `${label}-nearest.png`), fullPage: true });

  // The heatmap by the mean colour of each code's tile: equal codes, equal colours.
  await byId(page, "colour-by").selectOption("colour");
  await page.waitForFunction(() => /rgb\(/.test(document.querySelector('[data-testid="code-cell"]').getAttribute("style")));
  const colours = await page.locator('[data-testid="code-cell"]').evaluateAll((nodes) => nodes.map((n) => [n.dataset.code, n.style.background]));
  const byCode = new Map();
  const consistent = colours.every(([code, colour]) => (byCode.has(code) ? byCode.get(code) === colour : (byCode.set(code, colour), true)));
  check(consistent && byCode.size > 1, `the mean-colour view gives each code one colour (${byCode.size} codes)`);
  await page.screenshot({ path: join(screenshots, `${label}-mean-colour.png`), fullPage: true });
  await byId(page, "colour-by").selectOption("code");

  // The error map: bright where the reconstruction is wrong, with the PSNR.
  const errorCaption = await page.locator('figure:has([data-testid="error-map"]) figcaption').innerText();
  const errorPixels = await canvases(page, "error-map");
  check(/PSNR \d+\.\d dB/.test(errorCaption) && errorPixels[0].some((v, i) => i % 4 === 0 && v > 0),
    `the error map shows where the reconstruction differs: ${errorCaption}`);

  // Tools used too early get a sentence.
  const takeTool = (name) => page.locator(`[data-testid="tool"][data-tool="${name}"]`).click();
  await takeTool("Paste");
  await cell(page, 0, 0).click();
  check(/Nothing is copied yet/.test(await byId(page, "tool-message").innerText()), "a paste with nothing copied says so");
  await takeTool("Brush");
  await cell(page, 0, 0).click();
  check(/Choose a paint code first/.test(await byId(page, "tool-message").innerText()), "a brush without a paint code says so");

  // The eyedropper takes a cell's code and goes back to the brush.
  const codes = await gridCodes(page);
  const before = await reconstructionPixels(page);
  const paint = codes[3 * 7 + 3];
  await cell(page, 3, 3).focus();
  await page.keyboard.press("i");
  await cell(page, 3, 3).click();
  check(await byId(page, "paint-code").getAttribute("data-code") === String(paint), `the eyedropper takes code ${paint}`);
  check(await page.locator('[data-testid="tool"][aria-pressed="true"]').getAttribute("data-tool") === "Brush", "and hands the brush back");

  // A 2×2 brush dragged along row 1 from column 0 to 3: rows 1–2, columns 0–4.
  await byId(page, "brush-size").selectOption("2");
  await dragCells(page, [1, 0], [1, 3]);
  const brushed = codes.map((c, i) => (Math.floor(i / 7) >= 1 && Math.floor(i / 7) <= 2 && i % 7 <= 4 ? paint : c));
  await expectCodes(page, "a 2×2 brush stroke paints rows 1–2, columns 0–4, and nothing else", 20, brushed);
  await page.screenshot({ path: join(screenshots, `${label}-brushed.png`), fullPage: true });
  await byId(page, "undo").click();
  await waitForCodes(page, codes);
  check((await reconstructionPixels(page)).every((v, i) => v === before[i]), "one undo takes the whole stroke back, pixels exactly");

  // A rectangle from (5, 1) to (6, 3) with another code, chosen in the codebook.
  const other = paint === 17 ? 18 : 17;
  await byId(page, "undo").focus();
  await page.keyboard.press("r");
  check(await page.locator('[data-testid="tool"][aria-pressed="true"]').getAttribute("data-tool") === "Fill rectangle", "R takes up the rectangle");
  await byId(page, "codebook-atlas").scrollIntoViewIfNeeded();
  const atlas = await byId(page, "codebook-atlas").boundingBox();
  await page.mouse.click(atlas.x + ((other % 16) + 0.5) * atlas.width / 16, atlas.y + (Math.floor(other / 16) + 0.5) * atlas.height / 8);
  check(await byId(page, "paint-code").getAttribute("data-code") === String(other), `a click in the codebook makes ${other} the paint code`);
  await dragCells(page, [5, 1], [6, 3]);
  const filled = codes.map((c, i) => (Math.floor(i / 7) >= 5 && i % 7 >= 1 && i % 7 <= 3 ? other : c));
  await waitForCodes(page, filled);
  const changed = changedPixels(before, await reconstructionPixels(page), 28);
  // Cells 1–3 by 5–6 reach pixels x in 4·1 − 15 .. 4·3 + 19, y from 4·5 − 15.
  const outside = changed.filter(([x, y]) => x >= 4 * 3 + 19 || y < 4 * 5 - 15).length;
  check(changed.length > 0 && outside === 0, `the rectangle fill changes ${changed.length} pixels, none out of its reach (${outside})`);
  await page.screenshot({ path: join(screenshots, `${label}-rectangle.png`), fullPage: true });

  // Copy the top-left 2×2 codes, open another image, paste them at (5, 5).
  const copied = [filled[0], filled[1], filled[7], filled[8]];
  await page.keyboard.press("c");
  await dragCells(page, [0, 0], [1, 1]);
  check(/2×2 codes from Ankle boot/.test(await byId(page, "clipboard").innerText()), "the copy is shown in the toolbar");
  await byId(page, "example").nth(1).click();
  await waitForEncoding(page, "Trouser");
  const trouser = await gridCodes(page);
  await page.keyboard.press("v");
  await cell(page, 5, 5).click();
  const pasted = trouser.map((c, i) => {
    const [row, col] = [Math.floor(i / 7), i % 7];
    return row >= 5 && col >= 5 ? copied[2 * (row - 5) + (col - 5)] : c;
  });
  await expectCodes(page, "codes copied from one image paste into another", 20, pasted);
  await page.screenshot({ path: join(screenshots, `${label}-pasted.png`), fullPage: true });

  // Keyboard: Enter on a cell uses the tool there (a paste at the bottom-left corner is clipped).
  await cell(page, 6, 0).focus();
  await page.keyboard.press("Enter");
  await expectCodes(page, "Enter on a focused cell pastes there, clipped to the grid", 20,
    pasted.map((c, i) => (i === 6 * 7 ? copied[0] : i === 6 * 7 + 1 ? copied[1] : c)));

  // Every button, field and focusable canvas has a name for screen readers.
  const unnamed = await unnamedControls(page);
  check(unnamed.length === 0, `every control has an accessible name (${unnamed.join(", ") || "all named"})`);
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

/// A crash of the engine (the ?test-hooks button makes it panic): the page restarts it, says so
/// in one line, and keeps the image, the reconstruction and the undo history; the new engine
/// has the grid (its surprisal is of the page's codes).
async function restartScenario(page, url, backend, label) {
  await page.goto(url);
  await byId(page, "model-status").waitFor();
  await expectBackend(page, backend);
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  const old = await cellCode(page, 1, 1);
  const code = (old + 64) % 128;
  await setCellCode(page, "an edit before the crash applies", 1, 1, code);
  const codes = await gridCodes(page);
  const pixels = await reconstructionPixels(page);

  await byId(page, "test-crash").click();
  const shown = async () => JSON.stringify(await page.evaluate(() =>
    document.querySelector("main")?.innerText.slice(0, 400)));
  await expectWithin(page, "the page says the engine crashed and is restarting it", 30, () =>
    /crashed .*restarting it/.test(document.querySelector('[data-testid="engine-restarting"]')?.textContent ?? "") ||
    document.querySelector('[data-testid="engine-restarted"]'), null, shown);
  await expectWithin(page, "one line says the engine was restarted and the work kept", 180, () =>
    /restarted; your image and its history were kept/.test(document.querySelector('[data-testid="engine-restarted"]')?.textContent ?? ""),
  null, shown);
  await expectBackend(page, backend);
  check(await byId(page, "engine-error").count() === 0, "no failure sentence");
  await expectCodes(page, "the grid is as it was before the crash", 10, codes);
  const after = await reconstructionPixels(page);
  check(after.length === pixels.length && after.every((v, i) => v === pixels[i]), "the reconstruction is as it was");
  await page.screenshot({ path: join(screenshots, `${label}-restarted.png`), fullPage: true });

  // The new engine holds the page's grid: the surprisal it measures is of these codes.
  await byId(page, "colour-by").selectOption("surprisal");
  await expectWithin(page, "the restarted engine measures the surprisal of the page's grid", 120, () =>
    /costs \d+ bits/.test(document.querySelector('[data-testid="surprisal-totals"]')?.textContent ?? ""), null,
  async () => `the totals ${JSON.stringify(await page.evaluate(() =>
    document.querySelector('[data-testid="surprisal-totals"]')?.textContent ?? null))}`);
  await byId(page, "colour-by").selectOption("code");
  // An edit after the restart, then undo twice: the history from before the crash is kept.
  await setCellCode(page, "an edit after the restart applies", 5, 5, (await cellCode(page, 5, 5) + 32) % 128, 60);
  await byId(page, "undo").click();
  await byId(page, "undo").click();
  await expectCellCode(page, "undo reaches the edit made before the crash", 10, 1, 1, old);
}

// ------------------------------------------------------------------ hostile uploads

/// The corpus of hostile uploads that `crates/vq-model/tests/corpus.rs` runs natively, and its
/// manifest of expected outcomes (`{"error": variant}` or `{"image": [width, height]}`).
const corpus = join(root, "crates", "vq-model", "tests", "corpus", "uploads");

/// A fixed sample of the corpus, one file of each kind, in the order they are uploaded: refusals
/// after an image, after another refusal and before an image that decodes.
const HOSTILE_SAMPLE = [
  "empty.png",                              // zero bytes
  "renamed-text.png",                       // a text file renamed as a PNG
  "png-rgb16.png",                          // 16 bits a channel: decodes
  "truncated-jpg-at-0366-of-733.jpg",       // a JPEG cut in half
  "truncated-png-at-0061-of-122.png",       // a PNG cut in half
  "exif-orientation-6-rotated-90-cw.jpg",   // 64×32 stored, EXIF says turn it: 32×64
  "magic-png-signature-on-jpeg-data.png",   // a PNG's magic bytes on a JPEG's data
  "bomb-png-8192x8192-rgba16-768mb.png",    // a decompression bomb: 21 KB that inflate to 768 MB
  "bomb-jpeg-65535x65535.jpg",              // a 65535×65535 header
  "animated-gif-3-frames.gif",              // an animation: its first frame
  "size-1x10000.png",                       // 1×10000
  "gif-0x0-screen.gif",                     // no pixels at all
  "jpeg-cmyk-progressive.jpg",              // CMYK and progressive
  "format-tiff-little-endian.tif",          // a format the page does not read
  "bmp-top-down.bmp",                       // a top-down BMP
];

/// The sentence the page must show for each of the manifest's error variants
/// (`vq_model::image::UploadError`'s sentences).
const UPLOAD_SENTENCES = {
  UnknownFormat: /This file is not an image we can read \(PNG, JPEG, GIF, BMP or WebP\)\.$/,
  TooLarge: /This image is too large \(\d+×\d+\); the limit is \d+ px a side\.$/,
  TooMuchMemory: /This image \(\d+×\d+\) would need \d+ MB to decode; the limit is \d+ MB\. .+\.$/,
  Truncated: /This JPEG file is cut short: .+\.$/,
  Corrupt: /This image is damaged and could not be decoded; try saving it again from an image editor \(the decoder says: .+\)\.$/,
  Empty: /This image is empty\.$/,
};

const UPLOAD_TYPES = { ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff" };

/// Uploads `HOSTILE_SAMPLE` through the file input on the fashion model: each refused file gets
/// a sentence that names it and the previous image stays; each that decodes is encoded at the
/// size the manifest gives; then a good file still encodes, and nothing crashed.
async function hostileUploadsScenario(page, errors, url) {
  const manifest = JSON.parse(await readFile(join(corpus, "expected.json"), "utf8"));
  checkBadge(await loadBadge(page, url), "cpu", { fatal: true });
  await byId(page, "model-status").waitFor();
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  let previous = "Ankle boot";
  let screenshotTaken = false;
  for (const name of HOSTILE_SAMPLE) {
    const expected = manifest[name];
    if (!expected) {
      fail(`${name} is in the corpus's manifest`);
      continue;
    }
    const buffer = await readFile(join(corpus, name));
    const mimeType = UPLOAD_TYPES[extname(name)];
    await byId(page, "file-input").setInputFiles({ name, mimeType, buffer });
    await expectWithin(page, `${name} (${buffer.length} bytes) is answered`, 30, (file) =>
      !document.querySelector('[data-testid="encoding"]') &&
      ((document.querySelector('[data-testid="upload-error"]')?.textContent ?? "").startsWith(file + ": ") ||
       (document.querySelector('[data-testid="encoded-info"]')?.textContent ?? "").startsWith(file + ":")),
    name, async () => editState(page));
    const shown = await page.evaluate(() => ({
      error: document.querySelector('[data-testid="upload-error"]')?.textContent.trim() ?? null,
      info: document.querySelector('[data-testid="encoded-info"]')?.textContent.trim() ?? null,
      cells: document.querySelectorAll('[data-testid="code-cell"]').length,
    }));
    if (expected.error) {
      const sentence = UPLOAD_SENTENCES[expected.error];
      const ok = (shown.error ?? "").startsWith(`${name}: `) && (shown.error ?? "").endsWith(".") && sentence.test(shown.error ?? "");
      check(ok, `${name} is refused (${expected.error}) with a sentence that names it: ${shown.error ?? `(no sentence; the page shows ${shown.info})`}`);
      check((shown.info ?? "").startsWith(previous + ":") && shown.cells === 49,
        `the previous image (${previous}) stays, with its 49 cells: ${shown.info}`);
      if (expected.error === "TooMuchMemory" && !screenshotTaken) {
        await byId(page, "upload-error").scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(screenshots, "hostile-upload-refused.png"), fullPage: true });
        screenshotTaken = true;
      }
    } else {
      const [width, height] = expected.image;
      check((shown.info ?? "").startsWith(`${name}: ${width}×${height} → 28×28 pixels → 7×7 codes`) && shown.cells === 49,
        `${name} decodes at ${width}×${height}, as the manifest says, and is encoded: ${shown.info ?? `(not encoded; the page says ${shown.error})`}`);
      check(shown.error === null, `and no refusal is shown${shown.error ? `: ${shown.error}` : ""}`);
      previous = name;
    }
  }
  check(screenshotTaken, "a refusal was photographed (hostile-upload-refused.png)");

  // The page still works: a good file encodes, and the engine never crashed.
  await byId(page, "file-input").setInputFiles({ name: "after-the-corpus.png", mimeType: "image/png", buffer: darkShoeOnWhite() });
  await expectWithin(page, "after the sample, a good file is encoded", 30, () =>
    (document.querySelector('[data-testid="encoded-info"]')?.textContent ?? "").startsWith("after-the-corpus.png:") &&
    document.querySelectorAll('[data-testid="code-cell"]').length === 49 &&
    !document.querySelector('[data-testid="upload-error"]'), null, async () => editState(page));
  const crashed = await page.locator('[data-testid="engine-restarting"], [data-testid="engine-restarted"], [data-testid="engine-error"]').count();
  check(crashed === 0, `the engine never crashed or restarted (${crashed} such lines)`);
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ a large photograph

/// A phone's or a camera's photograph, far larger than the model's 256 px: an 8000×6000 JPEG
/// (`largeJpeg`: made by the browser's own encoder) given to the file input. The
/// engine says it decodes it smaller while it does (the browser's decoder scales while it
/// decodes), then its heatmap comes, naming the file's own size. The time from the file to the
/// heatmap is printed (the benchmark of issue 12 measured 17 s before).
async function largeUploadScenario(page, errors, url) {
  checkBadge(await loadBadge(page, url), "cpu", { fatal: true });
  await byId(page, "model-status").waitFor();
  await byId(page, "model-select").selectOption("photo");
  await page.locator('[data-testid="model-status"][data-model="photo"], [data-testid="model-error"]').first().waitFor();
  check(await byId(page, "model-status").count() === 1, "the photo model loads");
  const jpeg = await largeJpeg(page);
  await page.evaluate(() => {
    window.__stages = [];
    new MutationObserver(() => {
      const stage = document.querySelector('[data-testid="encoding-stage"]')?.textContent;
      if (stage && !window.__stages.includes(stage)) window.__stages.push(stage);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
    window.__started = performance.now();
  });
  await byId(page, "file-input").setInputFiles({ name: "large-8000x6000.jpg", mimeType: "image/jpeg", buffer: jpeg });
  const bytes = jpeg.length;
  await expectWithin(page, "the 8000×6000 JPEG is encoded", 60, () =>
    (document.querySelector('[data-testid="encoded-info"]')?.textContent ?? "").startsWith("large-8000x6000.jpg:") &&
    !!document.querySelector('[data-testid="heatmap-canvas"]'), null, async () => editState(page));
  const { ms, stages, info } = await page.evaluate(() => ({
    ms: performance.now() - window.__started,
    stages: window.__stages,
    info: document.querySelector('[data-testid="encoded-info"]')?.textContent.trim() ?? "",
  }));
  console.log(`    an 8000×6000 JPEG of ${(bytes / 1e6).toFixed(1)} MB → heatmap in ${ms.toFixed(0)} ms; lines: ${stages.join(" | ")}`);
  check(stages.some((line) => line === "Decoding a large image (8000×6000, 48 megapixels) at 1024×768…"),
    `while it is decoded, the page says so: ${stages.join(" | ") || "(no line)"}`);
  check(stages.some((line) => /^Decoded at 1024×768 in \d+ ms; encoding…$/.test(line)) &&
    !stages.some((line) => line.includes("could not decode it smaller")),
    `the browser decoded it smaller, and the page said how long that took: ${stages.join(" | ")}`);
  const { cell } = photoGeometry();
  check(info.startsWith(`large-8000x6000.jpg: 8000×6000 → 256×192 pixels → ${256 / cell}×${192 / cell} codes`),
    `the encoding names the file's own size and the model's: ${info}`);
  // The reconstruction shows the photograph's colours: its mean is neither black nor grey.
  const mean = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="reconstruction"] canvas, canvas[data-testid="reconstruction"]');
    if (!canvas) return null;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const sums = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sums[c] += data[i + c];
    return sums.map((sum) => sum / (data.length / 4));
  });
  check(mean !== null && mean[0] - mean[2] !== 0 && Math.max(...mean) > 60,
    `the reconstruction has the photograph's colours (mean RGB ${mean?.map((v) => v.toFixed(0)).join(", ")})`);
  await page.screenshot({ path: join(screenshots, "large-upload.png"), fullPage: false });
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ memory over many cycles

/// After these cycles of `memoryCyclesScenario`, the page's figures of WebAssembly memory are read.
const MEMORY_READS = [10, 25, 50, 75, 100];
/// How much either memory may still grow from cycle 25 to cycle 100.
const MEMORY_SLACK = 8 * 1024 * 1024;

/// The page's `[data-testid="wasm-memory"]`: its WebAssembly memory, the engine worker's and how
/// many reports of the engine it has received; null when the page has no such element.
async function wasmMemory(page) {
  return page.evaluate(() => {
    const node = document.querySelector('[data-testid="wasm-memory"]');
    if (!node) return null;
    const read = (name) => (node.hasAttribute(name) ? Number(node.getAttribute(name)) : null);
    return { pageBytes: read("data-page-bytes"), engineBytes: read("data-engine-bytes"), reports: read("data-reports") };
  });
}

/// 100 cycles on the photo model of: upload a photo, one edit of a cell, one sample of the
/// prior; the memory figures after cycles 10, 25, 50, 75 and 100, printed and written to
/// screenshots/memory-cycles.json; from cycle 25 to 100 neither memory may grow by more than
/// `MEMORY_SLACK` (WebAssembly memory only grows: it must reach a plateau).
async function memoryCyclesScenario(page, errors, url) {
  checkBadge(await loadBadge(page, url), "cpu", { fatal: true });
  await byId(page, "model-status").waitFor();
  await byId(page, "model-select").selectOption("photo");
  await page.locator('[data-testid="model-status"][data-model="photo"], [data-testid="model-error"]').first().waitFor();
  check(await byId(page, "model-status").count() === 1, "the photo model loads");
  await byId(page, "sample-count").selectOption("1");
  const photoDir = join(pkg, "examples", "photo");
  const photos = [];
  for (const file of ["greenmeadow.png", "onestandsout.png", "summer-1am.png", "goldfish.png"]) {
    photos.push({ file, buffer: await readFile(join(photoDir, file)) });
  }
  const figures = [];
  const started = Date.now();
  let missing = false;
  for (let cycle = 1; cycle <= 100; cycle++) {
    const photo = photos[(cycle - 1) % photos.length];
    const source = `cycle-${String(cycle).padStart(3, "0")}-${photo.file}`;
    let step = "upload";
    let reportsBefore = null;
    try {
      await byId(page, "file-input").setInputFiles({ name: source, mimeType: "image/png", buffer: photo.buffer });
      await waitForEncoding(page, source);

      step = "edit";
      const heatmap = byId(page, "heatmap");
      const rows = Number(await heatmap.getAttribute("data-rows"));
      const cols = Number(await heatmap.getAttribute("data-cols"));
      const [row, col] = [(7 * cycle) % rows, (13 * cycle) % cols];
      const canvas = byId(page, "heatmap-canvas");
      const box = await canvas.boundingBox();
      await canvas.click({ position: { x: ((col + 0.5) / cols) * box.width, y: ((row + 0.5) / rows) * box.height } });
      await page.waitForFunction(([r, c]) => (document.querySelector('[data-testid="selected-cell"]')?.textContent ?? "")
        .startsWith(`Cell (${r}, ${c})`), [row, col]);
      const code = (Number(await byId(page, "code-input").inputValue()) + 100 + cycle) % 512;
      await byId(page, "code-input").fill(String(code));
      await byId(page, "apply-code").click();
      await page.waitForFunction(([r, c, k]) =>
        document.querySelector('[data-testid="edit-time"]') && !document.querySelector('[data-testid="edit-pending"]') &&
        new RegExp(`^Cell \\(${r}, ${c}\\): code ${k} \\(edited`).test(document.querySelector('[data-testid="cell-info"]')?.textContent ?? ""),
      [row, col, code]);

      step = "sample";
      reportsBefore = (await wasmMemory(page))?.reports ?? null;
      await byId(page, "sample-seed").fill(String(cycle));
      const pictures = await sampleAndWait(page);
      if (pictures.length !== 1) throw new Error(`the sample gave ${pictures.length} pictures, not 1`);
    } catch (error) {
      if (error instanceof ScenarioStopped) throw error;
      fail(`cycle ${cycle} (${source}), the ${step}: ${String(error?.message ?? error).split("\n")[0]}; ${await editState(page)}`);
      throw new ScenarioStopped(`cycle ${cycle}`);
    }

    if (!MEMORY_READS.includes(cycle)) continue;
    const seconds = (Date.now() - started) / 1000;
    console.log(`    cycle ${cycle}: ${seconds.toFixed(1)} s since the first (${(seconds / cycle).toFixed(2)} s a cycle)`);
    let memory = await wasmMemory(page);
    if (memory === null) {
      fail(`cycle ${cycle}: the page has no [data-testid="wasm-memory"] element, so its memory and the engine's cannot be read`);
      missing = true;
      figures.push({ cycle, seconds, pageBytes: null, engineBytes: null, reports: null });
      continue;
    }
    // The engine reports after each finished sample: wait for this cycle's report.
    await expectWithin(page, `cycle ${cycle}: the engine's report after the sample arrives`, 30, (reports) =>
      Number(document.querySelector('[data-testid="wasm-memory"]')?.getAttribute("data-reports")) > reports,
    reportsBefore ?? -1, async () => JSON.stringify(await wasmMemory(page)));
    memory = await wasmMemory(page);
    const whole = (v) => Number.isInteger(v) && v > 0 && v % 65536 === 0;
    check(whole(memory.pageBytes) && whole(memory.engineBytes) && Number.isInteger(memory.reports),
      `cycle ${cycle}: the figures are whole WebAssembly pages (64 KiB): ${JSON.stringify(memory)}`);
    figures.push({ cycle, seconds, ...memory });
  }
  const total = (Date.now() - started) / 1000;
  console.log(`    100 cycles in ${total.toFixed(1)} s (${(total / 100).toFixed(2)} s a cycle)`);
  const mib = (v) => (v === null ? "—" : (v / 1024 / 1024).toFixed(1));
  console.log("    cycle   page MiB   engine MiB   reports   seconds");
  for (const f of figures) {
    console.log(`    ${String(f.cycle).padStart(5)}   ${mib(f.pageBytes).padStart(8)}   ${mib(f.engineBytes).padStart(10)}   ${String(f.reports ?? "—").padStart(7)}   ${f.seconds.toFixed(1).padStart(7)}`);
  }
  await writeFile(join(screenshots, "memory-cycles.json"),
    JSON.stringify({ cycles: 100, seconds: total, slackBytes: MEMORY_SLACK, figures }, null, 2) + "\n");
  if (missing) {
    fail("no memory figures to compare: the page has no [data-testid=\"wasm-memory\"] element");
  } else {
    const at = (cycle) => figures.find((f) => f.cycle === cycle);
    const [early, last] = [at(25), at(100)];
    for (const key of ["pageBytes", "engineBytes"]) {
      const series = figures.map((f) => f[key]);
      check(series.every((v, i) => i === 0 || v >= series[i - 1]),
        `${key}: never shrinks (WebAssembly memory only grows; a shrink is a restarted engine): ${series.map(mib).join(" → ")} MiB`);
      check(last[key] <= early[key] + MEMORY_SLACK,
        `${key}: at cycle 100 (${mib(last[key])} MiB) no more than at cycle 25 (${mib(early[key])} MiB) + ${mib(MEMORY_SLACK)} MiB`);
    }
  }
  const crashed = await page.locator('[data-testid="engine-restarting"], [data-testid="engine-restarted"], [data-testid="engine-error"]').count();
  check(crashed === 0, `the engine never crashed or restarted (${crashed} such lines)`);
  await page.screenshot({ path: join(screenshots, "memory-cycles.png"), fullPage: true });
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ the session across reloads

/// The session IndexedDB holds (src/ui/store.js), as the page reads it: the model, the image's
/// source, its codes, the lengths of its undo and redo stacks, and the view.
async function keptSession(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("vq-lab", 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("session")) { db.close(); resolve(null); return; }
      const get = db.transaction("session").objectStore("session").get("current");
      get.onerror = () => reject(get.error);
      get.onsuccess = () => {
        const kept = get.result;
        db.close();
        if (!kept) { resolve(null); return; }
        const image = kept.image;
        resolve({
          model: kept.model,
          view: kept.view,
          source: image?.encoding.source ?? null,
          codes: image ? Array.from(new Uint32Array(image.codes.buffer.slice(image.codes.byteOffset, image.codes.byteOffset + image.codes.byteLength))) : null,
          done: image?.done.length ?? null,
          undone: image?.undone.length ?? null,
        });
      };
    };
  }));
}

/// Waits until the kept session satisfies `predicate` (checked from node every 200 ms).
async function expectKept(page, message, seconds, predicate) {
  const deadline = Date.now() + seconds * 1000;
  let kept = null;
  while (Date.now() < deadline) {
    kept = await keptSession(page);
    if (predicate(kept)) {
      pass(message);
      return kept;
    }
    await page.waitForTimeout(200);
  }
  fail(`${message} (within ${seconds} s; the browser keeps ${JSON.stringify(kept && { ...kept, codes: kept.codes?.length })})`);
  throw new ScenarioStopped();
}

async function sessionScenario(page, errors) {
  await page.goto(base);
  await expectBackend(page, "cpu");
  await byId(page, "model-status").waitFor();
  check(await byId(page, "session-restored").count() === 0, "a first visit restores nothing");
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  const encoded = await gridCodes(page);
  // Two edits, then one undone: the history has one edit to undo and one to redo.
  const first = (encoded[8] + 64) % 128;
  const second = (encoded[16] + 32) % 128;
  for (const [row, col, code] of [[1, 1, first], [2, 2, second]]) {
    await setCellCode(page, `the edit of (${row}, ${col}) applies`, row, col, code);
  }
  await byId(page, "undo").click();
  await expectCellCode(page, "undo takes the second edit back", 10, 2, 2, encoded[16]);
  await byId(page, "colour-by").selectOption("margin");
  const codes = await gridCodes(page);
  const pixels = await reconstructionPixels(page);
  await expectKept(page, "the browser keeps the model, the image, its codes, one edit to undo and one to redo, and the view", 10,
    (kept) => kept?.model === "fashion" && kept.source === "Ankle boot" && kept.done === 1 && kept.undone === 1 &&
      kept.view === "margin" && JSON.stringify(kept.codes) === JSON.stringify(codes));

  await page.reload();
  await expectWithin(page, "after a reload, one line says what was restored", 60, () =>
    /restored: Ankle boot on the model fashion, with 1 edit to undo/.test(document.querySelector('[data-testid="session-restored"]')?.textContent ?? ""),
  null, async () => JSON.stringify(await page.evaluate(() => document.querySelector("main")?.innerText.slice(0, 300))));
  await waitForEncoding(page, "Ankle boot");
  await expectCodes(page, "the grid is the edited one", 10, codes);
  const after = await reconstructionPixels(page);
  check(after.length === pixels.length && after.every((v, i) => v === pixels[i]), "the reconstruction is the edited one, pixel for pixel");
  check(await byId(page, "colour-by").inputValue() === "margin", "the view (colouring by margin) is kept");
  await expectWithin(page, "the model loads again", 60, () =>
    /Model fashion loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""));
  await page.screenshot({ path: join(screenshots, "session-restored.png"), fullPage: true });
  // The history came back: redo, then undo twice, reach the image as encoded; the engine has
  // the grid (an edit after the reload decodes).
  await byId(page, "redo").click();
  await expectCellCode(page, "redo after the reload does the undone edit again", 10, 2, 2, second);
  await byId(page, "undo").click();
  await byId(page, "undo").click();
  await expectCodes(page, "two undos after the reload reach the grid as encoded", 10, encoded);
  await setCellCode(page, "an edit after the reload is decoded by the engine", 3, 3, (encoded[24] + 16) % 128);
  await expectWithin(page, "after the reload the engine has the picture again: the selected cell's z_e, its 16 numbers", 30, () =>
    document.querySelectorAll('[data-testid="inside-ze"] rect').length === 16, null,
  async () => JSON.stringify(await page.evaluate(() => document.querySelector('[data-testid="inside"]')?.innerText.slice(0, 300))));

  // Start over: a confirmation, then the lab as on a first visit, and nothing kept.
  await byId(page, "start-over").click();
  await byId(page, "start-over-confirm").click();
  await expectWithin(page, "start over: the image is gone", 30, () =>
    !document.querySelector('[data-testid="encoded-info"]') && !document.querySelector('[data-testid="session-restored"]'));
  await expectKept(page, "start over: the browser keeps no image", 10, (kept) => kept === null || kept.source === null);
  check(await byId(page, "colour-by").count() === 0 || await byId(page, "colour-by").inputValue() === "code", "start over: the view is the default");
  // Past the session's write delay (400 ms): what start over changed (the view, the model) is a
  // first visit's, and the browser keeps nothing at all, not a session without an image.
  await page.waitForTimeout(1000);
  await expectKept(page, "start over, a second later: the browser keeps no session", 10, (kept) => kept === null);
  await page.reload();
  await byId(page, "model-status").waitFor();
  await expectWithin(page, "after start over, a reload opens an empty lab", 60, () =>
    /Model fashion loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? "") &&
    !document.querySelector('[data-testid="encoded-info"]') && !document.querySelector('[data-testid="session-restored"]'));
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ the site is what it says

/// Records every Content-Security-Policy violation of the page in `window.cspViolations`.
async function recordViolations(page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
  });
}

async function siteScenario(page, errors) {
  const html = await (await fetch(base)).text();
  check(/<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/.test(html),
    "the page carries its Content-Security-Policy");
  const inline = [...html.matchAll(/<script\b([^>]*)>/g)].filter(([, attributes]) => !/\bsrc=/.test(attributes));
  check(inline.length === 0, `no inline script in the page (${inline.map(([tag]) => tag).join(", ") || "none"})`);
  const build = /<meta name="vq-lab-build" content="([0-9a-f]{12})"/.exec(html)?.[1];
  check(Boolean(build), `the page names its build (${build})`);
  const loader = await (await fetch(new URL("engine_worker_loader.js", base))).text();
  check(loader.includes(`self.VQ_LAB_BUILD = "${build}"`) && loader.includes(`engine_worker_bg.wasm?build=${build}`),
    "the engine's loader names the same build and loads the engine's files by it");

  await recordViolations(page);
  const requests = [];
  page.context().on("request", (request) => requests.push(request.url()));
  await page.goto(base);
  await expectBackend(page, "cpu");
  await byId(page, "model-status").waitFor();
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  await setCellCode(page, "an edit applies under the policy", 1, 1, 7);
  await sampleAndWait(page);
  await byId(page, "colour-by").selectOption("colour");
  await expectWithin(page, "the codebook's mean colours show under the policy", 60, () =>
    document.querySelector('[data-testid="code-cell"]')?.getAttribute("style")?.includes("background"));
  await page.waitForTimeout(500);
  const violations = await page.evaluate(() => window.cspViolations);
  check(violations.length === 0, `no Content-Security-Policy violation in a full session (${violations.join(" | ") || "none"})`);
  const origin = new URL(base).origin;
  const away = requests.filter((url) => !url.startsWith(origin) && !/^(data|blob):/.test(url));
  check(requests.length > 5 && away.length === 0, `no request leaves the origin (${requests.length} requests; away: ${away.join(", ") || "none"})`);
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  // The recorder and the policy at work: an inline script added now is blocked and recorded.
  const ran = await page.evaluate(() => {
    window.inlineRan = false;
    const script = document.createElement("script");
    script.textContent = "window.inlineRan = true;";
    document.head.append(script);
    return new Promise((resolve) => setTimeout(() => resolve(window.inlineRan), 200));
  });
  const blocked = await page.evaluate(() => window.cspViolations);
  check(!ran && blocked.length === 1 && /^script-src/.test(blocked[0]),
    `an inline script added to the page is blocked and recorded (ran: ${ran}; ${blocked.join(" | ")})`);

  // A new build on the server: the service worker takes it, the old cache goes, the page says so.
  await page.evaluate(() => navigator.serviceWorker.ready);
  check((await page.evaluate(() => caches.keys())).includes(`vq-lab-${build}`), "the service worker caches by build");
  swBuild = "feedfacefeed";
  try {
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration.update()));
    await expectWithin(page, "the page says a new version is ready", 30, () =>
      /A new version of VQ Lab is ready/.test(document.querySelector('[data-testid="update-ready"]')?.textContent ?? ""));
    await expectWithin(page, "the old build's cache is removed", 30, async () =>
      JSON.stringify(await caches.keys()) === JSON.stringify(["vq-lab-feedfacefeed"]));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshots, "update-ready.png") });
  } finally {
    swBuild = null;
  }
}

async function staleEngineScenario(page) {
  await page.goto(new URL("stale/", base).href);
  await expectWithin(page, "an engine of another build is refused with a sentence", 90, () =>
    /A new version of VQ Lab is ready, but this page and its engine come from different versions/.test(
      document.querySelector('[data-testid="engine-error"]')?.textContent ?? ""),
  null, async () => JSON.stringify(await page.evaluate(() => document.querySelector("main")?.innerText.slice(0, 300))));
  check(await byId(page, "reload").count() === 1, "with a button that reloads the page");
  check(await byId(page, "lab").count() === 0, "and no lab on that engine");
}

// ------------------------------------------------------------------ inside a cell

/// Sets the range input `testid` to `value` as a drag would (an input event).
async function setRange(page, testid, value) {
  await page.evaluate(([id, v]) => {
    const input = document.querySelector(`[data-testid="${id}"]`);
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, [testid, value]);
}

async function canvasBytes(page, testid) {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`);
    if (!canvas || !canvas.width) return [];
    return Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data);
  }, testid);
}

/// Opens the lab on the CPU backend with the first fashion example, the ankle boot, encoded;
/// resolves to its grid.
async function openAnkleBoot(page) {
  await page.goto(base);
  await expectBackend(page, "cpu");
  await byId(page, "model-status").waitFor();
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  return gridCodes(page);
}

async function insideScenario(page, errors) {
  const codes = await openAnkleBoot(page);
  await cell(page, 3, 3).click();
  const shown = async () => JSON.stringify(await page.evaluate(() =>
    document.querySelector('[data-testid="inside"]')?.innerText.slice(0, 400) ?? "(no panel)"));
  await expectWithin(page, "selecting a cell opens its inside: the nearest codes and the distances of the 64 nearest of 128", 30, () =>
    document.querySelectorAll('[data-testid="inside-nearest"] li').length === 8 &&
    document.querySelectorAll('[data-testid="inside-distances"] rect[data-code]').length === 64 &&
    /the 64 nearest of the 128 codes/.test(document.querySelector('[data-testid="inside"]')?.textContent ?? ""), null, shown);
  const chart = await page.evaluate(() => ({
    ze: document.querySelectorAll('[data-testid="inside-ze"] rect').length,
    heights: [...document.querySelectorAll('[data-testid="inside-distances"] rect[data-code]')].map((r) => Number(r.getAttribute("height"))),
    marked: [...document.querySelectorAll('[data-testid="inside-distances"] rect[data-code]')].slice(0, 2).map((r) => r.getAttribute("class")),
    chosen: document.querySelector('[data-testid="inside-nearest"] li.chosen')?.dataset.code,
    runnerUp: document.querySelector('[data-testid="inside-nearest"] li.runner-up')?.dataset.code,
  }));
  check(chart.ze === 16, `z_e is drawn as its 16 numbers (${chart.ze} bars)`);
  check(chart.heights.every((h, i) => i === 0 || h >= chart.heights[i - 1]), "the distances are sorted, nearest first");
  check(chart.marked[0] === "bar-chosen" && chart.marked[1] === "bar-runner-up", `the nearest two are marked (${chart.marked})`);
  check(Number(chart.chosen) === codes[3 * 7 + 3], `the chosen code is the cell's code (${chart.chosen}, the grid has ${codes[3 * 7 + 3]})`);
  const [nearest, toward] = [Number(chart.chosen), Number(chart.runnerUp)];
  check(await byId(page, "inside-toward").inputValue() === String(toward), "the slider moves toward the second-nearest code first");

  const readout = () => page.evaluate(() => document.querySelector('[data-testid="inside-readout"]')?.textContent ?? "");
  await expectWithin(page, "at once (t = 0) the vector quantises to its own code, its window is decoded, and the boundary is named", 30, (code) =>
    new RegExp(`^t = 0\\.000: .* quantises to code ${code}\\. The two distances are equal at t = 0\\.\\d+`).test(
      document.querySelector('[data-testid="inside-readout"]')?.textContent ?? ""), nearest, readout);
  const boundary = Number(/equal at t = (0\.\d+)/.exec(await readout())[1]);
  const before = Math.max(0, Math.round((boundary - 0.02) * 1000));
  const after = Math.min(1000, Math.round((boundary + 0.02) * 1000));
  await setRange(page, "inside-slider", before);
  await expectWithin(page, `just before the boundary (t = ${before / 1000}) the code stays ${nearest}`, 30, ([t, code]) =>
    (document.querySelector('[data-testid="inside-readout"]')?.textContent ?? "").startsWith(`t = ${t}`) &&
    (document.querySelector('[data-testid="inside-readout"]')?.textContent ?? "").includes(`quantises to code ${code}.`),
  [(before / 1000).toFixed(3), nearest], readout);
  const pixelsBefore = await canvasBytes(page, "inside-patch");
  await setRange(page, "inside-slider", after);
  await expectWithin(page, `just past the boundary (t = ${after / 1000}) the code switches to ${toward}`, 30, ([t, code]) =>
    (document.querySelector('[data-testid="inside-readout"]')?.textContent ?? "").startsWith(`t = ${t}`) &&
    (document.querySelector('[data-testid="inside-readout"]')?.textContent ?? "").includes(`quantises to code ${code}.`),
  [(after / 1000).toFixed(3), toward], readout);
  const pixelsAfter = await canvasBytes(page, "inside-patch");
  check(pixelsBefore.length > 0 && pixelsBefore.length === pixelsAfter.length &&
    pixelsBefore.some((v, i) => v !== pixelsAfter[i]), "and the decoded window changes with it");
  await expectCodes(page, "moving the vector does not edit the grid", 5, codes);
  await byId(page, "inside").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "inside-a-cell.png"), fullPage: true });

  // What the numbers say about this image: perplexity, dead codes, the paper's arithmetic.
  await page.locator('[data-testid="numbers"] summary').click();
  const used = new Set(codes).size;
  const numbers = () => page.evaluate(() => document.querySelector('[data-testid="numbers"]')?.innerText ?? "");
  await expectWithin(page, `the numbers explained: ${used} of the 128 codes used by the 49 cells, perplexity at most 49, dead codes`, 30, (n) => {
    const text = document.querySelector('[data-testid="numbers"]')?.innerText ?? "";
    return text.includes(`49 cells use ${n} of the 128 codes`) && text.includes("no larger than the number of cells counted (49 here)") &&
      /Dead codes: \d+ of the 128 codes/.test(text);
  }, used, numbers);
  check((await numbers()).includes("28×28 pixels × 1 channel × 8 bits = 6272 bits. Its grid is 49 codes of log₂ 128 = 7 bits each: 343 bits, 18× fewer."),
    "the compression arithmetic of a 28×28 grey image and its 7×7 grid");
  await byId(page, "colour-by").selectOption("surprisal");
  await expectWithin(page, "once the surprisal is measured, the grid's bits under the prior", 60, () =>
    /Under the prior, which predicts each code from the codes before it, the grid costs \d+ bits/.test(
      document.querySelector('[data-testid="numbers-compression"]')?.textContent ?? ""), null, numbers);
  await page.locator('[data-testid="numbers"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "numbers-explained.png") });
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ the losses and the map

/// The three loss terms of the ankle boot (the reconstruction term agrees with the error map's
/// PSNR), an edit that raises them and an undo that brings them back; the codebook's map with a
/// dot a code and a point a cell, the selected cell ringed, a hovered code's card; on the photo
/// model, a point for each of its thousands of cells.
async function teachingScenario(page, errors) {
  const codes = await openAnkleBoot(page);
  const losses = () => page.evaluate(() => document.querySelector('[data-testid="losses"]')?.innerText.slice(0, 1500) ?? "(no panel)");
  await page.locator('[data-testid="losses"] summary').click();
  await expectWithin(page, "opened, the losses panel draws the straight-through estimator and its line of code", 10, () =>
    document.querySelector('[data-testid="straight-through"]') &&
    (document.querySelector('[data-testid="straight-through-code"]')?.textContent ?? "").includes("(z_q - z_e).detach()"), null, losses);
  await expectWithin(page, "and the three terms of this image, with every cell at the encoder's code", 30, () =>
    ["reconstruction", "codebook", "commitment"].every((t) => document.querySelector(`[data-testid="loss-${t}"]`)) &&
    /Every one of the 49 cells carries the code the encoder chose/.test(document.querySelector('[data-testid="losses-sentence"]')?.textContent ?? ""),
  null, losses);
  const term = (name) => page.evaluate((n) => Number(document.querySelector(`[data-testid="loss-${n}"] td[data-value]`)?.dataset.value), name);
  const [reconstruction, codebook, commitment] = [await term("reconstruction"), await term("codebook"), await term("commitment")];
  check(reconstruction > 0 && codebook > 0 && Math.abs(commitment - 0.25 * codebook) < 1e-9 * Math.max(1, codebook),
    `the terms: reconstruction ${reconstruction}, codebook ${codebook}, commitment ${commitment} = 0.25 × codebook`);
  const caption = await page.evaluate(() => document.querySelector('[data-testid="error-map"]')?.closest("figure")?.innerText ?? "");
  const pagePsnr = Number(/PSNR ([\d.]+) dB/.exec(caption)?.[1]);
  const enginePsnr = 10 * Math.log10(1 / reconstruction);
  check(Math.abs(pagePsnr - enginePsnr) < 0.5, `the reconstruction term (${enginePsnr.toFixed(2)} dB) agrees with the error map's PSNR (${pagePsnr} dB)`);

  // An edit far from the encoder's choice raises the quantisation terms; undo brings them back.
  const far = (codes[3 * 7 + 3] + 64) % 128;
  await setCellCode(page, "an edit of cell (3, 3) applies", 3, 3, far);
  await expectWithin(page, "after the edit, 1 of the 49 cells is off the encoder's code and the codebook term grew", 30, (before) =>
    /^1 of the 49 cells carry a code other than the encoder's choice/.test(document.querySelector('[data-testid="losses-sentence"]')?.textContent ?? "") &&
    Number(document.querySelector('[data-testid="loss-codebook"] td[data-value]')?.dataset.value) > before, codebook, losses);
  await byId(page, "losses").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "losses.png") });
  await byId(page, "undo").click();
  await expectWithin(page, "undo brings the terms back to the encoder's", 30, (before) =>
    /Every one of the 49 cells/.test(document.querySelector('[data-testid="losses-sentence"]')?.textContent ?? "") &&
    Math.abs(Number(document.querySelector('[data-testid="loss-codebook"] td[data-value]')?.dataset.value) - before) < 1e-9, codebook, losses);

  // The map.
  await page.locator('[data-testid="codebook-map"] summary').click();
  const mapText = () => page.evaluate(() => document.querySelector('[data-testid="codebook-map"]')?.innerText.slice(0, 800) ?? "(no panel)");
  await expectWithin(page, "the map: a dot for each of the 128 codes, a point for each of the 49 cells, the axes' shares", 30, () =>
    document.querySelectorAll('[data-testid="map-code"]').length === 128 &&
    document.querySelector('[data-testid="map-cells"]')?.dataset.count === "49" &&
    /the first shows \d+ % of their spread, the second \d+ %/.test(document.querySelector('[data-testid="map-caption"]')?.textContent ?? ""),
  null, mapText);
  const used = await page.evaluate(() => [...document.querySelectorAll('[data-testid="map-code"]')].reduce((n, c) => n + Number(c.dataset.used), 0));
  check(used === 49, `the dots' counts add up to the 49 cells (${used})`);
  await cell(page, 3, 3).click();
  await expectWithin(page, "the selected cell is ringed on the map, with a line to its code", 10, () =>
    document.querySelector('[data-testid="map-selected"] line') !== null, null, mapText);
  const code = codes[3 * 7 + 3];
  await page.locator(`[data-testid="map-code"][data-code="${code}"]`).hover({ force: true });
  await expectWithin(page, `hovering code ${code} shows its card: its cells here and its 5 nearest codes`, 10, (k) =>
    (document.querySelector('[data-testid="map-card-code"]')?.textContent ?? "").startsWith(`Code ${k}: `) &&
    document.querySelectorAll('[data-testid="map-card-nearest"] li').length === 5, code, mapText);
  await byId(page, "codebook-map").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "codebook-map.png") });

  // What the selected cell's code means: patches of the examples and the 256 test images.
  const meaning = () => page.evaluate(() => document.querySelector('[data-testid="meaning"]')?.innerText.slice(0, 600) ?? "(no panel)");
  await byId(page, "code-meaning").click();
  await expectWithin(page, `"What does code ${code} mean?" shows patches of real pictures with that code, from the 4 examples and 256 test images`, 60, (k) =>
    (document.querySelector('[data-testid="meaning"] h3')?.textContent ?? "").startsWith(`What code ${k} means`) &&
    /^\d+ of the 12740 cells of 260 pictures \(the 4 examples and 256 images of the Fashion-MNIST test set\) quantises? to code \d+/.test(
      document.querySelector('[data-testid="meaning-summary"]')?.textContent ?? "") &&
    document.querySelectorAll('[data-testid="meaning-patch"]').length >= 1, code, meaning);
  const patchSources = await page.evaluate(() => [...document.querySelectorAll('[data-testid="meaning-patch"] figcaption')].map((f) => f.textContent));
  check(patchSources.length <= 12 && patchSources.every((t) => / · \d\.\d{3}$/.test(t)), `each patch names its picture and distance (${patchSources.slice(0, 3).join("; ")}…)`);
  const own = await page.evaluate(() => [...document.querySelectorAll('[data-testid="meaning-patch"][data-source="Ankle boot"]')]
    .map((f) => document.querySelector(`[data-testid="code-cell"][data-row="${f.dataset.row}"][data-col="${f.dataset.col}"]`)?.dataset.code));
  check(own.length >= 1 && own.every((k) => Number(k) === code),
    `the patches of this image are cells of its grid with code ${code} (${own.join(", ")})`);
  const distances = patchSources.map((t) => Number(/ · ([\d.]+)$/.exec(t)[1]));
  check(distances.every((d, i) => i === 0 || d >= distances[i - 1]), "the most typical (nearest) first");
  await byId(page, "meaning").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "code-meaning.png") });
  const other = (code + 1) % 128;
  await page.locator(`[data-testid="map-code"][data-code="${other}"]`).click({ force: true });
  await expectWithin(page, `clicking code ${other} on the map shows what it means`, 30, (k) =>
    (document.querySelector('[data-testid="meaning"] h3')?.textContent ?? "").startsWith(`What code ${k} means`) &&
    /quantises? to code/.test(document.querySelector('[data-testid="meaning-summary"]')?.textContent ?? ""), other, meaning);

  // The photo model: thousands of cells on its map.
  await byId(page, "model-select").selectOption("photo");
  await page.locator('[data-testid="model-status"][data-model="photo"]').waitFor();
  await byId(page, "example").first().click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="encoding"]') && document.querySelector('[data-testid="heatmap"]'));
  const shape = await page.evaluate(() => {
    const h = document.querySelector('[data-testid="heatmap"]');
    return Number(h.getAttribute("data-rows")) * Number(h.getAttribute("data-cols"));
  });
  // Another model's lab is a new one: its panels start folded.
  await page.locator('[data-testid="codebook-map"] summary').click();
  await expectWithin(page, `on the photo model, the map has 512 codes and the ${shape} cells of its example`, 30, (n) =>
    document.querySelectorAll('[data-testid="map-code"]').length === 512 &&
    document.querySelector('[data-testid="map-cells"]')?.dataset.count === String(n), shape, mapText);
  await byId(page, "codebook-map").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "codebook-map-photo.png") });
  const photoCode = await page.evaluate(() => [...document.querySelectorAll('[data-testid="map-code"]')]
    .sort((a, b) => Number(b.dataset.used) - Number(a.dataset.used))[0].dataset.code);
  await page.locator(`[data-testid="map-code"][data-code="${photoCode}"]`).click({ force: true });
  await expectWithin(page, `on the photo model, the most used code (${photoCode}) has patches from the examples and the 9 held-out photographs`, 60, (k) =>
    (document.querySelector('[data-testid="meaning"] h3')?.textContent ?? "").startsWith(`What code ${k} means`) &&
    / cells of 13 pictures \(the 4 examples and the centre squares of the 9 held-out photographs\) quantises? to code/.test(document.querySelector('[data-testid="meaning-summary"]')?.textContent ?? "") &&
    document.querySelectorAll('[data-testid="meaning-patch"]').length === 12, photoCode, meaning);
  await byId(page, "meaning").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, "code-meaning-photo.png") });
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// ------------------------------------------------------------------ a first visit, the tour, the modes

/// What presentation mode changes: the root's class, the reconstruction's width, the hints and
/// the keep/share row shown.
async function presentationState(page) {
  return page.evaluate(() => {
    const shown = (node) => !!node && node.getClientRects().length > 0;
    return {
      presenting: document.querySelector(".shell")?.classList.contains("presenting") ?? false,
      width: document.querySelector('[data-testid="reconstruction"]')?.getBoundingClientRect().width ?? 0,
      hints: [...document.querySelectorAll(".hint")].filter(shown).length,
      share: shown(document.querySelector('[data-testid="export-png"]')),
      help: shown(document.querySelector('[data-testid="help-button"]')),
    };
  });
}

/// A first visit (no markers in localStorage: `scenario`'s `firstVisit`): the first example
/// encoded by itself, the pictures in a phone's first screen, the tour; a reload keeps the
/// session; `?present` and its button; `?embed`.
async function firstVisitScenario(page, errors) {
  const main = async () => JSON.stringify(await page.evaluate(() => document.querySelector("main")?.innerText.slice(0, 400)));
  const tour = async () => JSON.stringify(await page.evaluate(() => ({
    tour: document.querySelector('[data-testid="tour"]')?.innerText ?? "(no tour)",
    outlined: [...document.querySelectorAll(".tour-target")].map((n) => n.dataset.testid ?? n.className),
  })));
  const stored = (key) => page.evaluate((k) => localStorage.getItem(k), key);

  // A phone's width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base);
  await expectBackend(page, "cpu");
  await expectWithin(page, "a first visit opens with the first example encoded, without a click: its heatmap", 90, () =>
    /^Ankle boot:/.test(document.querySelector('[data-testid="encoded-info"]')?.textContent ?? "") &&
    document.querySelectorAll('[data-testid="code-cell"]').length === 49 &&
    !document.querySelector('[data-testid="encoding"]'), null, main);
  await expectWithin(page, "and the tour's first step: Upload", 10, () =>
    document.querySelector('[data-testid="tour-step"]')?.dataset.step === "1" &&
    /^Upload\./.test(document.querySelector('[data-testid="tour-step"]')?.textContent ?? ""), null, tour);
  check(await byId(page, "session-restored").count() === 0, "nothing is restored");
  check(await stored("vq-lab-visited") === "1", "the page marks the visit");
  check(await byId(page, "backend-details").evaluate((details) => !details.open), "the badge's details are folded");
  const top = await byId(page, "reconstruction").evaluate((node) => node.getBoundingClientRect().top + window.scrollY);
  check(top <= 844, `at 390×844 the reconstruction starts within the first screen (${top.toFixed(0)} px from the top)`);
  check(!(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), "nothing overflows horizontally");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshots, "first-visit-phone.png") });

  // The tour, at a laptop's width: Next, Back, Skip.
  await page.setViewportSize({ width: 1100, height: 700 });
  await byId(page, "tour-next").click();
  await expectWithin(page, "Next: the heatmap's step, the heatmap outlined", 10, () =>
    document.querySelector('[data-testid="tour-step"]')?.dataset.step === "2" &&
    document.querySelector('[data-testid="heatmap"]')?.classList.contains("tour-target"), null, tour);
  check(await stored("vq-lab-tour") === "2", "the browser keeps the tour's step");
  await page.screenshot({ path: join(screenshots, "tour.png") });
  await byId(page, "tour-back").click();
  await expectWithin(page, "Back: the upload step again, the inputs outlined and the heatmap no more", 10, () =>
    document.querySelector('[data-testid="tour-step"]')?.dataset.step === "1" &&
    document.querySelector(".lab-row.inputs")?.classList.contains("tour-target") &&
    !document.querySelector('[data-testid="heatmap"]')?.classList.contains("tour-target"), null, tour);
  // Run to its end: each step outlines its element; the last button says Done.
  for (const step of [2, 3, 4, 5]) {
    await byId(page, "tour-next").click();
    await expectWithin(page, `Next: step ${step} of 5, its element outlined`, 10, (n) =>
      document.querySelector('[data-testid="tour-step"]')?.dataset.step === String(n) &&
      document.querySelectorAll(".tour-target").length === 1, step, tour);
  }
  check(/^Inside a cell\./.test(await byId(page, "tour-step").textContent()), "the last step is the inside of a cell");
  check((await byId(page, "tour-next").textContent()).trim() === "Done", "and its button says Done");
  await byId(page, "tour-next").click();
  await expectWithin(page, "Done: the tour ran to its end, the card goes, nothing stays outlined", 10, () =>
    !document.querySelector('[data-testid="tour"]') && !document.querySelector(".tour-target"), null, tour);
  check(await stored("vq-lab-tour") === "done", "the browser remembers the tour as finished");

  // A tour under way again (as a reload mid-tour leaves it), skipped this time.
  await page.evaluate(() => localStorage.setItem("vq-lab-tour", "1"));
  await page.reload();
  await expectWithin(page, "a tour left at its first step shows it again after a reload", 60, () =>
    document.querySelector('[data-testid="tour-step"]')?.dataset.step === "1", null, tour);
  await byId(page, "tour-skip").click();
  await expectWithin(page, "Skip tour: the card goes, and nothing stays outlined", 10, () =>
    !document.querySelector('[data-testid="tour"]') && !document.querySelector(".tour-target"), null, tour);
  check(await stored("vq-lab-tour") === "done", "the browser remembers the tour as dismissed");
  await page.locator('[data-testid="model-status"][data-model="fashion"]').waitFor();
  await waitForEncoding(page, "Ankle boot");

  // An edit, kept; after a reload, neither the tour nor the example comes back over it.
  const encoded = await gridCodes(page);
  await setCellCode(page, "an edit of cell (3, 3) applies", 3, 3, (encoded[24] + 64) % 128);
  const edited = await gridCodes(page);
  await expectKept(page, "the browser keeps the edited example", 10, (kept) =>
    kept?.source === "Ankle boot" && kept.done === 1 && JSON.stringify(kept.codes) === JSON.stringify(edited));
  await page.reload();
  await expectWithin(page, "after a reload, the kept session is restored", 60, () =>
    /restored: Ankle boot/.test(document.querySelector('[data-testid="session-restored"]')?.textContent ?? ""), null, main);
  await waitForEncoding(page, "Ankle boot");
  await expectWithin(page, "the model loads again", 60, () =>
    /Model fashion loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""), null, main);
  // Time for an example encoded by itself to arrive, were one asked for (an encode takes ~15 ms).
  await page.waitForTimeout(1500);
  await expectCodes(page, "the grid is still the edited one: no example replaced it", 10, edited);
  check(await byId(page, "tour").count() === 0, "no tour after it was skipped");
  const kept = await keptSession(page);
  check(kept?.done === 1 && JSON.stringify(kept.codes) === JSON.stringify(edited),
    `the kept session is unchanged, its edit to undo with it: ${JSON.stringify(kept && { ...kept, codes: kept.codes?.length })}`);

  // Presentation mode at a projector's width: ?present, then its button.
  await page.setViewportSize({ width: 1920, height: 1080 });
  const normal = await presentationState(page);
  check(!normal.presenting && normal.hints > 0 && normal.share && normal.help,
    `without ?present the hints, the keep/share row and the shortcuts' button show: ${JSON.stringify(normal)}`);
  await page.goto(`${base}?present`);
  await waitForEncoding(page, "Ankle boot");
  await expectWithin(page, "?present: the page is in presentation mode", 10, () =>
    document.querySelector(".shell.presenting"), null, main);
  const presented = await presentationState(page);
  check(presented.hints === 0, `?present hides every hint (${presented.hints} shown)`);
  check(!presented.share && !presented.help, "and the keep/share row and the shortcuts' button");
  check(presented.width > 1.5 * normal.width,
    `and shows the reconstruction ${presented.width.toFixed(0)} px wide (${normal.width.toFixed(0)} px without)`);
  await page.locator('[data-testid="model-status"][data-model="fashion"]').waitFor();
  await page.screenshot({ path: join(screenshots, "presentation.png") });
  await byId(page, "present-toggle").click();
  await expectWithin(page, "the button leaves presentation mode", 10, () =>
    !document.querySelector(".shell.presenting"), null, main);
  const left = await presentationState(page);
  check(left.hints > 0 && left.share && left.help && Math.abs(left.width - normal.width) < 2,
    `everything is back: ${JSON.stringify(left)}`);
  const search = await page.evaluate(() => location.search);
  check(!/present/.test(search), `the address follows, without a reload (${JSON.stringify(search)})`);

  // Embedded in a course page: no header, no tour, the example, and the student's session
  // neither restored nor overwritten.
  await page.goto(`${base}?embed`);
  await expectWithin(page, "?embed: the page says so, with no header", 60, () =>
    document.querySelector('[data-testid="embed"]') && !document.querySelector("header") &&
    document.querySelector('[data-testid="lab"]'), null, main);
  await waitForEncoding(page, "Ankle boot");
  await expectCodes(page, "the embedded page shows the example as encoded, not the kept edit", 10, encoded);
  check(await byId(page, "tour").count() === 0 && await byId(page, "session-restored").count() === 0,
    "no tour, nothing restored");
  await page.waitForTimeout(1000);
  const untouched = await keptSession(page);
  check(untouched?.done === 1 && JSON.stringify(untouched.codes) === JSON.stringify(edited),
    "the kept session is left as it was");
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

// VQ_LAB_E2E_ONLY: a regular expression; only scenarios whose title matches run (development).
const only = process.env.VQ_LAB_E2E_ONLY ? new RegExp(process.env.VQ_LAB_E2E_ONLY) : null;

/// Runs one scenario in its own browser. A step that throws (a FAIL that stops it, a wait past
/// the default timeout, a browser that does not start) counts as a FAIL here, and the next
/// scenario runs. `options.firstVisit`: the browser opens the page as on a first visit (see
/// `withBrowser`).
/// The training panel's figures as the page shows them.
async function trainingState(page) {
  return page.evaluate(() => {
    const status = document.querySelector('[data-testid="training-status"]');
    const evaluation = document.querySelector('[data-testid="training-evaluation"]');
    const last = (id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.last ?? "";
    return {
      status: status?.dataset.status,
      step: Number(status?.dataset.step),
      imagesPerSecond: Number(status?.dataset.imagesPerSecond),
      line: status?.textContent,
      error: document.querySelector('[data-testid="training-error"]')?.textContent ?? null,
      psnr: Number(evaluation?.dataset.psnr),
      codesUsed: Number(evaluation?.dataset.codesUsed),
      perplexity: Number(evaluation?.dataset.perplexity),
      evaluatedAt: Number(evaluation?.dataset.step),
      charts: ["chart-losses", "chart-psnr", "chart-perplexity", "chart-codes"].map(last),
    };
  });
}

/// A run of `preset` of `steps` steps, to its end: the page's figures after its last evaluation.
async function trainToEnd(page, preset, steps) {
  await byId(page, preset).click();
  await page.locator('[data-testid="training-knobs"] summary').click();
  await byId(page, "knob-steps").fill(String(steps));
  await byId(page, "knob-steps").press("Tab");
  await byId(page, "training-start").click();
  const observe = async () => JSON.stringify(await trainingState(page));
  // The run before may show the same step finished: first see this one start (it runs for
  // seconds; the trainer's Started resets the step).
  await expectWithin(page, `${preset}: the run starts`, 60, (n) => {
    const status = document.querySelector('[data-testid="training-status"]');
    return status?.dataset.status === "running" && Number(status.dataset.step) < n;
  }, steps, observe);
  await expectWithin(page, `${preset}, ${steps} steps: the run finishes and is evaluated at its last step`, 240, (n) => {
    const status = document.querySelector('[data-testid="training-status"]')?.dataset.status;
    const evaluated = Number(document.querySelector('[data-testid="training-evaluation"]')?.dataset.step);
    return status === "finished" && evaluated === n;
  }, steps, observe);
  await page.locator('[data-testid="training-knobs"] summary').click();
  return trainingState(page);
}

/// The training panel on the CPU backend: open, train, pause, resume; the figures finite; the
/// collapse preset against EMA + k-means + revival; the model used in the lab and downloaded.
async function trainingScenario(page, errors) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  checkBadge(await loadBadge(page, base), "cpu");
  await byId(page, "model-status").waitFor();
  const requests = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  check(!requests.some((path) => path.includes("/training/")), "nothing of the training images is downloaded before the panel opens");
  const observe = async () => JSON.stringify(await trainingState(page));
  await byId(page, "open-training").click();
  await expectWithin(page, "opened, the panel downloads the 3 000 training images and waits for a start", 60, () =>
    document.querySelector('[data-testid="training-status"]')?.dataset.status === "idle", null, observe);
  check(requests.some((path) => path.endsWith("/training/fashion/train.bin")), "the training images came from the site");

  // The paper's recipe: it runs, the main thread stays free, pause stops it, resume goes on.
  await byId(page, "preset-recipe").click();
  await byId(page, "training-start").click();
  await expectWithin(page, "the paper's recipe runs: 40 steps, a test PSNR and every chart drawn", 120, () => {
    const status = document.querySelector('[data-testid="training-status"]');
    return status?.dataset.status === "running" && Number(status.dataset.step) >= 40 &&
      document.querySelector('[data-testid="training-evaluation"]') &&
      ["chart-losses", "chart-psnr", "chart-perplexity", "chart-codes"].every((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.last);
  }, null, observe);
  const longTasksBefore = await page.evaluate(() => window.__longTasks.length);
  await page.waitForTimeout(5000);
  const running = await trainingState(page);
  const longTasks = await page.evaluate((from) => window.__longTasks.slice(from), longTasksBefore);
  console.log(`    training: ${running.line}; main-thread tasks over 50 ms in 5 s of training: ${JSON.stringify(longTasks.map((t) => Math.round(t.duration)))}`);
  check(running.imagesPerSecond > 0 && running.charts.every((value) => value !== "" && Number.isFinite(Number(value))),
    `while training, the speed and every chart's last value are finite numbers (${running.imagesPerSecond} images/s; ${running.charts.join(", ")})`);
  check(longTasks.every((task) => task.duration < 200), "the page stays responsive while the worker trains: no main-thread task of 200 ms or more");
  await page.screenshot({ path: join(screenshots, "training-running.png"), fullPage: true });
  await byId(page, "training-pause").click();
  await expectWithin(page, "Pause stops the run", 20, () =>
    document.querySelector('[data-testid="training-status"]')?.dataset.status === "paused", null, observe);
  const paused = (await trainingState(page)).step;
  await expectWithin(page, `paused, the figures are those of the model at step ${paused}`, 20, (step) =>
    Number(document.querySelector('[data-testid="training-evaluation"]')?.dataset.step) === step, paused, observe);
  await page.waitForTimeout(1500);
  check((await trainingState(page)).step === paused, `paused, the step stays at ${paused}`);
  await byId(page, "training-resume").click();
  await expectWithin(page, "Resume goes on from there", 30, (from) => {
    const status = document.querySelector('[data-testid="training-status"]');
    return status?.dataset.status === "running" && Number(status.dataset.step) > from;
  }, paused, observe);

  // A codebook that collapses, against one kept alive: fewer codes, a lower perplexity.
  const figures = (run) => `${run.codesUsed} codes, perplexity ${run.perplexity.toFixed(1)}, ${run.psnr.toFixed(2)} dB`;
  const recipe = await trainToEnd(page, "preset-recipe", 80);
  const collapse = await trainToEnd(page, "preset-collapse", 80);
  // The collapsed model, downloaded as one file (loaded back below).
  const [download] = await Promise.all([page.waitForEvent("download"), byId(page, "training-download").click()]);
  const bundle = await readFile(await download.path());
  check(/\.vqlab\.tar$/.test(download.suggestedFilename()) && bundle.length > 10_000,
    `Download gives ${download.suggestedFilename()} (${bundle.length} bytes)`);
  const alive = await trainToEnd(page, "preset-ema", 80);
  console.log(`    after 80 steps: the paper's recipe ${figures(recipe)}; collapse ${figures(collapse)}; EMA + k-means + revival ${figures(alive)}`);
  check(collapse.codesUsed < recipe.codesUsed && collapse.perplexity < recipe.perplexity,
    "the collapse preset uses fewer codes than the paper's recipe, at a lower perplexity");
  check(4 * collapse.codesUsed < alive.codesUsed && collapse.perplexity < alive.perplexity / 4,
    "the collapse preset uses under a quarter of the codes of EMA + k-means + revival, at under a quarter of its perplexity");
  check(await page.locator('[data-testid="chart-codes"] path.previous').count() > 0, "the run before is drawn dashed beside this one");
  await page.screenshot({ path: join(screenshots, "training-finished.png"), fullPage: true });

  // The model as it stands, used in the lab.
  const modelLine = () => page.evaluate(() => document.querySelector('[data-testid="model-status"], [data-testid="model-error"]')?.textContent);
  await byId(page, "training-use").click();
  await expectWithin(page, "Use this model: the lab loads the model trained here (128 codes)", 60, () => {
    const status = document.querySelector('[data-testid="model-status"]');
    return /^trained/.test(status?.dataset.model ?? "") && /128 codes/.test(status.textContent);
  }, null, modelLine);
  await byId(page, "example").first().click();
  await waitForEncoding(page, "Ankle boot");
  const pixels = await reconstructionPixels(page);
  const grey = pixels.filter((_, i) => i % 4 === 0);
  const spread = Math.max(...grey) - Math.min(...grey);
  check(spread > 100, `the trained model encodes and draws an example (its reconstruction's grey levels span ${spread})`);
  await page.screenshot({ path: join(screenshots, "training-used-in-lab.png"), fullPage: true });
  // The download loaded back: the collapsed model, under a name of its own.
  await byId(page, "load-trained-model").setInputFiles({ name: download.suggestedFilename(), mimeType: "application/x-tar", buffer: bundle });
  await expectWithin(page, "the downloaded file loads back as a model of the lab (the collapsed one: 512 codes)", 60, () => {
    const status = document.querySelector('[data-testid="model-status"]');
    return /^trained-/.test(status?.dataset.model ?? "") && /512 codes/.test(status.textContent);
  }, null, modelLine);
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
}

async function scenario(title, args, body, options = {}) {
  if (only && !only.test(title)) return;
  console.log(`  ${title}`);
  const started = Date.now();
  try {
    await withBrowser(args, body, options);
  } catch (error) {
    if (error instanceof ScenarioStopped) {
      console.log(`    (stopped after that failure)`);
    } else {
      fail(`the scenario stopped on an error: ${String(error?.stack ?? error).split("\n").slice(0, 4).join(" | ")}`);
    }
  }
  console.log(`    (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const server = await serve(pkg);
const base = `http://127.0.0.1:${server.address().port}/`;
await mkdir(screenshots, { recursive: true });
console.log(`serving ${pkg} at ${base}`);

try {
  await scenario("no WebGPU adapter: the CPU backend", [], async (page, errors) => {
    const badge = await loadBadge(page, base);
    console.log("    badge:", JSON.stringify(badge));
    checkBadge(badge, "cpu");
    check(/WebGPU is unavailable/.test(badge.reason ?? ""), "the reason says WebGPU is unavailable");
    check(/warm-up \d+(\.\d)? ms/.test(badge.warmup ?? ""), "the warm-up time is shown");
    await page.screenshot({ path: join(screenshots, "cpu-no-adapter.png"), fullPage: true });
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("no WebGPU adapter, ?backend=webgpu: a notice, then CPU", [], async (page) => {
    const badge = await loadBadge(page, `${base}?backend=webgpu`);
    checkBadge(badge, "cpu");
    const notice = await byId(page, "backend-notice").innerText();
    check(/asked for with \?backend=webgpu/.test(notice), `the notice says why: ${notice}`);
    await page.screenshot({ path: join(screenshots, "forced-webgpu-unavailable.png"), fullPage: true });
  });

  await scenario("SwiftShader: a software adapter, the CPU backend by default", SWIFTSHADER_ARGS, async (page, errors) => {
    const badge = await loadBadge(page, base);
    console.log("    badge:", JSON.stringify(badge));
    checkBadge(badge, "cpu");
    check(badge.software === "true", "the adapter is recognised as a software fallback");
    check(/software fallback/.test(badge.adapter ?? ""), `the adapter line says so: ${badge.adapter}`);
    await page.screenshot({ path: join(screenshots, "swiftshader-default-cpu.png"), fullPage: true });
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("SwiftShader, ?backend=webgpu: WebGPU, then the switch back to CPU", SWIFTSHADER_ARGS, async (page, errors) => {
    const badge = await loadBadge(page, `${base}?backend=webgpu`);
    console.log("    badge:", JSON.stringify(badge));
    checkBadge(badge, "webgpu", { fatal: true });
    check(/software fallback/.test(badge.adapter ?? ""), "the software adapter is named");
    await page.screenshot({ path: join(screenshots, "swiftshader-forced-webgpu.png"), fullPage: true });
    await byId(page, "backend-switch").click();
    await page.waitForURL(/backend=cpu/);
    const after = await loadBadge(page, page.url());
    check(after.backend === "cpu" && after.name === "CPU", `the switch reloads on the CPU backend: ${after.name ?? after.error}`);
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("the lab on the CPU backend: load, upload, hover, edit, undo, bad file", [], async (page, errors) => {
    await labScenario(page, errors, base, "cpu", "lab-cpu");
  });

  await scenario("the lab on WebGPU (SwiftShader)", SWIFTSHADER_ARGS, async (page, errors) => {
    await labScenario(page, errors, `${base}?backend=webgpu`, "webgpu", "lab-webgpu");
  });

  await scenario("the editing tools on the CPU backend: nearest codes, colourings, error map, eyedropper, brush, rectangle, copy and paste", [], async (page, errors) => {
    await toolsScenario(page, errors, base, "cpu", "tools-cpu");
  });

  await scenario("the prior on the CPU backend: sample, timeline, surprisal, suggestions, completion", [], async (page, errors) => {
    await priorScenario(page, errors, base, "cpu", "prior-cpu");
  });

  await scenario("the prior on WebGPU (SwiftShader)", SWIFTSHADER_ARGS, async (page, errors) => {
    await priorScenario(page, errors, `${base}?backend=webgpu`, "webgpu", "prior-webgpu");
  });

  await scenario("the photo model on the CPU backend: an example photo, a heatmap canvas, an edit, a sample", [], async (page, errors) => {
    checkBadge(await loadBadge(page, base), "cpu", { fatal: true });
    await byId(page, "model-status").waitFor();
    await byId(page, "model-select").selectOption("photo");
    await page.locator('[data-testid="model-status"][data-model="photo"], [data-testid="model-error"]').first().waitFor();
    check(await byId(page, "model-status").count() === 1, `the photo model loads: ${await page.locator('[data-testid="model-status"], [data-testid="model-error"]').first().innerText()}`);
    await page.locator('[data-testid="example"][data-name="photo/onestandsout.png"]').click();
    await waitForEncoding(page, "One stands out");
    const info = await byId(page, "encoded-info").innerText();
    const rows = Number(await byId(page, "heatmap").getAttribute("data-rows"));
    const cols = Number(await byId(page, "heatmap").getAttribute("data-cols"));
    const { cell, reach } = photoGeometry();
    check(cols === 256 / cell && rows === 160 / cell, `a 256×160 photo gives ${256 / cell}×${160 / cell} codes: ${info}`);
    check(await byId(page, "heatmap-canvas").count() === 1 && await byId(page, "code-cell").count() === 0, "the large grid is drawn on a canvas");
    const canvas = byId(page, "heatmap-canvas");
    const box = await canvas.boundingBox();
    // Cell (10, 20): its centre on the canvas.
    const at = { x: box.x + (20.5 / cols) * box.width, y: box.y + (10.5 / rows) * box.height };
    await page.mouse.move(at.x, at.y);
    const cellInfo = await byId(page, "cell-info").innerText();
    check(/^Cell \(10, 20\): code \d+ · distance/.test(cellInfo), `hover over the canvas names the cell: ${cellInfo}`);
    await page.mouse.click(at.x, at.y);
    check(/Cell \(10, 20\)/.test(await byId(page, "selected-cell").innerText()), "a click selects it");
    // While the prior weighs the cell's codes (a few hundred ms on this model) a line says so.
    const pending = await byId(page, "suggestions-pending").innerText({ timeout: 3000 }).catch(() => null);
    check(pending === "The prior is weighing codes for cell (10, 20)…", `a line says the prior is weighing the cell's codes: ${pending}`);
    const before = await reconstructionPixels(page);
    const width = 256;
    const code = (Number(await byId(page, "code-input").inputValue()) + 200) % 512;
    await byId(page, "code-input").fill(String(code));
    await byId(page, "apply-code").click();
    await page.waitForFunction(() => /last edit/.test(document.querySelector('[data-testid="edit-time"]')?.textContent ?? ""));
    const after = await reconstructionPixels(page);
    let changed = 0, outside = 0;
    for (let i = 0; i < after.length; i += 4) {
      const x = (i / 4) % width, y = Math.floor(i / 4 / width);
      if (after[i] !== before[i] || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2]) {
        changed += 1;
        // As in the fashion test (cell 0 reaches pixels 0 ..< 19): `reach`, in both directions.
        const [[x0, x1], [y0, y1]] = [reach(20), reach(10)];
        if (x < x0 || x >= x1 || y < y0 || y >= y1) outside += 1;
      }
    }
    check(changed > 0 && outside === 0, `the edit changed ${changed} pixels, none outside the cell's reach (${outside})`);
    await byId(page, "suggestion").first().waitFor();
    check(await byId(page, "suggestions-pending").count() === 0, "the line goes once the cell's suggestions are shown");
    await page.screenshot({ path: join(screenshots, "photo-cpu-edited.png"), fullPage: true });

    // The canvas by keyboard: arrows select, the eyedropper and a brush take Enter.
    await canvas.focus();
    await page.keyboard.press("ArrowRight");
    const right = await byId(page, "cell-info").innerText();
    check(/^Cell \(10, 21\): code \d+/.test(right), `an arrow on the focused canvas selects the next cell: ${right}`);
    const taken = Number(/code (\d+)/.exec(right)[1]);
    await page.keyboard.press("i");
    await page.keyboard.press("Enter");
    check(await byId(page, "paint-code").getAttribute("data-code") === String(taken), `I and Enter take its code (${taken})`);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("b");
    await page.keyboard.press("Enter");
    await expectWithin(page, "B and Enter paint it onto the cell to the left", 20,
      (code) => new RegExp(`^Cell \\(10, 20\\): code ${code} \\(edited`).test(
        document.querySelector('[data-testid="cell-info"]')?.textContent ?? ""), taken,
      async () => `(expected cell (10, 20) edited to code ${taken}) ${await editState(page)}`);

    // A 3×3 brush stroke across 30 columns of the canvas, watched for long tasks.
    await page.evaluate(() => {
      window.__strokeTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__strokeTasks.push(entry.duration);
      }).observe({ type: "longtask" });
    });
    await page.keyboard.press("]");
    await page.keyboard.press("]");
    check(await byId(page, "brush-size").inputValue() === "3", "] twice makes the brush 3×3");
    const strokeBefore = await reconstructionPixels(page);
    await canvas.scrollIntoViewIfNeeded();
    const now = await canvas.boundingBox();
    const y = now.y + (25.5 / rows) * now.height;
    await page.mouse.move(now.x + (5.5 / cols) * now.width, y);
    await page.mouse.down();
    const strokeStarted = Date.now();
    await page.mouse.move(now.x + (35.5 / cols) * now.width, y, { steps: 30 });
    await page.mouse.up();
    await page.waitForFunction(() => !document.querySelector('[data-testid="edit-pending"]'));
    const strokeMs = Date.now() - strokeStarted;
    const strokeTasks = await page.evaluate(() => window.__strokeTasks);
    const strokeChanged = changedPixels(strokeBefore, await reconstructionPixels(page), 256);
    const rowsOut = strokeChanged.filter(([, py]) => py < reach(24)[0] || py >= reach(26)[1]).length;
    console.log(`    brush stroke over 31 cells: ${strokeMs} ms to the last pixel; long tasks ${strokeTasks.length} (${strokeTasks.map((d) => d.toFixed(0)).join(", ")} ms)`);
    check(strokeChanged.length > 0 && rowsOut === 0, `the stroke repaints ${strokeChanged.length} pixels, all within its rows' reach (${rowsOut} outside)`);
    check(strokeTasks.length === 0, `no main-thread task over 50 ms while painting the photo on the CPU backend (${strokeTasks.length})`);
    await page.screenshot({ path: join(screenshots, "photo-cpu-brushed.png"), fullPage: true });
    await byId(page, "undo").click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="edit-pending"]'));
    check(changedPixels(strokeBefore, await reconstructionPixels(page), 256).length === 0, "one undo takes the stroke back exactly");
    await page.keyboard.press("Escape");
    check(await byId(page, "heatmap-zoom").count() === (256 / cell > 64 ? 1 : 0),
      `a zoom is offered only where the grid is over 64 cells a side (${cols}×${rows})`);

    // At 512 px the grid is over 64 cells a side at either cell size: 4× zooms it in a frame
    // that scrolls, and a cell is still found under the pointer.
    await byId(page, "size-select").selectOption("512");
    await page.waitForFunction((c) => document.querySelector('[data-testid="heatmap"]')?.getAttribute("data-cols") === String(c), 512 / cell);
    await byId(page, "heatmap-zoom").locator('button[data-zoom="4"]').click();
    const frame = await byId(page, "heatmap-frame").boundingBox();
    const zoomed = await byId(page, "heatmap-canvas").boundingBox();
    check(Math.abs(zoomed.width - 4 * frame.width) < 2 && Math.abs(frame.height - frame.width * 320 / 512) < 2,
      `4× makes the canvas four times its frame's width, the frame keeping the picture's shape (frame ${frame.width.toFixed(0)}×${frame.height.toFixed(0)}, canvas ${zoomed.width.toFixed(0)})`);
    await byId(page, "heatmap-frame").evaluate((node, [x, y]) => node.scrollTo(x, y), [zoomed.width / 2, zoomed.height / 2]);
    const [zr, zc] = [Math.floor(320 / cell / 2) + 3, Math.floor(512 / cell / 2) + 5];
    const scrolled = await byId(page, "heatmap-canvas").boundingBox();
    await page.mouse.move(scrolled.x + ((zc + 0.5) / (512 / cell)) * scrolled.width, scrolled.y + ((zr + 0.5) / (320 / cell)) * scrolled.height);
    const zoomedInfo = await byId(page, "cell-info").innerText();
    check(zoomedInfo.startsWith(`Cell (${zr}, ${zc}): code`), `zoomed and scrolled, the pointer names the cell under it: ${zoomedInfo}`);
    await byId(page, "heatmap-frame").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, "photo-cpu-zoomed.png"), fullPage: true });
    await byId(page, "heatmap-zoom").locator('button[data-zoom="1"]').click();
    await byId(page, "sample-count").selectOption("1");
    await byId(page, "sample-seed").fill("3");
    const started = Date.now();
    const pictures = await sampleAndWait(page);
    console.log(`    a ${128 / cell}×${128 / cell} sample: ${Date.now() - started} ms; ${await byId(page, "op-timings").innerText()}`);
    check(pictures.length === 1 && pictures[0].length === 128 * 128 * 4, `one sample of ${128 / cell}×${128 / cell} codes, a picture of 128×128`);
    await page.screenshot({ path: join(screenshots, "photo-cpu-sample.png"), fullPage: true });
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("hostile uploads on the CPU backend: a sample of the corpus, each refused with a sentence or encoded", [], async (page, errors) => {
    await hostileUploadsScenario(page, errors, base);
  });

  await scenario("a large photograph (an 8000×6000 JPEG) on the photo model: a line while the browser decodes it smaller, then its heatmap", [], async (page, errors) => {
    await largeUploadScenario(page, errors, base);
  });

  await scenario("memory on the photo model: 100 cycles of upload, edit, sample", [], async (page, errors) => {
    await memoryCyclesScenario(page, errors, base);
  });

  await scenario("a crash of the engine on the CPU backend: restarted, the image and its history kept", [], async (page) => {
    await restartScenario(page, `${base}?test-hooks`, "cpu", "restart-cpu");
  });

  await scenario("a crash of the engine on WebGPU (SwiftShader): restarted on WebGPU, the work kept", SWIFTSHADER_ARGS, async (page) => {
    await restartScenario(page, `${base}?backend=webgpu&test-hooks`, "webgpu", "restart-webgpu");
  });

  await scenario("offline after a first visit: the site and the model come from the service worker's cache", [], async (page, errors) => {
    checkBadge(await loadBadge(page, base), "cpu");
    await byId(page, "model-status").waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
    // The first visit installed the service worker; this one goes through it and fills its cache.
    await page.reload();
    await byId(page, "model-status").waitFor();
    serverDown = true;
    try {
      await page.reload();
      await byId(page, "model-status").waitFor();
      check(/Model fashion loaded/.test(await byId(page, "model-status").innerText()), "with the server gone, the page and the model load from the cache");
      await byId(page, "example").first().click();
      await waitForEncoding(page, "Ankle boot");
      check(await byId(page, "code-cell").count() === 49, "and an example is encoded");
      await page.screenshot({ path: join(screenshots, "offline.png"), fullPage: true });
    } finally {
      serverDown = false;
    }
    check(errors.filter((e) => !/Failed to load resource|ERR_/.test(e)).length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("inside a cell on the CPU backend: z_e, every code's distance sorted, the slider past the boundary switches the code and the pixels; the numbers explained", [], insideScenario);
  await scenario("the losses, the codebook's map and what a code means on the CPU backend: the trainer's three terms of this image, an edit and its undo; a dot a code, a point a cell; patches of real pictures by code", [], teachingScenario);
  await scenario("a first visit on the CPU backend: the first example encoded by itself, the pictures in a phone's first screen, the tour; ?present and its button; ?embed", [], firstVisitScenario, { firstVisit: true });

  await scenario("the training panel on the CPU backend: the paper's recipe runs, pauses and resumes; collapse against EMA + k-means + revival; the model downloaded and used in the lab", [], trainingScenario);

  await scenario("the session survives a reload: image, grid, history and view kept; Start over forgets them", [], sessionScenario);

  await scenario("the site is what it says: its Content-Security-Policy holds, nothing leaves the origin, a new build is announced", [], siteScenario);

  await scenario("an engine of another build than the page's is refused", [], staleEngineScenario);

  await scenario("the worker's script is missing: a clear sentence", [], async (page) => {
    const result = await loadBadge(page, `${base}broken/`);
    check(/worker failed to start/.test(result.error ?? ""), `the page says so: ${result.error}`);
    await page.screenshot({ path: join(screenshots, "worker-missing.png"), fullPage: true });
  });

  await scenario("a projector's width: the views grow", [], async (page) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    checkBadge(await loadBadge(page, base), "cpu");
    await byId(page, "model-status").waitFor();
    await byId(page, "example").first().click();
    await waitForEncoding(page, "Ankle boot");
    const width = (await byId(page, "reconstruction").boundingBox()).width;
    check(width >= 380, `at 1920 px the reconstruction is shown ${width.toFixed(0)} px wide`);
    await page.screenshot({ path: join(screenshots, "projector-lab.png"), fullPage: false });
  });

  await scenario("narrow screen, dark scheme", [], async (page) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.emulateMedia({ colorScheme: "dark" });
    checkBadge(await loadBadge(page, base), "cpu");
    await page.screenshot({ path: join(screenshots, "narrow-dark-cpu.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!overflow, "nothing overflows horizontally");
    await byId(page, "model-status").waitFor();
    await byId(page, "example").first().click();
    await waitForEncoding(page, "Ankle boot");
    await page.waitForFunction(() => /128 codes/.test(document.querySelector('[data-testid="codebook-summary"]')?.textContent ?? ""));
    await cell(page, 3, 3).click();
    await page.screenshot({ path: join(screenshots, "narrow-dark-lab.png"), fullPage: true });
    const labOverflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!labOverflow, "with an image, the tools and the codebook, still nothing overflows at a phone's width");

    // A finger: take cell (3, 3)'s code with the eyedropper, then drag the brush along row 5.
    const codes = await gridCodes(page);
    await page.locator('[data-testid="tool"][data-tool="Eyedropper"]').click();
    await cell(page, 3, 3).click();
    await page.locator('[data-testid="tool"][data-tool="Brush"]').click();
    await byId(page, "heatmap").scrollIntoViewIfNeeded();
    const centre = async (row, col) => {
      const b = await cell(page, row, col).boundingBox();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const touch = await page.context().newCDPSession(page);
    const [from, to] = [await centre(5, 0), await centre(5, 4)];
    await touch.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [from] });
    for (let i = 1; i <= 8; i++) {
      const at = { x: from.x + ((to.x - from.x) * i) / 8, y: from.y };
      await touch.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at] });
    }
    await touch.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    const paint = codes[3 * 7 + 3];
    await expectCodes(page, `a finger dragged along row 5 paints code ${paint} on columns 0–4, and nothing else`, 20,
      codes.map((c, i) => (Math.floor(i / 7) === 5 && i % 7 <= 4 ? paint : c)));
    await page.screenshot({ path: join(screenshots, "narrow-dark-touch-brushed.png"), fullPage: true });
  });
} finally {
  server.close();
}

if (passes + failures === 0) {
  fail(only ? `no check ran: VQ_LAB_E2E_ONLY=${only.source} matches no scenario` : "no check ran");
}
console.log(`e2e: ${passes} passed, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);
