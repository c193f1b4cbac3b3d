// The benchmark of the built site (issue 12): what a user waits for, measured in headless
// Chromium on the CPU backend and on WebGPU through SwiftShader (a software adapter), written to
// BENCHMARKS.md (tables) and bench/results.json (every timing). Run by scripts/bench.sh.
//
//   node tests/e2e/bench.mjs            (after `trunk build --release`)
//
// Environment: VQ_LAB_BENCH_RUNS (runs of each operation, default 5), VQ_LAB_BENCH_ONLY (a
// regular expression over operation names such as `cpu/photo-edit-idle` or
// `cpu/sample-fashion-8/windowed`; only those run), VQ_LAB_BENCH_TIMEOUT_S (the limit of one
// wait, default 120 s on the CPU, 2.5× that on SwiftShader), VQ_LAB_PKG, CHROMIUM.
//
// How a time is taken: a probe installed in the page before its scripts (`probe` below) stamps
// the user's input with the event's own `timeStamp` (a click, a file set, a select changed, a
// pointer pressed) and checks, in a requestAnimationFrame loop, whether the page shows the
// result (pixels of a canvas changed, a line of text, a node); the time is `performance.now()`
// in the first frame that shows it. Both stamps are taken in the page, so the round trips
// between Node and the browser are not counted; the resolution is one frame (about 17 ms).
// The probe also wraps `Worker` to see the requests going to the engine and its answers: it
// tells when the engine is idle (every run starts from an idle engine), and what was in flight
// when an edit was asked for.
//
// An operation that fails records its sentence (the first failed run's) in the table; the
// other operations go on.

import { readFile, readdir, mkdir, writeFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { cpus, loadavg, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";
import { BASE_ARGS, SWIFTSHADER_ARGS, byId, darkShoeOnWhite, executablePath, pkg, png, root, serve } from "./harness.mjs";

const RUNS = Math.max(1, Number(process.env.VQ_LAB_BENCH_RUNS ?? 5) || 5);
const ONLY = process.env.VQ_LAB_BENCH_ONLY ? new RegExp(process.env.VQ_LAB_BENCH_ONLY) : null;
const TIMEOUT_S = Number(process.env.VQ_LAB_BENCH_TIMEOUT_S ?? 120);
const TIMEOUT = { cpu: TIMEOUT_S, webgpu: TIMEOUT_S * 2.5 };
const VIEWPORT = { width: 1100, height: 700 };

// ------------------------------------------------------------------ the operations

const SAMPLERS = ["windowed", "cached"];

/// Every operation, in the order of the tables. `backends`: where it runs; `samplers`: the
/// sampler rows, measured once per sampler (the previous, windowed one, and the cached one).
const OPERATIONS = [
  { id: "load-fashion", label: "page load → fashion model ready", backends: ["cpu", "webgpu"] },
  { id: "load-photo", label: "switch to photo → photo model ready", backends: ["cpu"] },
  { id: "photo-encode-first", label: "photo: first upload after loading → heatmap (256 px, 64×64 codes)", backends: ["cpu"] },
  { id: "photo-codebook", label: "photo: codebook tiles (512 codes), request → atlas shown", backends: ["cpu"] },
  { id: "fashion-encode", label: "fashion: upload (150×120 PNG) → heatmap (7×7)", backends: ["cpu", "webgpu"] },
  { id: "fashion-edit-after-select", label: "fashion: Set code → pixels, right after selecting the cell", backends: ["cpu", "webgpu"] },
  { id: "fashion-edit-idle", label: "fashion: Set code → pixels, cell selected 2 s before", backends: ["cpu", "webgpu"] },
  { id: "photo-encode-128", label: "photo: upload 128 px PNG → heatmap (128 px, 32×32 codes)", backends: ["cpu"] },
  { id: "photo-encode-256", label: "photo: upload 256 px PNG → heatmap (256 px, 64×64 codes)", backends: ["cpu"] },
  { id: "photo-encode-512", label: "photo: upload 512 px PNG → heatmap (512 px, 128×128 codes)", backends: ["cpu"] },
  { id: "photo-encode-512to256", label: "photo: upload 512 px PNG → heatmap at the default 256 px", backends: ["cpu"] },
  { id: "photo-edit-after-select", label: "photo 256 px: Set code → pixels, right after selecting the cell", backends: ["cpu"] },
  { id: "photo-edit-idle", label: "photo 256 px: Set code → pixels, cell selected 2 s before", backends: ["cpu"] },
  { id: "photo-brush", label: "photo 256 px: 3×3 brush stroke over 30 cells → pixels settled", backends: ["cpu"] },
  { id: "photo-suggest", label: "photo 256 px: click a cell → its suggestions shown", backends: ["cpu"] },
  { id: "photo-surprisal", label: "photo 256 px: colour by surprisal → totals shown", backends: ["cpu"] },
  { id: "sample-fashion-1", label: "sample: fashion, 1 grid of 7×7", backends: ["cpu", "webgpu"], samplers: true },
  { id: "sample-fashion-8", label: "sample: fashion, 8 grids of 7×7", backends: ["cpu"], samplers: true },
  { id: "sample-photo-1", label: "sample: photo, one 16×16 grid", backends: ["cpu"], samplers: true },
];
const operation = Object.fromEntries(OPERATIONS.map((op) => [op.id, op]));

/// The samplers an operation is measured with on `backend` (SwiftShader: the cached one only;
/// the windowed sampler takes over a minute there).
function samplersOf(op, backend) {
  if (!op.samplers) return [null];
  return backend === "webgpu" ? ["cached"] : SAMPLERS;
}

/// Whether VQ_LAB_BENCH_ONLY selects `backend/id` (or `backend/id/sampler`).
function wanted(backend, id, sampler = null) {
  const op = operation[id];
  if (!op.backends.includes(backend)) return false;
  if (sampler && !samplersOf(op, backend).includes(sampler)) return false;
  if (!ONLY) return true;
  if (ONLY.test(`${backend}/${id}`)) return true;
  const samplers = sampler ? [sampler] : samplersOf(op, backend).filter(Boolean);
  return samplers.some((s) => ONLY.test(`${backend}/${id}/${s}`));
}
const anyWanted = (backend, ids) => ids.some((id) => wanted(backend, id));

/// The results: `backend/id[/sampler]` → { runs: [{ ms, ...extra }], failure, skipped }.
const results = new Map();
function entry(backend, id, sampler = null) {
  const key = [backend, id, sampler].filter(Boolean).join("/");
  if (!results.has(key)) results.set(key, { backend, id, sampler, runs: [], failure: null });
  return results.get(key);
}

/// A failure the table shows as a sentence.
class Failure extends Error {}
const sentence = (error) => (error instanceof Failure ? error.message
  : `${error?.name ?? "Error"}: ${String(error?.message ?? error).split("\n")[0]}`);

/// Runs `body(i)` RUNS times for each wanted (backend, id, sampler), recording its result; the
/// first failure ends that operation's runs (its sentence goes to the table).
async function repeat(backend, id, sampler, body) {
  if (!wanted(backend, id, sampler)) return;
  const record = entry(backend, id, sampler);
  for (let i = 0; i < RUNS && !record.failure; i++) {
    try {
      record.runs.push(await body(i));
    } catch (error) {
      record.failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
    }
  }
  const done = record.runs.map((r) => r.ms);
  console.log(`  ${backend}/${[id, sampler].filter(Boolean).join("/")}: ` +
    `${done.map((ms) => ms.toFixed(0)).join(", ")} ms${record.failure ? ` — ${record.failure}` : ""}`);
}

/// Marks every wanted operation of `ids` on `backend` that has no result yet as failed with
/// `why` (a session that could not be set up).
function failAll(backend, ids, why) {
  for (const id of ids) {
    for (const sampler of samplersOf(operation[id], backend)) {
      if (!wanted(backend, id, sampler)) continue;
      const record = entry(backend, id, sampler);
      if (!record.failure && record.runs.length < RUNS) record.failure = why;
    }
  }
  console.log(`  ${backend}: ${why}`);
}

// ------------------------------------------------------------------ the probe in the page

/// Installed before the page's scripts (addInitScript): `window.__bench`. Self-contained.
function probe() {
  if (window.__bench) return;
  const B = { log: [], outstanding: {}, watches: {}, next: 1, lastSampler: undefined };
  window.__bench = B;
  const q = (selector) => document.querySelector(selector);
  const text = (id) => q(`[data-testid="${id}"]`)?.textContent ?? "";

  // The engine's messages (serde-wasm-bindgen: a unit variant is a string, others an object
  // with one key). Requests are counted until an answer of their kind, which settles every
  // request of that kind before it (the page asks one at a time; the engine may drop a
  // speculative request that an edit pre-empts, and the page asks again). Edits are left to
  // the page's own "decoding…" mark; drawings end with Drawn or DrawFailed.
  const kindOf = (m) => (typeof m === "string" ? m : m instanceof Map ? [...m.keys()][0]
    : m && typeof m === "object" ? Object.keys(m)[0] : typeof m);
  const field = (m, key) => (m instanceof Map ? m.get(key) : m?.[key]);
  const REQUEST = { Init: "Init", LoadModel: "LoadModel", Encode: "Encode", UseGrid: "Encode",
    Sample: "Draw", Complete: "Draw", Codebook: "Codebook", Surprisal: "Surprisal", Suggest: "Suggest" };
  const ANSWER = { Ready: "Init", ModelLoaded: "LoadModel", ModelFailed: "LoadModel", Encoded: "Encode",
    EncodeFailed: "Encode", Drawn: "Draw", DrawFailed: "Draw", Codebook: "Codebook",
    Surprisal: "Surprisal", Suggestions: "Suggest" };
  const note = (dir, kind) => {
    B.log.push({ dir, kind, t: performance.now() });
    if (B.log.length > 4000) B.log.splice(0, 1000);
  };
  const Native = window.Worker;
  if (Native) {
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        B.outstanding = {};
        this.addEventListener("message", (event) => {
          const kind = kindOf(event.data);
          let what = ANSWER[kind];
          // A refusal (or any answer that names the request it answers) settles that request.
          const named = field(field(event.data, kind), "request");
          if (typeof named === "string" && REQUEST[named]) what = REQUEST[named];
          if (kind === "Panicked") B.outstanding = {};
          if (what) B.outstanding[what] = 0;
          note("in", kind);
        });
      }
      postMessage(message, ...rest) {
        const kind = kindOf(message);
        if (REQUEST[kind]) B.outstanding[REQUEST[kind]] = (B.outstanding[REQUEST[kind]] ?? 0) + 1;
        if (kind === "Sample") B.lastSampler = field(field(field(message, kind), "sampling"), "sampler") ?? null;
        note("out", kind);
        for (const w of Object.values(B.watches)) {
          if (w.start == null && w.startOn?.message === kind) start(w, performance.now());
        }
        return super.postMessage(message, ...rest);
      }
    };
  }
  B.busy = () => Object.entries(B.outstanding).filter(([, n]) => n > 0).map(([k, n]) => `${k}×${n}`);

  // Pixels of a canvas, and whether two differ.
  const pixels = (id) => {
    const canvas = q(`[data-testid="${id}"]`);
    if (!canvas || !canvas.width || !canvas.height) return null;
    return canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  };
  const differs = (a, b) => {
    if (!a || !b) return !!a !== !!b;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
    return false;
  };
  const drawProgress = () => q('[data-testid="generate"] [data-testid="draw-progress"]')?.textContent ?? "";

  // What "shown" means for each kind of watch: true when shown; a thrown string is the
  // page's sentence of a failure.
  const CHECK = {
    badge: () => {
      if (q('[data-testid="engine-error"]')) throw text("engine-error");
      return !!q('[data-testid="backend-badge"]');
    },
    model: (w) => {
      if (q(`[data-testid="model-status"][data-model="${w.args.name}"]`)) return true;
      const error = q('[data-testid="model-error"], [data-testid="engine-error"]');
      if (error) throw error.textContent;
      return false;
    },
    encoded: (w) => {
      const error = text("upload-error");
      if (error.includes(w.args.source)) throw error;
      return text("encoded-info").startsWith(`${w.args.source}:`) && !q('[data-testid="encoding"]') &&
        !!q('[data-testid="heatmap-canvas"], [data-testid="code-cell"]');
    },
    pixels: (w) => {
      if (q('[data-testid="edit-error"]')) throw text("edit-error");
      return differs(w.before, pixels(w.args.canvas));
    },
    // No edit on its way for 3 frames in a row after the pointer went up, and the pixels
    // changed: the end is the first of those frames.
    settled: (w, now) => {
      if (q('[data-testid="edit-error"]')) throw text("edit-error");
      if (w.releasedAt == null) return false;
      if (q('[data-testid="edit-pending"]')) {
        w.streak = 0;
        return false;
      }
      w.streak = (w.streak ?? 0) + 1;
      if (w.streak === 1) w.streakStart = now;
      if (w.streak >= 3 && differs(w.before, pixels(w.args.canvas))) {
        w.endAt = w.streakStart;
        return true;
      }
      return false;
    },
    drawDone: (w) => {
      const error = q('[data-testid="generate"] [data-testid="draw-error"]');
      if (error) throw error.textContent;
      const line = drawProgress();
      if (!/done in/.test(line)) {
        w.seenNotDone = true;
        return false;
      }
      return w.seenNotDone || line !== w.armedText;
    },
    suggestions: (w) => {
      if (q('[data-testid="suggestions-error"]')) throw text("suggestions-error");
      const list = q('[data-testid="suggestions"]');
      return !!list && list.textContent.includes(`cell (${w.args.row}, ${w.args.col})`) &&
        list.querySelectorAll('[data-testid="suggestion"]').length > 0;
    },
    surprisal: () => {
      const line = text("surprisal-totals");
      if (/costs \d+ bits/.test(line)) return true;
      if (line && !/Asking the prior/.test(line)) throw line;
      return false;
    },
    codebook: () => {
      const line = text("codebook-summary").trim();
      if (/^\d+ codes\./.test(line)) return true;
      if (line && !/Decoding every code/.test(line)) throw line;
      return false;
    },
  };

  function start(w, t) {
    w.start = t;
    w.atStart = {
      busy: B.busy(),
      editPending: !!q('[data-testid="edit-pending"]'),
      suggestionsShown: !!q('[data-testid="suggestions"]'),
    };
    kick();
  }
  let looping = false;
  function kick() {
    if (!looping) {
      looping = true;
      requestAnimationFrame(frame);
    }
  }
  function frame() {
    const now = performance.now();
    let active = false;
    for (const w of Object.values(B.watches)) {
      if (w.end != null || w.error != null) continue;
      if (now - w.armedAt > w.limit) {
        w.error = `(the probe gave up after ${Math.round(w.limit / 1000)} s)`;
        continue;
      }
      active = true;
      if (w.start == null) continue;
      try {
        if (CHECK[w.kind](w, now)) w.end = w.endAt ?? now;
      } catch (error) {
        w.error = String(error).trim() || "(an empty sentence)";
      }
    }
    if (active) requestAnimationFrame(frame);
    else looping = false;
  }

  // The user's input: the event's own time stamp starts a watch waiting for it.
  for (const type of ["pointerdown", "pointerup", "click", "change", "input", "keydown"]) {
    window.addEventListener(type, (event) => {
      const testid = event.target instanceof Element ? event.target.closest("[data-testid]")?.dataset.testid : undefined;
      for (const w of Object.values(B.watches)) {
        if (w.end != null || w.error != null) continue;
        if (w.start == null && w.startOn?.type === type && (!w.startOn.testid || w.startOn.testid === testid)) {
          start(w, event.timeStamp);
        } else if (w.start != null && w.releaseOn === type && w.releasedAt == null) {
          w.releasedAt = event.timeStamp;
        }
      }
    }, true);
  }

  /// Arms a watch: `kind` (a key of CHECK), `args`, and its start: `startAt` (a time),
  /// `startOn` ({ type, testid } of an event, or { message } posted to the engine).
  B.arm = (spec) => {
    const id = B.next++;
    const w = { id, kind: spec.kind, args: spec.args ?? {}, startOn: spec.startOn ?? null,
      releaseOn: spec.releaseOn ?? null, start: null, end: null, error: null,
      armedAt: performance.now(), limit: spec.limitMs ?? 600000 };
    if (w.kind === "pixels" || w.kind === "settled") w.before = pixels(w.args.canvas);
    if (w.kind === "drawDone") w.armedText = drawProgress();
    B.watches[id] = w;
    if (spec.startAt != null) start(w, spec.startAt);
    kick();
    return id;
  };
  B.finished = (id) => {
    const w = B.watches[id];
    return !w || w.end != null || w.error != null;
  };
  B.take = (id) => {
    const w = B.watches[id];
    delete B.watches[id];
    if (!w) return null;
    return { start: w.start, end: w.end, error: w.error, atStart: w.atStart, releasedAt: w.releasedAt ?? null };
  };
  /// True when nothing is on its way: no request unanswered, no edit pending, no encoding,
  /// loading or drawing, and no message for 150 ms (or, should a counter be stuck, for 30 s).
  B.idle = () => {
    if (q('[data-testid="edit-pending"], [data-testid="encoding"], [data-testid="model-loading"]')) return false;
    if (/ms so far/.test(drawProgress())) return false;
    const quiet = performance.now() - (B.log.at(-1)?.t ?? 0);
    return B.busy().length === 0 ? quiet > 150 : quiet > 30000;
  };

  // From the start of navigation: the badge (engine ready) and the default model.
  B.loadWatches = {
    badge: B.arm({ kind: "badge", startAt: 0, limitMs: 300000 }),
    fashion: B.arm({ kind: "model", args: { name: "fashion" }, startAt: 0, limitMs: 300000 }),
  };
}

// ------------------------------------------------------------------ driving the page

/// What the page shows, for a failure's sentence.
async function shown(page) {
  try {
    return JSON.stringify(await page.evaluate(() => {
      const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim().slice(0, 160);
      const state = {
        engineError: text("engine-error"), model: text("model-status") ?? text("model-loading") ?? text("model-error"),
        encoding: text("encoding"), encoded: text("encoded-info"), uploadError: text("upload-error"),
        editPending: text("edit-pending"), editError: text("edit-error"),
        draw: document.querySelector('[data-testid="generate"] [data-testid="draw-progress"]')?.textContent.trim(),
        drawError: text("draw-error"), suggestionsError: text("suggestions-error"),
        surprisal: text("surprisal-totals"), codebook: text("codebook-summary")?.slice(0, 60),
        engineBusy: window.__bench?.busy().join(" ") || undefined,
      };
      return Object.fromEntries(Object.entries(state).filter(([, v]) => v));
    }));
  } catch (error) {
    return `(the page could not be read: ${String(error?.message ?? error).split("\n")[0]})`;
  }
}

/// Waits for watch `id` and returns { ms, start, end, atStart, releasedAt }.
async function finish(page, id, seconds, what) {
  try {
    await page.waitForFunction((i) => window.__bench.finished(i), id, { timeout: seconds * 1000, polling: 50 });
  } catch (error) {
    if (error?.name !== "TimeoutError") throw error;
    const seen = await shown(page);
    const watch = await page.evaluate((i) => window.__bench.take(i), id).catch(() => null);
    throw new Failure(watch && watch.start == null
      ? `${what}: the input that starts it was not seen in the page within ${seconds} s; the page shows ${seen}`
      : `${what}: not within ${seconds} s; the page shows ${seen}`);
  }
  const watch = await page.evaluate((i) => window.__bench.take(i), id);
  if (watch.error) throw new Failure(`${what}: the page says "${watch.error.replace(/\s+/g, " ").slice(0, 300)}"`);
  // The engine's messages from 2.5 s before the input to the result (times from the input;
  // at most 40: the first 20 and the last 20), for bench/results.json.
  const messages = await page.evaluate(([from, to]) => window.__bench.log
    .filter((m) => m.t >= from - 2500 && m.t <= to)
    .map((m) => `${m.dir === "out" ? "→" : "←"} ${m.kind} ${(m.t - from).toFixed(0)}`), [watch.start, watch.end]);
  return { ms: watch.end - watch.start, atStart: watch.atStart, releasedAt: watch.releasedAt, start: watch.start, end: watch.end,
    messages: messages.length > 40 ? [...messages.slice(0, 20), "…", ...messages.slice(-20)] : messages };
}

/// Arms a watch, does `action` (the user's input), waits for the result.
async function measure(page, backend, spec, action, what) {
  const id = await page.evaluate((s) => window.__bench.arm(s), { ...spec, limitMs: TIMEOUT[backend] * 1000 + 5000 });
  await action();
  return finish(page, id, TIMEOUT[backend], what);
}

/// Waits until the engine and the page are idle (see `probe`'s `idle`).
async function idle(page, backend, after = "the previous step") {
  try {
    await page.waitForFunction(() => window.__bench.idle(), null, { timeout: TIMEOUT[backend] * 1000, polling: 50 });
  } catch (error) {
    if (error?.name !== "TimeoutError") throw error;
    throw new Failure(`the engine did not become idle after ${after} within ${TIMEOUT[backend]} s; the page shows ${await shown(page)}`);
  }
}

/// The engine's own time of `op` from the badge's line (`load 812.0 ms · encode 31.5 ms`).
async function engineMillis(page, op) {
  const line = await page.evaluate(() => document.querySelector('[data-testid="op-timings"]')?.textContent ?? "");
  const match = new RegExp(`(?:^|· )${op} ([\\d.]+) ms`).exec(line);
  return match ? Number(match[1]) : null;
}

/// A fresh browser context (empty caches: a first visit) with the probe, at `url`.
async function open(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_S * 1000);
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  await page.addInitScript(probe);
  await page.goto(url);
  return { context, page };
}

/// Waits for the load watches the probe armed at navigation; checks the badge's backend.
async function loaded(page, backend) {
  const ids = await page.evaluate(() => window.__bench.loadWatches);
  const badge = await finish(page, ids.badge, TIMEOUT[backend], "the engine starting (badge)");
  const fashion = await finish(page, ids.fashion, TIMEOUT[backend], "the fashion model loading");
  const seen = await page.evaluate(() => {
    const badge = document.querySelector('[data-testid="backend-badge"]');
    return {
      backend: badge?.dataset.backend, software: badge?.dataset.softwareAdapter,
      name: document.querySelector('[data-testid="backend-name"]')?.textContent.trim(),
      adapter: document.querySelector('[data-testid="adapter-name"]')?.textContent.trim(),
      warmup: document.querySelector('[data-testid="warmup-time"]')?.textContent.trim(),
    };
  });
  if (seen.backend !== backend) {
    throw new Failure(`the badge says ${seen.name ?? "nothing"} (${seen.adapter ?? "no adapter"}), not ${backend === "cpu" ? "CPU" : "WebGPU"}`);
  }
  return { badgeMs: badge.end, fashionMs: fashion.end, ...seen };
}

async function switchModel(page, backend, name) {
  return measure(page, backend, { kind: "model", args: { name }, startOn: { type: "change", testid: "model-select" } },
    () => byId(page, "model-select").selectOption(name), `switching to the ${name} model`);
}

async function upload(page, backend, name, buffer) {
  return measure(page, backend, { kind: "encoded", args: { source: name }, startOn: { type: "change", testid: "file-input" } },
    () => byId(page, "file-input").setInputFiles({ name, mimeType: "image/png", buffer }), `encoding ${name}`);
}

/// Sets the photo size select (re-encoding the current image, if any) and waits for idle.
async function photoSize(page, backend, size) {
  const select = byId(page, "size-select");
  if ((await select.inputValue()) !== String(size)) {
    await select.selectOption(String(size));
    await idle(page, backend, `choosing ${size} px`);
  }
}

async function grid(page) {
  return page.evaluate(() => {
    const heatmap = document.querySelector('[data-testid="heatmap"]');
    return { rows: Number(heatmap?.getAttribute("data-rows")), cols: Number(heatmap?.getAttribute("data-cols")) };
  });
}

/// Where cell (row, col) is on the photo's heatmap canvas, in the viewport.
async function canvasPoint(page, row, col) {
  const canvas = byId(page, "heatmap-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const { rows, cols } = await grid(page);
  return { x: box.x + ((col + 0.5) / cols) * box.width, y: box.y + ((row + 0.5) / rows) * box.height };
}

async function takeTool(page, name) {
  await page.locator(`[data-testid="tool"][data-tool="${name}"]`).click();
}

/// One edit as a user makes it: select a cell (`select()`), type a code, press Set code;
/// `waitMs` between the selection and the click. Timed from the click on Set code to the
/// reconstruction's pixels changing.
async function editOnce(page, backend, select, waitMs, codebookSize) {
  const id = await page.evaluate((s) => window.__bench.arm(s), {
    kind: "pixels", args: { canvas: "reconstruction" }, startOn: { type: "click", testid: "apply-code" },
    limitMs: TIMEOUT[backend] * 1000 + 5000 + waitMs,
  });
  await select();
  if (waitMs) await page.waitForTimeout(waitMs);
  const current = Number(await byId(page, "code-input").inputValue());
  const shift = codebookSize === 512 ? 200 : 64;
  await byId(page, "code-input").fill(String((current + shift) % codebookSize));
  await byId(page, "apply-code").click();
  const result = await finish(page, id, TIMEOUT[backend], "the edit");
  result.engineMs = await engineMillis(page, "edit");
  result.suggestInFlight = result.atStart?.busy?.some((b) => b.startsWith("Suggest")) ?? null;
  return result;
}

// ------------------------------------------------------------------ images

/// A photo-like picture at `size` px (the same scene at every size): a sky with a gradient and
/// a sun, hills, houses with lit and shaded sides, a tree, and noise.
function photoLike(size, seed = 11) {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  const houses = [];
  for (let k = 0; k < 6; k++) {
    const x0 = 0.05 + 0.15 * k + 0.04 * random();
    const w = 0.08 + 0.05 * random();
    const h = 0.1 + 0.12 * random();
    houses.push({ x0, x1: x0 + w, y0: 0.72 - h, y1: 0.8 + 0.05 * random(),
      colour: [120 + 120 * random(), 70 + 100 * random(), 60 + 90 * random()] });
  }
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  return png(size, size, (x, y) => {
    const u = x / size;
    const v = y / size;
    const horizon = 0.6 + 0.05 * Math.sin(u * 6.3 + 1) + 0.025 * Math.sin(u * 19);
    let [r, g, b] = v < horizon
      ? [95 + 120 * v, 150 + 80 * v, 235 - 40 * v]
      : [60 + 40 * u + 30 * Math.sin(v * 40), 120 + 40 * Math.sin(u * 13 + v * 7), 45 + 20 * v];
    const sun = Math.hypot(u - 0.78, v - 0.2);
    if (sun < 0.07) [r, g, b] = [255, 236, 170];
    else if (sun < 0.16 && v < horizon) {
      const glow = (0.16 - sun) / 0.09;
      [r, g, b] = [r + 60 * glow, g + 40 * glow, b - 20 * glow];
    }
    for (const house of houses) {
      if (u >= house.x0 && u < house.x1 && v >= house.y0 && v < house.y1) {
        const lit = u < (house.x0 + house.x1) / 2 ? 1.1 : 0.75;
        const window = ((u - house.x0) * 60) % 2 < 0.8 && ((v - house.y0) * 50) % 2 < 0.9;
        [r, g, b] = house.colour.map((c) => c * lit * (window ? 0.55 : 1));
      }
    }
    const tree = Math.hypot((u - 0.9) * 1.6, v - 0.55);
    if (tree < 0.1) [r, g, b] = [30, 90 + 60 * Math.sin(u * 90) * Math.sin(v * 70), 35];
    const n = () => (random() - 0.5) * 18;
    return [clamp(r + n()), clamp(g + n()), clamp(b + n())];
  });
}

// ------------------------------------------------------------------ the sessions

/// Page loads, each in a fresh context (empty caches, as a first visit): page → fashion ready;
/// switch → photo ready; the first photo upload; the codebook's tiles (which the page asks for
/// when the first image is shown).
async function loadSession(browser, base, backend) {
  const ids = (backend === "cpu" ? ["load-fashion", "load-photo", "photo-encode-first", "photo-codebook"] : ["load-fashion"])
    .filter((id) => wanted(backend, id));
  if (ids.length === 0) return;
  console.log(`${backend}: page loads (a fresh context each)`);
  const image = photoLike(256);
  const records = Object.fromEntries(ids.map((id) => [id, entry(backend, id)]));
  const open_ = (id) => records[id] && !records[id].failure;
  for (let i = 0; i < RUNS && ids.some(open_); i++) {
    // The operations still to measure in this run: a failure is theirs.
    let current = ids.filter(open_);
    let context;
    try {
      let page;
      ({ context, page } = await open(browser, `${base}?backend=${backend}`));
      const load = await loaded(page, backend);
      if (open_("load-fashion")) {
        records["load-fashion"].runs.push({ ms: load.fashionMs, engineReadyMs: load.badgeMs,
          engineMs: await engineMillis(page, "load"), adapter: load.adapter, software: load.software, warmup: load.warmup });
      }
      current = ["load-photo", "photo-encode-first", "photo-codebook"].filter(open_);
      if (current.length === 0) continue;
      await idle(page, backend, "loading fashion");
      const photo = await switchModel(page, backend, "photo");
      if (open_("load-photo")) records["load-photo"].runs.push({ ...photo, engineMs: await engineMillis(page, "load") });
      current = ["photo-encode-first", "photo-codebook"].filter(open_);
      if (current.length === 0) continue;
      await idle(page, backend, "loading photo");
      await photoSize(page, backend, 256);
      const codebook = await page.evaluate((limit) => window.__bench.arm({ kind: "codebook", startOn: { message: "Codebook" }, limitMs: limit }),
        TIMEOUT[backend] * 2000);
      const first = await upload(page, backend, `first-${i + 1}.png`, image);
      if (open_("photo-encode-first")) records["photo-encode-first"].runs.push({ ...first, engineMs: await engineMillis(page, "encode") });
      current = ["photo-codebook"].filter(open_);
      if (current.length === 0) continue;
      const tiles = await finish(page, codebook, TIMEOUT[backend], "the codebook");
      records["photo-codebook"].runs.push({ ...tiles, engineMs: await engineMillis(page, "codebook") });
    } catch (error) {
      for (const id of current) records[id].failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
    } finally {
      await context?.close();
    }
  }
  for (const id of ids) {
    const record = records[id];
    console.log(`  ${backend}/${id}: ${record.runs.map((r) => r.ms.toFixed(0)).join(", ")} ms${record.failure ? ` — ${record.failure}` : ""}`);
  }
}

/// Fashion on one backend: uploads and edits (both kinds).
async function fashionLab(page, backend) {
  const buffer = darkShoeOnWhite();
  // The first image also asks for the codebook: let it finish before anything is timed.
  await byId(page, "file-input").setInputFiles({ name: "warm-up.png", mimeType: "image/png", buffer });
  await idle(page, backend, "the first upload");
  await repeat(backend, "fashion-encode", null, async (i) => {
    await idle(page, backend);
    return { ...(await upload(page, backend, `garment-${i + 1}.png`, buffer)), engineMs: await engineMillis(page, "encode") };
  });
  const cell = (row, col) => page.locator(`[data-testid="code-cell"][data-row="${row}"][data-col="${col}"]`);
  for (const [id, waitMs] of [["fashion-edit-after-select", 0], ["fashion-edit-idle", 2000]]) {
    await repeat(backend, id, null, async (i) => {
      await idle(page, backend);
      const [row, col] = [(1 + 2 * i + (waitMs ? 1 : 0)) % 7, (2 + 3 * i) % 7];
      return editOnce(page, backend, () => cell(row, col).click(), waitMs, 128);
    });
  }
}

/// The photo model at 128, 256 and 512 px, then edits, suggestions, a brush stroke and the
/// surprisal at 256 px (64×64 codes).
async function photoLab(page, backend) {
  const images = { 128: photoLike(128), 256: photoLike(256), 512: photoLike(512) };
  await photoSize(page, backend, 256);
  await byId(page, "file-input").setInputFiles({ name: "warm-up.png", mimeType: "image/png", buffer: images[256] });
  await idle(page, backend, "the first upload (and the codebook it asks for)");
  for (const [id, size, source] of [["photo-encode-128", 128, 128], ["photo-encode-256", 256, 256],
    ["photo-encode-512", 512, 512], ["photo-encode-512to256", 256, 512]]) {
    if (!wanted(backend, id)) continue;
    await photoSize(page, backend, size);
    await repeat(backend, id, null, async (i) => {
      await idle(page, backend);
      return { ...(await upload(page, backend, `photo-${source}-at-${size}-${i + 1}.png`, images[source])),
        engineMs: await engineMillis(page, "encode") };
    });
  }
  const rest = ["photo-edit-after-select", "photo-edit-idle", "photo-suggest", "photo-brush", "photo-surprisal"];
  if (!anyWanted(backend, rest)) return;
  await photoSize(page, backend, 256);
  await upload(page, backend, "photo-256.png", images[256]);
  await idle(page, backend, "the 256 px upload");
  const { rows, cols } = await grid(page);
  if (rows !== 64 || cols !== 64) throw new Failure(`the 256 px photo gave ${rows}×${cols} codes, not 64×64`);
  const click = async (row, col) => {
    const at = await canvasPoint(page, row, col);
    await page.mouse.click(at.x, at.y);
  };

  await takeTool(page, "Select");
  for (const [id, waitMs, firstRow] of [["photo-edit-after-select", 0, 6], ["photo-edit-idle", 2000, 9]]) {
    await repeat(backend, id, null, async (i) => {
      await idle(page, backend);
      const [row, col] = [(firstRow + 7 * i) % 60 + 2, (11 + 13 * i) % 60 + 2];
      const at = await canvasPoint(page, row, col);
      return editOnce(page, backend, () => page.mouse.click(at.x, at.y), waitMs, 512);
    });
  }

  await repeat(backend, "photo-suggest", null, async (i) => {
    await idle(page, backend);
    const [row, col] = [(20 + 9 * i) % 60 + 2, (30 + 7 * i) % 60 + 2];
    const at = await canvasPoint(page, row, col);
    const result = await measure(page, backend,
      { kind: "suggestions", args: { row, col }, startOn: { type: "pointerdown", testid: "heatmap-canvas" } },
      () => page.mouse.click(at.x, at.y), `the suggestions for cell (${row}, ${col})`);
    return { ...result, engineMs: await engineMillis(page, "suggestions") };
  });

  if (!anyWanted(backend, ["photo-brush", "photo-surprisal"])) return;
  // The paint code: the eyedropper on a cell of the bottom rows, then the 3×3 brush.
  await idle(page, backend);
  await takeTool(page, "Eyedropper");
  await click(61, 61);
  await takeTool(page, "Brush");
  await byId(page, "brush-size").selectOption("3");
  const paint = await byId(page, "paint-code").getAttribute("data-code");
  if (paint == null) throw new Failure("the eyedropper gave no paint code");

  await repeat(backend, "photo-brush", null, async (i) => {
    await idle(page, backend);
    const row = 12 + ((6 * i) % 42);
    const from = await canvasPoint(page, row, 5);
    const to = await canvasPoint(page, row, 34);
    await page.mouse.move(from.x, from.y);
    const id = await page.evaluate((s) => window.__bench.arm(s), {
      kind: "settled", args: { canvas: "reconstruction" }, startOn: { type: "pointerdown", testid: "heatmap-canvas" },
      releaseOn: "pointerup", limitMs: TIMEOUT[backend] * 1000 + 5000,
    });
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 29 });
    await page.mouse.up();
    const result = await finish(page, id, TIMEOUT[backend], "the brush stroke");
    const engineMs = await engineMillis(page, "edit");
    await idle(page, backend, "the stroke");
    await byId(page, "undo").click();
    return { ...result, strokeMs: result.releasedAt - result.start, afterReleaseMs: result.end - result.releasedAt, engineMs };
  });

  await repeat(backend, "photo-surprisal", null, async (i) => {
    // A new grid each time (one dab of the brush), so the prior measures it afresh.
    await idle(page, backend);
    await click(30 + ((5 * i) % 28), 40 + ((3 * i) % 20));
    await idle(page, backend, "a dab of the brush");
    const result = await measure(page, backend, { kind: "surprisal", startOn: { type: "change", testid: "colour-by" } },
      () => byId(page, "colour-by").selectOption("surprisal"), "the surprisal view");
    const engineMs = await engineMillis(page, "surprisal");
    await byId(page, "colour-by").selectOption("code");
    return { ...result, engineMs };
  });
}

/// The CPU backend's lab: fashion, then photo, in one page.
async function labSession(browser, base, backend) {
  const fashionIds = ["fashion-encode", "fashion-edit-after-select", "fashion-edit-idle"];
  const photoIds = ["photo-encode-128", "photo-encode-256", "photo-encode-512", "photo-encode-512to256",
    "photo-edit-after-select", "photo-edit-idle", "photo-brush", "photo-suggest", "photo-surprisal"].filter((id) => operation[id].backends.includes(backend));
  if (!anyWanted(backend, [...fashionIds, ...photoIds])) return;
  console.log(`${backend}: the lab (one page)`);
  const { context, page } = await open(browser, `${base}?backend=${backend}`);
  try {
    try {
      await loaded(page, backend);
      await idle(page, backend, "loading");
    } catch (error) {
      failAll(backend, [...fashionIds, ...photoIds], `the page did not load: ${sentence(error)}`);
      return;
    }
    if (anyWanted(backend, fashionIds)) {
      try {
        await fashionLab(page, backend);
      } catch (error) {
        failAll(backend, fashionIds, sentence(error));
      }
    }
    if (anyWanted(backend, photoIds)) {
      try {
        await idle(page, backend);
        await switchModel(page, backend, "photo");
        await idle(page, backend, "loading photo");
        await photoLab(page, backend);
      } catch (error) {
        failAll(backend, photoIds, sentence(error));
      }
    }
    if (page.errors.length) console.log(`  page errors: ${page.errors.slice(0, 5).join(" | ")}`);
  } finally {
    await context.close();
  }
}

/// Sampling: the windowed (previous) and the cached sampler, each in its own page
/// (`?sampler=windowed`), run after run in turn; the same seeds on both.
async function sampleSession(browser, base, backend) {
  const ids = ["sample-fashion-1", "sample-fashion-8", "sample-photo-1"].filter((id) => operation[id].backends.includes(backend));
  if (!anyWanted(backend, ids)) return;
  const samplers = SAMPLERS.filter((s) => ids.some((id) => wanted(backend, id, s)));
  console.log(`${backend}: sampling (${samplers.join(", ")})`);
  const pages = {};
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    for (const sampler of samplers) {
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT_S * 1000);
      await page.addInitScript(probe);
      await page.goto(`${base}?backend=${backend}${sampler === "windowed" ? "&sampler=windowed" : ""}`);
      try {
        await loaded(page, backend);
        await idle(page, backend, "loading");
        pages[sampler] = page;
      } catch (error) {
        for (const id of ids) {
          if (wanted(backend, id, sampler)) entry(backend, id, sampler).failure = `the page did not load: ${sentence(error)}`;
        }
      }
    }
    const pictures = {};
    const sampleOnce = async (sampler, id, count, seed) => {
      const page = pages[sampler];
      await page.bringToFront();
      await idle(page, backend);
      await byId(page, "sample-count").selectOption(String(count));
      await byId(page, "sample-seed").fill(String(seed));
      const result = await measure(page, backend, { kind: "drawDone", startOn: { type: "click", testid: "sample-button" } },
        () => byId(page, "sample-button").click(), `${count} sample(s)`);
      const line = await page.locator('[data-testid="generate"] [data-testid="draw-progress"]').innerText();
      result.engineMs = Number(/done in (\d+) ms/.exec(line)?.[1] ?? NaN);
      result.sent = await page.evaluate(() => window.__bench.lastSampler);
      const canvases = await page.evaluate(() => [...document.querySelectorAll('[data-testid="generate"] [data-testid="sample"]')]
        .map((c) => c.toDataURL()));
      result.pictures = canvases.length;
      (pictures[`${id}/${seed}`] ??= {})[sampler] = canvases.join("|");
      return result;
    };
    const plan = [["sample-fashion-1", "fashion", 1], ["sample-fashion-8", "fashion", 8], ["sample-photo-1", "photo", 1]]
      .filter(([id]) => ids.includes(id));
    for (const [id, model, count] of plan) {
      const active = samplers.filter((s) => pages[s] && wanted(backend, id, s));
      if (active.length === 0) continue;
      if (model === "photo") {
        for (const sampler of active) {
          try {
            await pages[sampler].bringToFront();
            await idle(pages[sampler], backend);
            await switchModel(pages[sampler], backend, "photo");
            await idle(pages[sampler], backend, "loading photo");
          } catch (error) {
            entry(backend, id, sampler).failure = `could not switch to photo: ${sentence(error)}`;
          }
        }
      }
      for (let i = 0; i < RUNS; i++) {
        // Alternate which sampler goes first.
        const order = i % 2 ? [...active].reverse() : active;
        for (const sampler of order) {
          const record = entry(backend, id, sampler);
          if (record.failure) continue;
          try {
            record.runs.push(await sampleOnce(sampler, id, count, 100 + i));
          } catch (error) {
            record.failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
          }
        }
      }
      for (const sampler of active) {
        const record = entry(backend, id, sampler);
        const same = Object.entries(pictures).filter(([key, v]) => key.startsWith(`${id}/`) && v.windowed && v.cached);
        record.samePictures = same.length ? `${same.filter(([, v]) => v.windowed === v.cached).length} of ${same.length}` : null;
        console.log(`  ${backend}/${id}/${sampler}: ${record.runs.map((r) => r.ms.toFixed(0)).join(", ")} ms${record.failure ? ` — ${record.failure}` : ""}`);
      }
    }
  } finally {
    await context.close();
  }
}

/// WebGPU: the fashion lab and one cached sample, in one page.
async function webgpuLab(browser, base) {
  const backend = "webgpu";
  const ids = ["fashion-encode", "fashion-edit-after-select", "fashion-edit-idle", "sample-fashion-1"];
  if (!anyWanted(backend, ids)) return;
  console.log("webgpu: the lab and sampling (one page)");
  const { context, page } = await open(browser, `${base}?backend=webgpu`);
  try {
    try {
      await loaded(page, backend);
      await idle(page, backend, "loading");
    } catch (error) {
      failAll(backend, ids, `the page did not load: ${sentence(error)}`);
      return;
    }
    try {
      await fashionLab(page, backend);
    } catch (error) {
      failAll(backend, ids.slice(0, 3), sentence(error));
    }
    await repeat(backend, "sample-fashion-1", "cached", async (i) => {
      await idle(page, backend);
      await byId(page, "sample-count").selectOption("1");
      await byId(page, "sample-seed").fill(String(100 + i));
      const result = await measure(page, backend, { kind: "drawDone", startOn: { type: "click", testid: "sample-button" } },
        () => byId(page, "sample-button").click(), "1 sample");
      const line = await page.locator('[data-testid="generate"] [data-testid="draw-progress"]').innerText();
      result.engineMs = Number(/done in (\d+) ms/.exec(line)?.[1] ?? NaN);
      result.sent = await page.evaluate(() => window.__bench.lastSampler);
      return result;
    });
  } finally {
    await context.close();
  }
}

// ------------------------------------------------------------------ sizes

async function sizes() {
  const files = [];
  for (const name of (await readdir(pkg)).filter((n) => n.endsWith(".wasm")).sort()) files.push(join(pkg, name));
  const models = join(root, "assets", "models");
  for (const model of (await readdir(models, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of (await readdir(join(models, model))).filter((n) => n.endsWith(".bpk")).sort()) files.push(join(models, model, name));
  }
  const out = [];
  for (const file of files) {
    const bytes = await readFile(file);
    out.push({ file: relative(root, file), raw: bytes.length, gzip9: gzipSync(bytes, { level: 9 }).length,
      modified: (await stat(file)).mtime.toISOString() });
  }
  return out;
}

// ------------------------------------------------------------------ the report

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => (value == null || Number.isNaN(value) ? "—"
  : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`);
const bytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const cellText = (s) => String(s).replace(/\|/g, "\\|").replace(/\s+/g, " ");

function summary(record) {
  const values = record.runs.map((r) => r.ms);
  return { median: values.length ? median(values) : null, min: values.length ? Math.min(...values) : null, n: values.length };
}

/// The notes of a row: the engine's own time, and what each kind of operation adds.
function notes(record) {
  const parts = [];
  const engine = record.runs.map((r) => r.engineMs).filter((v) => v != null && !Number.isNaN(v));
  if (engine.length) parts.push(`engine ${ms(median(engine))}`);
  const id = record.id;
  if (id === "load-fashion" && record.runs.length) {
    parts.push(`engine ready (badge) ${ms(median(record.runs.map((r) => r.engineReadyMs)))} after navigation`);
    const first = record.runs[0];
    if (record.backend === "webgpu") parts.push(`adapter: ${first.adapter}, data-software-adapter=${first.software}`);
    if (first.warmup) parts.push(first.warmup);
  }
  if (id.includes("edit-after-select") || id.includes("edit-idle")) {
    const known = record.runs.filter((r) => r.suggestInFlight != null);
    if (known.length) parts.push(`suggestions in flight at the click in ${known.filter((r) => r.suggestInFlight).length} of ${known.length} runs`);
  }
  if (id === "photo-brush" && record.runs.length) {
    parts.push(`press to release (30 moves; Chromium delivers at most one a frame, ≥ 0.5 s) ${ms(median(record.runs.map((r) => r.strokeMs)))}; ` +
      `settled ${ms(median(record.runs.map((r) => r.afterReleaseMs)))} after release`);
  }
  if (id === "photo-codebook") parts.push("from the request, sent when the first image is shown");
  if (id.startsWith("sample-")) {
    const sent = [...new Set(record.runs.map((r) => r.sent ?? "no sampler field"))];
    if (sent.length && !sent.every((s) => s.toLowerCase() === record.sampler)) parts.push(`requests said sampler: ${sent.join(", ")}`);
  }
  if (record.failure) parts.push(record.runs.length ? record.failure : `**failed**: ${record.failure}`);
  return parts.join("; ");
}

function tables(report) {
  const lines = [];
  for (const backend of ["cpu", "webgpu"]) {
    const rows = OPERATIONS.filter((op) => !op.samplers && results.has(`${backend}/${op.id}`));
    const sampled = OPERATIONS.filter((op) => op.samplers && samplersOf(op, backend).some((s) => results.has(`${backend}/${op.id}/${s}`)));
    if (!rows.length && !sampled.length) continue;
    lines.push(backend === "cpu"
      ? "## CPU backend (`?backend=cpu`, burn's flex backend in WebAssembly)"
      : `## WebGPU through SwiftShader (\`?backend=webgpu\`; ${report.webgpuAdapter ?? "adapter not seen"})`);
    lines.push("");
    if (backend === "webgpu") {
      lines.push("SwiftShader is a software adapter (the badge's `data-software-adapter` says " +
        `${report.webgpuSoftware ?? "?"}): these figures say nothing about a GPU.`, "");
    }
    if (rows.length) {
      lines.push("| operation | median | min | runs | notes |", "|---|---|---|---|---|");
      for (const op of rows) {
        const record = results.get(`${backend}/${op.id}`);
        const s = summary(record);
        lines.push(`| ${cellText(op.label)} | ${ms(s.median)} | ${ms(s.min)} | ${s.n}/${RUNS} | ${cellText(notes(record))} |`);
      }
      lines.push("");
    }
    if (sampled.length) {
      lines.push("Sampling, Sample clicked → \"done in\" shown (all snapshots drawn), the same seeds for both samplers:", "");
      lines.push("| operation | windowed (previous): median | min | cached: median | min | ratio (medians) | runs | notes |",
        "|---|---|---|---|---|---|---|---|");
      for (const op of sampled) {
        const w = results.get(`${backend}/${op.id}/windowed`);
        const c = results.get(`${backend}/${op.id}/cached`);
        const sw = w ? summary(w) : null;
        const sc = c ? summary(c) : null;
        const ratio = sw?.median && sc?.median ? `${(sw.median / sc.median).toFixed(1)}×` : "—";
        const same = c?.samePictures ?? w?.samePictures;
        const note = [w && notes(w) && `windowed: ${notes(w)}`, c && notes(c) && `cached: ${notes(c)}`,
          same && `the same pictures from both for ${same} seeds`,
          !w && backend === "webgpu" && "windowed not run on SwiftShader (over a minute)"].filter(Boolean).join("; ");
        lines.push(`| ${cellText(op.label)} | ${ms(sw?.median)} | ${ms(sw?.min)} | ${ms(sc?.median)} | ${ms(sc?.min)} | ${ratio} | ` +
          `${sw ? sw.n : "—"}/${sc ? sc.n : "—"} | ${cellText(note)} |`);
      }
      lines.push("");
    }
  }
  if (report.sizes.length) {
    lines.push("## Sizes", "", "| file | raw | gzip -9 |", "|---|---|---|");
    for (const f of report.sizes) lines.push(`| \`${f.file}\` | ${bytes(f.raw)} | ${bytes(f.gzip9)} |`);
    lines.push("");
  }
  return lines.join("\n");
}

function cpuName() {
  try {
    const lscpu = execFileSync("lscpu", { encoding: "utf8" });
    const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, "m").exec(lscpu)?.[1].trim();
    const model = field("Model name") ?? cpus()[0]?.model;
    const details = [field("CPU family") && `family ${field("CPU family")} model ${field("Model")}`,
      field("Hypervisor vendor") && `${field("Hypervisor vendor")} guest`].filter(Boolean);
    return details.length ? `${model} (${details.join(", ")})` : model;
  } catch {
    return cpus()[0]?.model ?? "unknown CPU";
  }
}

// ------------------------------------------------------------------ main

const started = Date.now();
const server = await serve(pkg);
const base = `http://127.0.0.1:${server.address().port}/`;
console.log(`serving ${pkg} at ${base}; ${RUNS} run(s) of each operation${ONLY ? `, only ${ONLY.source}` : ""}`);
const report = { date: new Date().toISOString(), runs: RUNS, only: ONLY?.source ?? null, sizes: [],
  loadBefore: loadavg()[0] };
let chromiumVersion = null;
try {
  report.sizes = await sizes();
  const built = await stat(join(pkg, "engine_worker_bg.wasm")).catch(() => null);
  report.built = built ? `${built.mtime.toISOString().slice(0, 16).replace("T", " ")} UTC` : null;
  const needs = (backend) => OPERATIONS.some((op) => wanted(backend, op.id));
  for (const backend of ["cpu", "webgpu"]) {
    if (!needs(backend)) continue;
    const browser = await chromium.launch({ executablePath, headless: true,
      args: [...BASE_ARGS, ...(backend === "webgpu" ? SWIFTSHADER_ARGS : [])] });
    chromiumVersion = browser.version();
    // A session that stops on an error (not a Failure it records itself) fails what it left.
    const guarded = async (ids, session) => {
      try {
        await session();
      } catch (error) {
        failAll(backend, ids, `stopped on an error: ${sentence(error)}`);
      }
    };
    const ids = (...list) => list.filter((id) => operation[id].backends.includes(backend));
    try {
      await guarded(ids("load-fashion", "load-photo", "photo-encode-first", "photo-codebook"),
        () => loadSession(browser, base, backend));
      if (backend === "cpu") {
        await guarded(ids("fashion-encode", "fashion-edit-after-select", "fashion-edit-idle", "photo-encode-128",
          "photo-encode-256", "photo-encode-512", "photo-encode-512to256", "photo-edit-after-select", "photo-edit-idle",
          "photo-brush", "photo-suggest", "photo-surprisal"), () => labSession(browser, base, backend));
        await guarded(ids("sample-fashion-1", "sample-fashion-8", "sample-photo-1"), () => sampleSession(browser, base, backend));
      } else {
        await guarded(ids("fashion-encode", "fashion-edit-after-select", "fashion-edit-idle", "sample-fashion-1"),
          () => webgpuLab(browser, base));
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}

const gpuLoad = results.get("webgpu/load-fashion")?.runs[0];
report.webgpuAdapter = gpuLoad?.adapter;
report.webgpuSoftware = gpuLoad?.software;
report.machine = {
  cpu: cpuName(), cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version, chromium: chromiumVersion,
};
report.seconds = Math.round((Date.now() - started) / 1000);
report.loadAfter = loadavg()[0];
const command = [process.env.VQ_LAB_BENCH_RUNS && `VQ_LAB_BENCH_RUNS=${RUNS}`,
  ONLY && `VQ_LAB_BENCH_ONLY='${ONLY.source}'`, "scripts/bench.sh"].filter(Boolean).join(" ");
const table = tables(report);
const markdown = [
  "# VQ Lab benchmarks",
  "",
  "What a user waits for in the built site (`pkg/`, `trunk build --release`), driven in headless " +
    "Chromium by `scripts/bench.sh` (`tests/e2e/bench.mjs`). Each time runs from the user's input " +
    "(the click, the file set, the choice made; the event's own time stamp) to the first frame " +
    "that shows the result (pixels changed, the heatmap, the line of text), both taken in the " +
    "page, so the test driver's round trips are not counted (resolution: one frame, about 17 ms). " +
    "Every run starts with the engine idle. \"engine\" in the notes is the engine's own time of " +
    "the operation (the badge's line). Raw timings: `bench/results.json`.",
  "",
  `- date: ${report.date.slice(0, 16).replace("T", " ")} UTC; ${RUNS} run(s) of each operation; the whole run ${report.seconds} s`,
  `- machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB; ` +
    `headless Chromium ${chromiumVersion ?? "?"} (Debian); Node ${process.version}`,
  `- command: \`${command}\`; pkg/ built ${report.built ?? "?"}`,
  `- load average (1 min) before the run ${report.loadBefore.toFixed(2)}, after ${report.loadAfter.toFixed(2)} ` +
    "(the figures are only as quiet as the machine was)",
  "",
  table,
].join("\n");

report.results = [...results.values()].map((record) => ({ ...summary(record), ...record,
  runs: record.runs.map(({ atStart, ...rest }) => ({ ...rest, busyAtStart: atStart?.busy })) }));
await mkdir(join(root, "bench"), { recursive: true });
await writeFile(join(root, "bench", "results.json"), JSON.stringify(report, null, 2) + "\n");
await writeFile(join(root, "BENCHMARKS.md"), markdown + "\n");
console.log("\n" + table);
console.log(`bench: wrote BENCHMARKS.md and bench/results.json (${report.seconds} s)`);
const failed = [...results.values()].filter((r) => r.failure);
if (failed.length) console.log(`bench: ${failed.length} operation(s) with a failure: ${failed.map((r) => [r.backend, r.id, r.sampler].filter(Boolean).join("/")).join(", ")}`);
process.exit(results.size === 0 ? 1 : 0);
