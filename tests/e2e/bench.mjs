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
//
// Beside our times (issue 12): the peer, onnxruntime-web running the same decoder with the same
// weights (bench/peer/<model>-decoder.onnx, which scripts/bench.sh writes with
// scripts/export-onnx.py from the shipped weights), loaded into the same page from a second
// origin and run in turn with ours on the same grids; and the physical limit, each CPU
// operation's multiply-adds against this machine's single-thread WebAssembly SIMD peak,
// measured in the same Chromium by a module built below byte by byte.

import { readFile, readdir, mkdir, writeFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { cpus, loadavg, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";
import { BASE_ARGS, SWIFTSHADER_ARGS, byId, darkShoeOnWhite, executablePath, here, largeJpeg, markVisited, pkg, png, root, serve } from "./harness.mjs";

const RUNS = Math.max(1, Number(process.env.VQ_LAB_BENCH_RUNS ?? 5) || 5);
const ONLY = process.env.VQ_LAB_BENCH_ONLY ? new RegExp(process.env.VQ_LAB_BENCH_ONLY) : null;
const TIMEOUT_S = Number(process.env.VQ_LAB_BENCH_TIMEOUT_S ?? 120);
const TIMEOUT = { cpu: TIMEOUT_S, webgpu: TIMEOUT_S * 2.5 };
const VIEWPORT = { width: 1100, height: 700 };
/// The peer's files: the ONNX graphs (and what they were made from), and onnxruntime-web's dist.
const PEER_DIR = join(root, "bench", "peer");
const ORT_DIST = join(here, "peer", "node_modules", "onnxruntime-web", "dist");
/// The shipped models' configs (for the multiply-adds and the grid sizes).
const CONFIGS = Object.fromEntries(await Promise.all(["fashion", "photo"].map(async (name) =>
  [name, JSON.parse(await readFile(join(root, "assets", "models", name, "config.json"), "utf8"))])));
/// Pixels per code along each side of a model's `vqvae` config (`VqVaeConfig::downsample`,
/// crates/vq-model/src/config.rs): its `downsample`, 4 when null or absent, else 2.
const cellOf = (vqvae) => vqvae.downsample ?? 4;
/// The shipped photo model's cell: 4 px (a 256 px photo is 64×64 codes), or 2 (128×128).
const PHOTO_CELL = CONFIGS.photo.vqvae.downsample ?? 4;
/// Codes per side of the photo model's grid of a `px`-pixel photo, and that grid in words.
const photoCells = (px) => px / PHOTO_CELL;
const photoGrid = (px) => `${photoCells(px)}×${photoCells(px)}`;
/// The grid of a 256 px photo (64 codes a side at ÷4), where the edits, grid imports and the
/// surprisal run.
const PHOTO_GRID = photoCells(256);
/// The side in codes of a sampled grid (src/engine/generate.rs, `sample_side`): the model's
/// picture, at most `MAX_SAMPLE_PIXELS` = 128 px, in its cells (at least one): fashion's whole
/// 7×7, photo's 128 px (32×32 codes at ÷4, 64×64 at ÷2).
const sampleSide = (config) => Math.max(1, Math.floor(Math.min(config.image_size, 128) / cellOf(config.vqvae)));

// ------------------------------------------------------------------ the operations

const SAMPLERS = ["windowed", "cached"];

/// The cells an edit of one cell of the photo model decodes (away from the grid's edges).
const PHOTO_WINDOW = editWindowCells(CONFIGS.photo.vqvae);

/// Every operation, in the order of the tables. `backends`: where it runs; `samplers`: the
/// sampler rows, measured once per sampler (the previous, windowed one, and the cached one);
/// `peer`: measured in turn with onnxruntime-web's decode of the same grid; `limit`: not an
/// operation but the yardstick of the CPU table (its own section).
const OPERATIONS = [
  { id: "load-fashion", label: "page load → fashion model ready", backends: ["cpu", "webgpu"] },
  { id: "load-photo", label: "switch to photo → photo model ready", backends: ["cpu"] },
  { id: "photo-encode-first", label: `photo: first upload after loading → heatmap (256 px, ${photoGrid(256)} codes)`, backends: ["cpu"] },
  { id: "photo-codebook", label: "photo: codebook tiles (512 codes), request → atlas shown", backends: ["cpu"] },
  { id: "fashion-encode", label: "fashion: upload (150×120 PNG) → heatmap (7×7)", backends: ["cpu", "webgpu"] },
  { id: "fashion-edit-after-select", label: "fashion: Set code → pixels, right after selecting the cell", backends: ["cpu", "webgpu"] },
  { id: "fashion-edit-idle", label: "fashion: Set code → pixels, cell selected 2 s before", backends: ["cpu", "webgpu"] },
  { id: "fashion-full-decode", label: "fashion: import a 7×7 grid → pixels (a full decode, 28×28 px)", backends: ["cpu", "webgpu"], peer: true },
  { id: "photo-encode-128", label: `photo: upload 128 px PNG → heatmap (128 px, ${photoGrid(128)} codes)`, backends: ["cpu"] },
  { id: "photo-encode-256", label: `photo: upload 256 px PNG → heatmap (256 px, ${photoGrid(256)} codes)`, backends: ["cpu"] },
  { id: "photo-encode-512", label: `photo: upload 512 px PNG → heatmap (512 px, ${photoGrid(512)} codes)`, backends: ["cpu"] },
  { id: "photo-encode-512to256", label: "photo: upload 512 px PNG → heatmap at the default 256 px", backends: ["cpu"] },
  { id: "photo-edit-after-select", label: "photo 256 px: Set code → pixels, right after selecting the cell", backends: ["cpu"] },
  { id: "photo-edit-idle", label: "photo 256 px: Set code → pixels, cell selected 2 s before", backends: ["cpu"] },
  { id: "photo-full-decode", label: `photo: import a ${photoGrid(256)} grid → pixels (a full decode, 256×256 px)`, backends: ["cpu"], peer: true },
  { id: "photo-window-decode", label: `photo 256 px: Set code → pixels, engine idle (the edit's decode: ${PHOTO_WINDOW}×${PHOTO_WINDOW} cells)`,
    backends: ["cpu"], peer: true },
  { id: "photo-brush", label: "photo 256 px: 3×3 brush stroke over 30 cells → pixels settled", backends: ["cpu"] },
  { id: "photo-suggest", label: "photo 256 px: click a cell → its suggestions shown", backends: ["cpu"] },
  { id: "photo-surprisal", label: "photo 256 px: colour by surprisal → totals shown", backends: ["cpu"] },
  { id: "sample-fashion-1", label: "sample: fashion, 1 grid of 7×7", backends: ["cpu", "webgpu"], samplers: true },
  { id: "sample-fashion-8", label: "sample: fashion, 8 grids of 7×7", backends: ["cpu"], samplers: true },
  { id: "sample-photo-1", label: `sample: photo, one ${sampleSide(CONFIGS.photo)}×${sampleSide(CONFIGS.photo)} grid`, backends: ["cpu"], samplers: true },
  { id: "wasm-peak", label: "single-thread WebAssembly SIMD peak", backends: ["cpu"], limit: true },
  { id: "autoencoder-encode-256", label: "photo: upload 256 px PNG → heatmap (encoder, nearest codes, full decode)",
    backends: ["cpu"], autoencoders: true },
  { id: "autoencoder-full-decode", label: `photo: import a ${photoGrid(256)} grid → pixels (a full decode)`, backends: ["cpu"], autoencoders: true },
  { id: "autoencoder-edit", label: "photo 256 px: Set code → pixels, engine idle (the edit's window)", backends: ["cpu"], autoencoders: true },
  { id: "large-upload", label: "photo: upload an 8000×6000 JPEG → heatmap (256 px)", backends: ["cpu"], decoders: true },
];
/// The autoencoder on the CPU backend: burn's layers (`?autoencoder=burn`, the previous path)
/// and the host kernels (`vq_model::vqvae::HostVqVae`, the engine's choice there).
const AUTOENCODERS = ["burn", "host"];
/// A large upload: decoded whole by the image crate (`?decoder=whole`, the previous path) or
/// decoded smaller by the browser (`engine::scaled`, the engine's choice over 2048 px).
const DECODERS = ["whole", "scaled"];
const operation = Object.fromEntries(OPERATIONS.map((op) => [op.id, op]));

/// The samplers an operation is measured with on `backend` (SwiftShader: the cached one only;
/// the windowed sampler takes over a minute there).
function samplersOf(op, backend) {
  if (op.autoencoders) return AUTOENCODERS;
  if (op.decoders) return DECODERS;
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

/// A fresh browser context (empty caches: a first visit, though not the first visit's example
/// and tour, which would add work to what is measured) with the probe, at `url`. The page's
/// Content-Security-Policy is bypassed so that the peer (onnxruntime-web, served from another
/// origin) can load beside the app; nothing of the app's own is loaded from elsewhere.
async function open(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_S * 1000);
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  await page.addInitScript(markVisited);
  await page.addInitScript(probe);
  await page.goto(url);
  return { context, page };
}

/// Opens `url` in a fresh context, waits for the model and an idle engine, and runs
/// `body(page)`; when the page does not load, `ids` fail with that sentence. Says the page's
/// errors, if any, and closes the context after.
async function inLoadedPage(browser, url, backend, ids, body) {
  const { context, page } = await open(browser, url);
  try {
    try {
      await loaded(page, backend);
      await idle(page, backend, "loading");
    } catch (error) {
      failAll(backend, ids, `the page did not load: ${sentence(error)}`);
      return;
    }
    await body(page);
    if (page.errors.length) console.log(`  page errors: ${page.errors.slice(0, 5).join(" | ")}`);
  } finally {
    await context.close();
  }
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
/// surprisal at 256 px (`PHOTO_GRID` codes a side: 64×64 at ÷4).
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
  if (rows !== PHOTO_GRID || cols !== PHOTO_GRID) throw new Failure(`the 256 px photo gave ${rows}×${cols} codes, not ${photoGrid(256)}`);
  const click = async (row, col) => {
    const at = await canvasPoint(page, row, col);
    await page.mouse.click(at.x, at.y);
  };

  await takeTool(page, "Select");
  for (const [id, waitMs, firstRow] of [["photo-edit-after-select", 0, 6], ["photo-edit-idle", 2000, 9]]) {
    await repeat(backend, id, null, async (i) => {
      await idle(page, backend);
      const [row, col] = [(firstRow + 7 * i) % (PHOTO_GRID - 4) + 2, (11 + 13 * i) % (PHOTO_GRID - 4) + 2];
      const at = await canvasPoint(page, row, col);
      return editOnce(page, backend, () => page.mouse.click(at.x, at.y), waitMs, 512);
    });
  }

  await repeat(backend, "photo-suggest", null, async (i) => {
    await idle(page, backend);
    const [row, col] = [(20 + 9 * i) % (PHOTO_GRID - 4) + 2, (30 + 7 * i) % (PHOTO_GRID - 4) + 2];
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
  await click(PHOTO_GRID - 3, PHOTO_GRID - 3);
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
  await inLoadedPage(browser, `${base}?backend=${backend}`, backend, [...fashionIds, ...photoIds], async (page) => {
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
  });
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
      await page.addInitScript(markVisited);
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
  await inLoadedPage(browser, `${base}?backend=webgpu`, backend, ids, async (page) => {
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
  });
}

// ------------------------------------------------------------------ the peer

/// The results of the peer beside ours: `backend/id/peer` → { runs: [{ ms, agreement }], failure }.
function peerEntry(backend, id) {
  const key = `${backend}/${id}/peer`;
  if (!results.has(key)) results.set(key, { backend, id, peer: true, runs: [], failure: null });
  return results.get(key);
}

/// Loads onnxruntime-web into `page` from the peer's origin (`peerBase`): its wasm backend on
/// one thread (1.30 ships SIMD builds only), or, on the WebGPU pass, its WebGPU execution
/// provider. Resolves to a line saying which.
async function startPeer(page, peerBase, backend) {
  return page.evaluate(async ({ peerBase, backend }) => {
    const provider = backend === "webgpu" ? "webgpu" : "wasm";
    const ort = await import(`${peerBase}ort/ort.${provider}.min.mjs`);
    ort.env.wasm.wasmPaths = `${peerBase}ort/`;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    window.__peer = { ort, provider, sessions: {} };
    return `onnxruntime-web ${ort.env.versions?.web ?? "?"}, ${provider === "wasm" ? "wasm backend, SIMD, 1 thread" : "WebGPU execution provider"}`;
  }, { peerBase, backend });
}

/// The codes of run `i` on an h×w grid: `(r·7 + c·3 + 5i) mod K` (a new grid each run).
const gridCodes = (height, width, K, i) => Array.from({ length: height * width }, (_, j) => (Math.floor(j / width) * 7 + (j % width) * 3 + 5 * i) % K);

/// Opens `model`'s decoder (bench/peer/<model>-decoder.onnx) in the page's peer and runs it
/// once on an h×w grid (its first run allocates and, on WebGPU, compiles).
async function preparePeer(page, peerBase, model, [height, width]) {
  await page.evaluate(async ({ url, height, width }) => {
    const P = window.__peer;
    P.sessions[url] ??= await P.ort.InferenceSession.create(url, { executionProviders: [P.provider], graphOptimizationLevel: "all" });
    const codes = new P.ort.Tensor("int64", new BigInt64Array(height * width), [1, height, width]);
    const out = await P.sessions[url].run({ codes });
    out.x_hat.dispose?.();
  }, { url: `${peerBase}${model}-decoder.onnx`, height, width });
}

/// One `session.run` of `model`'s decoder on `codes` (h×w; x̂ is its cell times larger a
/// side: `downsample`, 4 or 2), timed in the page. With
/// `against`, the canvas that shows our decode of the same codes: the largest difference of
/// the two in grey levels (ours turns model space into bytes with round((x + 0.5)·255)).
async function peerRun(page, peerBase, model, [height, width], codes, against = null) {
  return page.evaluate(async ({ url, height, width, cell, codes, against }) => {
    const P = window.__peer;
    const input = new P.ort.Tensor("int64", BigInt64Array.from(codes, (c) => BigInt(c)), [1, height, width]);
    const t0 = performance.now();
    const out = await P.sessions[url].run({ codes: input });
    const ms = performance.now() - t0;
    const x = out.x_hat;
    const [, channels, h, w] = x.dims;
    if (h !== cell * height || w !== cell * width) throw new Error(`the peer gave ${x.dims.join("×")} for a ${height}×${width} grid`);
    let agreement = null;
    const canvas = against && document.querySelector(`[data-testid="${against}"]`);
    if (canvas?.width === w && canvas?.height === h) {
      const ours = canvas.getContext("2d").getImageData(0, 0, w, h).data;
      const values = x.data;
      agreement = 0;
      for (let i = 0; i < w * h; i++) {
        for (let ch = 0; ch < 3; ch++) {
          const v = values[(channels === 1 ? 0 : ch) * w * h + i];
          const byte = Math.round(Math.min(1, Math.max(0, v + 0.5)) * 255);
          agreement = Math.max(agreement, Math.abs(byte - ours[4 * i + ch]));
        }
      }
    }
    x.dispose?.();
    return { ms, agreement };
  }, { url: `${peerBase}${model}-decoder.onnx`, height, width, cell: cellOf(CONFIGS[model].vqvae), codes, against });
}

/// Imports a grid file of `model` (the page's "Import a grid": `ToEngine::UseGrid`, which
/// decodes the grid and nothing else); timed from the file set to the grid and its pixels
/// shown; `engineMs` the engine's own time (the badge's "encode").
async function importGrid(page, backend, model, [height, width], codes, name) {
  const buffer = Buffer.from(JSON.stringify({ format: "vq-lab-grid", version: 1, model, grid_width: width, grid_height: height, codes }));
  const result = await measure(page, backend, { kind: "encoded", args: { source: name }, startOn: { type: "change", testid: "import-grid" } },
    () => byId(page, "import-grid").setInputFiles({ name, mimeType: "application/json", buffer }), `importing ${name}`);
  return { ...result, engineMs: await engineMillis(page, "encode") };
}

/// Ours and the peer in turn, RUNS times: `ours(i)` (a page action), then the peer's
/// `session.run` on the same grid (`peer(i)`); `peerState.failure` when the peer is missing.
async function inTurn(page, backend, id, peerState, ours, peer) {
  const record = entry(backend, id);
  const theirs = peerEntry(backend, id);
  theirs.provider = peerState.line;
  if (peerState.failure) theirs.failure = peerState.failure;
  for (let i = 0; i < RUNS && !record.failure; i++) {
    try {
      await idle(page, backend);
      record.runs.push(await ours(i));
    } catch (error) {
      record.failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
      continue;
    }
    if (theirs.failure) continue;
    try {
      theirs.runs.push(await peer(i));
    } catch (error) {
      theirs.failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
    }
  }
  const line = (r) => `${r.runs.map((run) => run.ms.toFixed(0)).join(", ")} ms${r.failure ? ` — ${r.failure}` : ""}`;
  console.log(`  ${backend}/${id}: ${line(record)}; engine ${record.runs.map((r) => r.engineMs?.toFixed(1)).join(", ")} ms`);
  console.log(`  ${backend}/${id}/peer: ${theirs.runs.map((r) => r.ms.toFixed(1)).join(", ")} ms${theirs.failure ? ` — ${theirs.failure}` : ""}`);
}

/// Full and windowed decodes, ours and onnxruntime-web's in turn in one page, on the same
/// grids: ours by importing a grid file (full) or a Set code (the edit's window), the peer by
/// `session.run` of the same decoder in the same page.
async function decodeSession(browser, base, peerBase, backend) {
  const ids = ["fashion-full-decode", "photo-full-decode", "photo-window-decode"].filter((id) => wanted(backend, id));
  if (ids.length === 0) return;
  console.log(`${backend}: decodes, ours and onnxruntime-web's in turn (one page)`);
  await inLoadedPage(browser, `${base}?backend=${backend}`, backend, ids, async (page) => {
    const peerState = { line: null, failure: null };
    try {
      peerState.line = await startPeer(page, peerBase, backend);
      report.peer[backend] = peerState.line;
    } catch (error) {
      peerState.failure = `onnxruntime-web did not load: ${sentence(error)}`;
    }
    // Opens the model's decoder in the peer, or says why not.
    const prepare = async (model, grid) => {
      if (peerState.failure) return { ...peerState };
      try {
        await preparePeer(page, peerBase, model, grid);
        return { ...peerState };
      } catch (error) {
        return { ...peerState, failure: `bench/peer/${model}-decoder.onnx did not run (scripts/bench.sh writes it): ${sentence(error)}` };
      }
    };
    const fullDecode = async (id, model, grid) => {
      const K = CONFIGS[model].vqvae.codebook_size;
      await inTurn(page, backend, id, await prepare(model, grid),
        (i) => importGrid(page, backend, model, grid, gridCodes(...grid, K, i), `${model}-grid-${i + 1}.json`),
        (i) => peerRun(page, peerBase, model, grid, gridCodes(...grid, K, i), "reconstruction"));
    };

    if (wanted(backend, "fashion-full-decode")) {
      try {
        // The grid import is offered once an image is shown.
        await upload(page, backend, "warm-up.png", darkShoeOnWhite());
        await idle(page, backend, "the first upload");
        await fullDecode("fashion-full-decode", "fashion", [7, 7]);
      } catch (error) {
        failAll(backend, ["fashion-full-decode"], sentence(error));
      }
    }
    const photoIds = ["photo-full-decode", "photo-window-decode"].filter((id) => ids.includes(id));
    if (photoIds.length) {
      try {
        await idle(page, backend);
        await switchModel(page, backend, "photo");
        await idle(page, backend, "loading photo");
        await upload(page, backend, "warm-up.png", photoLike(128));
        await idle(page, backend, "the first upload (and the codebook it asks for)");
        if (ids.includes("photo-full-decode")) await fullDecode("photo-full-decode", "photo", [PHOTO_GRID, PHOTO_GRID]);
        if (ids.includes("photo-window-decode")) await windowDecode(page, backend, peerBase, await prepare("photo", [PHOTO_WINDOW, PHOTO_WINDOW]));
      } catch (error) {
        failAll(backend, photoIds, sentence(error));
      }
    }
  });
}

/// An edit's decode on a 256 px photo's grid (64×64 at ÷4): ours a Set code on a cell away
/// from the edges (selected, then the engine left to become idle: its suggestions for the cell
/// done), timed from the click to the pixels; the peer's decode of a window of the same size.
async function windowDecode(page, backend, peerBase, peerState) {
  const K = CONFIGS.photo.vqvae.codebook_size;
  await importGrid(page, backend, "photo", [PHOTO_GRID, PHOTO_GRID], gridCodes(PHOTO_GRID, PHOTO_GRID, K, 0), "photo-grid.json");
  await idle(page, backend, `importing a ${photoGrid(256)} grid`);
  await takeTool(page, "Select");
  const side = PHOTO_WINDOW;
  const margin = (side - 1) / 2;
  await inTurn(page, backend, "photo-window-decode", peerState,
    async (i) => {
      const [row, col] = [margin + ((7 * i) % (PHOTO_GRID - 2 * margin)), margin + ((13 * i + 5) % (PHOTO_GRID - 2 * margin))];
      const select = async () => {
        const at = await canvasPoint(page, row, col);
        await page.mouse.click(at.x, at.y);
        await page.waitForTimeout(100);
        await idle(page, backend, "selecting a cell");
      };
      return editOnce(page, backend, select, 0, K);
    },
    (i) => peerRun(page, peerBase, "photo", [side, side], gridCodes(side, side, K, i)));
}

/// Two paths of the CPU backend measured in turn in two pages of one browser, on the photo
/// model at 256 px, the same inputs for both: `kinds` → the query of each page, `steps` →
/// each operation's run `(page, i)`.
async function pairSession(browser, base, what, kinds, queries, steps) {
  const ids = Object.keys(steps).filter((id) => wanted("cpu", id));
  if (ids.length === 0) return;
  console.log(`cpu: ${what}, ${kinds.join(" and ")} in turn (two pages)`);
  const pages = {};
  try {
    for (const kind of kinds) {
      pages[kind] = await open(browser, `${base}${queries[kind]}`);
      const { page } = pages[kind];
      await loaded(page, "cpu");
      await switchModel(page, "cpu", "photo");
      await photoSize(page, "cpu", 256);
      await upload(page, "cpu", "warm-up.png", photoLike(256));
      await idle(page, "cpu", "the first upload (and the codebook it asks for)");
    }
    for (const id of ids) {
      for (let i = 0; i < RUNS; i++) {
        for (const kind of kinds) {
          const record = entry("cpu", id, kind);
          if (record.failure) continue;
          try {
            await idle(pages[kind].page, "cpu");
            record.runs.push(await steps[id](pages[kind].page, i));
          } catch (error) {
            record.failure = `run ${i + 1} of ${RUNS} failed: ${sentence(error)}`;
          }
        }
      }
      for (const kind of kinds) {
        const record = entry("cpu", id, kind);
        console.log(`  cpu/${id}/${kind}: ${record.runs.map((r) => r.ms.toFixed(0)).join(", ")} ms; ` +
          `engine ${record.runs.map((r) => r.engineMs?.toFixed(1)).join(", ")} ms${record.failure ? ` — ${record.failure}` : ""}`);
      }
    }
  } catch (error) {
    for (const id of ids) for (const kind of kinds) entry("cpu", id, kind).failure ??= sentence(error);
  } finally {
    for (const { context } of Object.values(pages)) await context.close();
  }
}

/// The autoencoder's two paths on the CPU backend (`?autoencoder=burn` and the host kernels):
/// a 256 px upload, a grid import (a full decode) and an edit, each timed as the user sees it,
/// with the engine's own time.
async function autoencoderSession(browser, base) {
  const K = CONFIGS.photo.vqvae.codebook_size;
  // The edit's cell away from the grid's edges, its whole window inside (8 cells at ÷4).
  const margin = (PHOTO_WINDOW - 1) / 2;
  await pairSession(browser, base, "the autoencoder", AUTOENCODERS,
    { burn: "?backend=cpu&autoencoder=burn", host: "?backend=cpu" }, {
      "autoencoder-encode-256": async (page, i) => ({ ...(await upload(page, "cpu", `photo-256-${i + 1}.png`, photoLike(256, 20 + i))),
        engineMs: await engineMillis(page, "encode") }),
      "autoencoder-full-decode": (page, i) => importGrid(page, "cpu", "photo", [PHOTO_GRID, PHOTO_GRID], gridCodes(PHOTO_GRID, PHOTO_GRID, K, i),
        `photo-grid-${i + 1}.json`),
      "autoencoder-edit": async (page, i) => {
        const [row, col] = [margin + ((7 * i) % (PHOTO_GRID - 2 * margin)), margin + ((13 * i + 5) % (PHOTO_GRID - 2 * margin))];
        await takeTool(page, "Select");
        return editOnce(page, "cpu", async () => {
          const at = await canvasPoint(page, row, col);
          await page.mouse.click(at.x, at.y);
          await page.waitForTimeout(100);
          await idle(page, "cpu", "selecting a cell");
        }, 0, K);
      },
    });
}

/// An 8000×6000 JPEG (made once by the first page's OffscreenCanvas encoder) uploaded through
/// the file input, decoded whole (`?decoder=whole`, the previous path) or smaller by the
/// browser: file → heatmap, and the engine's time of the encode (decode included).
async function largeUploadSession(browser, base) {
  let jpeg = null;
  await pairSession(browser, base, "a large upload", DECODERS,
    { whole: "?backend=cpu&decoder=whole", scaled: "?backend=cpu" }, {
      "large-upload": async (page, i) => {
        jpeg ??= await largeJpeg(page);
        const name = `large-${i + 1}.jpg`;
        const run = await measure(page, "cpu", { kind: "encoded", args: { source: name }, startOn: { type: "change", testid: "file-input" } },
          () => byId(page, "file-input").setInputFiles({ name, mimeType: "image/jpeg", buffer: jpeg }), `encoding ${name}`);
        return { ...run, engineMs: await engineMillis(page, "encode") };
      },
    });
}

/// A table of two paths measured by [`pairSession`]: `[before, after]` kinds, the previous path
/// first.
function pairTable(flag, kinds, title, intro) {
  const rows = OPERATIONS.filter((op) => op[flag] && kinds.some((k) => results.has(`cpu/${op.id}/${k}`)));
  if (!rows.length) return [];
  const [before, after] = kinds;
  const lines = [title, "", intro, "",
    `| operation | ${before}: engine | ${before}: user | ${after}: engine | ${after}: user | ratio (user medians) | runs | notes |`,
    "|---|---|---|---|---|---|---|---|"];
  for (const op of rows) {
    const [b, a] = kinds.map((k) => results.get(`cpu/${op.id}/${k}`));
    const [ub, ua] = [b?.runs.length ? summary(b).median : null, a?.runs.length ? summary(a).median : null];
    const note = [b?.failure && `${before}: ${b.failure}`, a?.failure && `${after}: ${a.failure}`].filter(Boolean).join("; ");
    lines.push(`| ${cellText(op.label)} | ${ms(b && engineMedian(b))} | ${ms(ub)} | ${ms(a && engineMedian(a))} | ` +
      `${ms(ua)} | ${times(ub && ua ? ub / ua : null)} | ${b?.runs.length ?? 0}/${a?.runs.length ?? 0} | ${cellText(note)} |`);
  }
  return [...lines, ""];
}

const autoencoderTable = () => pairTable("autoencoders", AUTOENCODERS,
  "## The autoencoder on the CPU backend: host kernels against burn's layers",
  "The engine runs the VQ-VAE's encoder and decoder on the host on the CPU backend (`vq_model::vqvae::HostVqVae`: " +
  "a block of 4 pixels × 8 channels per step, eight WebAssembly SIMD sums in locals); `?autoencoder=burn` keeps burn's " +
  "layers (the previous path). Both pages in one browser, in turn, the same inputs. Engine: the engine's own time; " +
  "user: input → pixels.");

const decoderTable = () => pairTable("decoders", DECODERS,
  "## A large upload: decoded whole, or smaller by the browser",
  "Uploads over 2048 px on their long side are decoded by the browser at 1024 px on the long side " +
  "(`createImageBitmap` with `resizeWidth`/`resizeHeight` in the engine's worker: Chromium's JPEG decoder scales while " +
  "it decodes), then resized to the model's size as before; `?decoder=whole` keeps the previous path (the image crate " +
  "decodes every pixel in WebAssembly, then resizes). The page says what it does meanwhile. Engine: the encode's own " +
  "time, decode included; user: the file chosen → the heatmap.");

// ------------------------------------------------------------------ multiply-adds

/// The cells an edit of one cell decodes (away from the grid's edges): `incremental::Window::new`
/// (crates/vq-model/src/incremental.rs) goes from the cell g, R = 1 + residual_blocks cells
/// further (`Decoder::latent_reach`), forward through the upsamplings to the pixels it reaches,
/// then back to the cells those pixels read, R cells further again. The upsamplings are
/// `Decoder::upsamplings` (crates/vq-model/src/vqvae/decoder.rs): `Stride2` (input i reaches
/// outputs 2i−1 ..= 2i+2; output o reads inputs ⌈(o−2)/2⌉ ..= ⌊(o+1)/2⌋) and `Same` (input i
/// reaches outputs i−1 ..= i+1, output o reads inputs o−1 ..= o+1):
///   ÷4: up1 Stride2, up2 Stride2   pixels 4(g−R)−3 ..= 4(g+R)+6   cells g−2R−2 ..= g+2R+2
///   ÷2: up1 Same,    up2 Stride2   pixels 2(g−R)−3 ..= 2(g+R)+4   cells g−2R−3 ..= g+2R+3
/// (the module's test `the_window_of_a_cell_is_its_reach`): 2R + 2 cells on each side of the
/// cell at ÷4, 2R + 3 at ÷2.
function editWindowCells(vqvae) {
  const reach = 1 + vqvae.residual_blocks;
  const either = cellOf(vqvae) === 4 ? 2 * reach + 2 : 2 * reach + 3;
  return 2 * either + 1;
}

/// Multiply-adds of the decoder (crates/vq-model/src/vqvae/decoder.rs) on h×w cells, with
/// D = embedding_dim, H = hidden_channels, R = residual_channels, C = in_channels, s = the
/// cell (`downsample`: 4, or 2; x̂ is sh×sw px):
///   conv 3×3 D→H                                 h·w · 9·D·H
///   each residual block                          h·w · (9·H·R + R·H)
///   up1, ÷4: ConvTranspose 4×4, stride 2 H→H/2   2h·2w · 4·H·H/2   (each output pixel meets 2×2 taps)
///   up1, ÷2: ConvTranspose 3×3, stride 1 H→H/2   h·w · 9·H·H/2     (a plain 3×3 convolution)
///   up2: ConvTranspose 4×4, stride 2 H/2→C       sh·sw · 4·H/2·C
function decoderMacs(v, h, w) {
  const [D, H, R, C, s] = [v.embedding_dim, v.hidden_channels, v.residual_channels, v.in_channels, cellOf(v)];
  const up1 = s === 4 ? 4 * h * w * 4 * H * (H / 2) : h * w * 9 * H * (H / 2);
  return h * w * (9 * D * H + v.residual_blocks * (9 * H * R + R * H)) + up1 + s * s * h * w * 4 * (H / 2) * C;
}

/// Multiply-adds of an upload of side × side px (encoder.rs, quantizer.rs, then the decode
/// of the reconstruction), h = w = side/s, s the cell (`downsample`: 4, or 2):
///   down1: conv 4×4, stride 2 C→H/2                (side/2)² · 16·C·H/2
///   down2, ÷4: conv 4×4, stride 2 H/2→H             h·w · 16·H/2·H
///   down2, ÷2: conv 3×3, stride 1, pad 1 H/2→H      h·w · 9·H/2·H   (h = side/2: the size kept)
///   conv 3×3 H→H, residual blocks                   h·w · (9·H·H + blocks·(9·H·R + R·H))
///   conv 1×1 H→D                                    h·w · H·D
///   the five nearest codes                          h·w · K·D (one product with the codebook)
///   the decoder                                     decoderMacs(h, w)
function encodeMacs(v, side) {
  const [D, H, R, C, K, s] = [v.embedding_dim, v.hidden_channels, v.residual_channels, v.in_channels, v.codebook_size, cellOf(v)];
  const cells = (side / s) ** 2;
  const down2 = s === 4 ? 16 * (H / 2) * H : 9 * (H / 2) * H;
  return (side / 2) ** 2 * 16 * C * (H / 2) + cells * (down2 + 9 * H * H + v.residual_blocks * (9 * H * R + R * H) + H * D + K * D) +
    decoderMacs(v, side / s, side / s);
}

/// Multiply-adds of the prior on the host (crates/vq-model/src/prior/host.rs,
/// `HostPrior::macs_per_cell`; the cached sampler of sampler/cached.rs computes each once per
/// cell), c = channels, k = kernel, L = layers, K = codebook_size:
///   per layer, a row's share (`start_row`, the vertical stack)   2c·c·(k/2+1)·k
///   per layer, a cell's (`fill_cell`): horizontal, vertical→horizontal, out
///                                                               2c·c·(k/2+1) + (2c)² + c²
///   a cell's logits (`logits`)                                  c·2c + 2c·K
function priorMacs(p) {
  const [c, k, L, K] = [p.channels, p.kernel, p.layers, p.codebook_size];
  const half = Math.floor(k / 2);
  const vertical = L * 2 * c * c * (half + 1) * k;
  const cell = L * (2 * c * c * (half + 1) + 4 * c * c + c * c);
  const logits = 2 * c * c + 2 * c * K;
  return { vertical, cell, logits, all: vertical + cell + logits };
}

/// Multiply-adds of the suggestions for one cell away from the edges (`HostSuggester`,
/// sampler/cached.rs, with 16 candidates, then 5 previews, each an edit's windowed decode).
/// The window: `rows_above` = 1 + L·(k/2) rows above and below, `reach` = cols_left + cols_side
/// columns either side. The caches up to the cell: rows 0..=above started, the rows above and the
/// cells up to it filled, its logits. Per candidate: the rest of its row and the rows below
/// filled, the rows below started, the logits of the cells that see it
/// (cols_left_in_row + rows_above·(2·cols_side + 1)).
function suggestMacs(model) {
  const p = CONFIGS[model].prior;
  const m = priorMacs(p);
  const reach1 = p.layers * Math.floor(p.kernel / 2);
  const [above, side, left] = [1 + reach1, reach1, 1 + reach1];
  const width = 2 * (Math.max(side, left) + side) + 1;
  const base = (above + 1) * width * m.vertical + (above * width + Math.max(side, left) + side + 1) * m.cell + m.logits;
  const candidate = (Math.max(side, left) + side + above * width) * m.cell + above * width * m.vertical + (left + above * (2 * side + 1)) * m.logits;
  const window = editWindowCells(CONFIGS[model].vqvae);
  return base + 16 * candidate + 5 * decoderMacs(CONFIGS[model].vqvae, window, window);
}

/// Multiply-adds of each operation of the CPU table (null: not a computation, or not a fixed
/// one). Sampling: the prior's cells and one decode of each grid (the snapshots' decodes are
/// left out).
function multiplyAdds(id) {
  const [fashion, photo] = [CONFIGS.fashion, CONFIGS.photo];
  const grid = (config) => config.image_size / cellOf(config.vqvae);
  const sample = (config, count, side) => count * (side * side * priorMacs(config.prior).all + decoderMacs(config.vqvae, side, side));
  const table = {
    "photo-encode-first": encodeMacs(photo.vqvae, 256),
    "photo-codebook": photo.vqvae.codebook_size * decoderMacs(photo.vqvae, 2, 2), // generate.rs: 2×2-cell tiles
    "fashion-encode": encodeMacs(fashion.vqvae, fashion.image_size),
    // A fashion edit's window covers the whole 7×7 grid.
    "fashion-edit-after-select": decoderMacs(fashion.vqvae, grid(fashion), grid(fashion)),
    "fashion-edit-idle": decoderMacs(fashion.vqvae, grid(fashion), grid(fashion)),
    "fashion-full-decode": decoderMacs(fashion.vqvae, grid(fashion), grid(fashion)),
    "photo-encode-128": encodeMacs(photo.vqvae, 128),
    "photo-encode-256": encodeMacs(photo.vqvae, 256),
    "photo-encode-512": encodeMacs(photo.vqvae, 512),
    "photo-encode-512to256": encodeMacs(photo.vqvae, 256),
    "photo-edit-after-select": decoderMacs(photo.vqvae, PHOTO_WINDOW, PHOTO_WINDOW),
    "photo-edit-idle": decoderMacs(photo.vqvae, PHOTO_WINDOW, PHOTO_WINDOW),
    "photo-full-decode": decoderMacs(photo.vqvae, PHOTO_GRID, PHOTO_GRID),
    "photo-window-decode": decoderMacs(photo.vqvae, PHOTO_WINDOW, PHOTO_WINDOW),
    "photo-suggest": suggestMacs("photo"),
    "photo-surprisal": PHOTO_GRID * PHOTO_GRID * priorMacs(photo.prior).all,
    "sample-fashion-1": sample(fashion, 1, sampleSide(fashion)),
    "sample-fashion-8": sample(fashion, 8, sampleSide(fashion)),
    "sample-photo-1": sample(photo, 1, sampleSide(photo)),
  };
  return table[id] ?? null;
}

// ------------------------------------------------------------------ the physical limit

// A WebAssembly module written byte by byte (the binary format: LEB128 numbers, sections of
// length-prefixed vectors): `peak<N>(calls)` runs N independent chains `a = a·m + c` of
// f32x4.mul and f32x4.add on locals (no memory traffic; 12, 14 and 16 chains, the best counts
// on this machine: enough that the latency of one chain does not idle the units, about as many
// as V8 keeps in x86-64's 16 vector registers);
// `dot(calls)` sums a·b over two buffers of 8 KiB each (in the L1 cache), 8 accumulators, two
// loads per f32x4 multiply-add: a practical peak with loads. WebAssembly SIMD has no fused
// multiply-add outside relaxed SIMD, so a multiply-add costs two instructions, as in our wasm.

const uleb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const vector = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const wasmName = (text) => vector([...Buffer.from(text, "utf8")]);
const W = { i32: 0x7f, f32: 0x7d, v128: 0x7b, void: 0x40, loop: 0x03, end: 0x0b, brIf: 0x0d, get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i32LtU: 0x49, i32Add: 0x6a, i32Sub: 0x6b, f32Const: 0x43 };
const simd = (op, ...immediates) => [0xfd, ...uleb(op), ...immediates];
const V128_LOAD = 0, F32X4_SPLAT = 19, F32X4_EXTRACT_LANE = 31, F32X4_ADD = 228, F32X4_MUL = 230;
const f32 = (value) => [W.f32Const, ...new Uint8Array(new Float32Array([value]).buffer)];
const splat = (value, local) => [...f32(value), ...simd(F32X4_SPLAT), W.set, ...uleb(local)];
/// Sums vector locals `first..first+count` and returns lane 0 (so that no chain is dead code).
const sumLanes = (first, count) => [W.get, ...uleb(first),
  ...Array.from({ length: count - 1 }, (_, i) => [W.get, ...uleb(first + i + 1), ...simd(F32X4_ADD)]).flat(),
  ...simd(F32X4_EXTRACT_LANE, 0)];
/// `calls -= 1; loop while calls != 0` (local 0 is the parameter).
const countDown = [W.get, 0, W.i32Const, ...sleb(1), W.i32Sub, W.tee, 0, W.brIf, 0];

const PEAK_UNROLL = 8;
const PEAK_CHAINS = [12, 14, 16];
/// Each function is timed PEAK_TRIALS times over about PEAK_SECONDS; the best counts (a peak:
/// what another process on the machine took away is not the machine's).
const [PEAK_TRIALS, PEAK_SECONDS] = [8, 0.2];
const DOT_FLOATS = 2048; // per buffer: 8 KiB, two of them in L1

/// `peak<chains>`: locals 1..chains the chains, then m and c; a = a·0.999 + 0.001 stays near 1.
function peakFunction(chains) {
  const [m, c] = [chains + 1, chains + 2];
  const step = (i) => [W.get, ...uleb(1 + i), W.get, ...uleb(m), ...simd(F32X4_MUL), W.get, ...uleb(c), ...simd(F32X4_ADD), W.set, ...uleb(1 + i)];
  const code = [
    ...Array.from({ length: chains }, (_, i) => splat(1 + i / 64, 1 + i)).flat(), ...splat(0.999, m), ...splat(0.001, c),
    W.loop, W.void, ...Array.from({ length: PEAK_UNROLL * chains }, (_, j) => step(j % chains)).flat(), ...countDown, W.end,
    ...sumLanes(1, chains),
  ];
  return { name: `peak${chains}`, locals: [[chains + 2, W.v128]], code, macsPerCall: 4 * chains * PEAK_UNROLL };
}

/// `dot`: local 1 the byte offset, locals 2..9 the accumulators; buffer a at 0, b after it.
function dotFunction() {
  const bytes = 4 * DOT_FLOATS;
  const load = (offset) => [W.get, 1, ...simd(V128_LOAD, 4, ...uleb(offset))]; // align 2⁴
  const step = (i) => [W.get, 2 + i, ...load(16 * i), ...load(bytes + 16 * i), ...simd(F32X4_MUL), ...simd(F32X4_ADD), W.set, 2 + i];
  const code = [
    ...Array.from({ length: 8 }, (_, i) => splat(0, 2 + i)).flat(),
    W.loop, W.void,
    W.i32Const, ...sleb(0), W.set, 1,
    W.loop, W.void, ...Array.from({ length: 8 }, (_, i) => step(i)).flat(),
    W.get, 1, W.i32Const, ...sleb(128), W.i32Add, W.tee, 1, W.i32Const, ...sleb(bytes), W.i32LtU, W.brIf, 0, W.end,
    ...countDown, W.end,
    ...sumLanes(2, 8),
  ];
  return { name: "dot", locals: [[1, W.i32], [8, W.v128]], code, macsPerCall: DOT_FLOATS };
}

/// The module's bytes: every function `(i32 calls) → f32`, one page of memory, all exported.
function limitModule(functions) {
  const body = (f) => {
    const bytes = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code, W.end];
    return [...uleb(bytes.length), ...bytes];
  };
  return [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([W.i32]), ...vector([W.f32])]])),
    ...section(3, vector(functions.map(() => [0]))),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([...functions.map((f, i) => [...wasmName(f.name), 0x00, ...uleb(i)]), [...wasmName("memory"), 0x02, 0]])),
    ...section(10, vector(functions.map(body)))];
}

/// The peak in a blank page of the CPU pass's browser: each function timed PEAK_TRIALS times
/// (after calls that grow until one lasts 50 ms, so that V8's optimising tier has taken over
/// from its baseline compiler), the best of them; once per run, at most 3.
async function limitSession(browser) {
  if (!wanted("cpu", "wasm-peak") && !OPERATIONS.some((op) => !op.limit && wanted("cpu", op.id) && multiplyAdds(op.id))) return;
  console.log("cpu: the single-thread WebAssembly SIMD peak");
  const functions = [...PEAK_CHAINS.map(peakFunction), dotFunction()];
  const record = entry("cpu", "wasm-peak");
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent("<title>peak</title>");
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const rates = await page.evaluate(async ({ bytes, kernels, floats, seconds, trials }) => {
        const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
        new Float32Array(instance.exports.memory.buffer, 0, 2 * floats).fill(1e-3);
        const out = {};
        for (const { name, macsPerCall } of kernels) {
          const run = instance.exports[name];
          const time = (calls) => {
            const t0 = performance.now();
            run(calls);
            return (performance.now() - t0) / 1000;
          };
          let calls = 1000;
          while (time(calls) < 0.05) calls *= 2;
          const timed = Math.ceil((calls * seconds) / time(calls));
          out[name] = Math.max(...Array.from({ length: trials }, () => (timed * macsPerCall) / time(timed)));
        }
        return out;
      }, { bytes: limitModule(functions), kernels: functions.map(({ name, macsPerCall }) => ({ name, macsPerCall })), floats: DOT_FLOATS, seconds: PEAK_SECONDS, trials: PEAK_TRIALS });
      const peak = Math.max(...functions.filter((f) => f.name.startsWith("peak")).map((f) => rates[f.name]));
      // `ms`: the time of 10⁹ multiply-adds at this peak.
      record.runs.push({ ms: 1e12 / peak, macsPerSecond: peak, dotMacsPerSecond: rates.dot, rates });
    }
  } catch (error) {
    record.failure = sentence(error);
  } finally {
    await context.close();
  }
  const best = record.runs.length ? Math.max(...record.runs.map((r) => r.macsPerSecond)) : null;
  console.log(`  cpu/wasm-peak: ${record.runs.map((r) => `${(r.macsPerSecond / 1e9).toFixed(1)} (dot ${(r.dotMacsPerSecond / 1e9).toFixed(1)})`).join(", ")} G multiply-adds/s` +
    `${record.failure ? ` — ${record.failure}` : ""}`);
  return best;
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
  : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 1 ? 2 : value < 10 ? 1 : 0)} ms`);
const count = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : `${(n / 1e3).toFixed(0)} k`);
const times = (x) => (x == null || !Number.isFinite(x) ? "—" : `${x.toFixed(x < 10 ? 1 : 0)}×`);
const engineMedian = (record) => {
  const engine = record.runs.map((r) => r.engineMs).filter((v) => v != null && !Number.isNaN(v));
  return engine.length ? median(engine) : null;
};
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

/// The physical limit's cells of a row: the multiply-adds, their time at `peak` (multiply-adds
/// per second), and ours over that (ours: the engine's own time where the page shows one,
/// else the user's).
function limitCells(id, record, peak) {
  const macs = multiplyAdds(id);
  if (!macs) return ["—", "—", "—"];
  const atPeak = peak ? (1000 * macs) / peak : null;
  const ours = record ? engineMedian(record) ?? summary(record).median : null;
  return [count(macs), ms(atPeak), times(ours && atPeak ? ours / atPeak : null)];
}

/// The peer's table: ours and onnxruntime-web's, per operation and backend.
function peerTable(report) {
  const rows = ["cpu", "webgpu"].flatMap((backend) => OPERATIONS.filter((op) => op.peer && results.has(`${backend}/${op.id}/peer`))
    .map((op) => ({ backend, op, ours: results.get(`${backend}/${op.id}`), theirs: results.get(`${backend}/${op.id}/peer`) })));
  if (!rows.length) return [];
  const lines = ["## The peer: onnxruntime-web, side by side", "",
    "The same decoder with the same weights (`bench/peer/<model>-decoder.onnx`, written by " +
    "`scripts/export-onnx.py` from what `cargo run -p vq-model --example export_decoder` reads with the app's " +
    "loader, checked against our decoder to 1e-4), run by onnxruntime-web in the same page, in turn with ours on " +
    "the same grids (ours, then the peer, run after run). \"ours: engine\" is the engine's own time of the request " +
    "(decode, read back, bytes of pixels); \"peer\" is `session.run`, timed in the page (its output read back to " +
    "the CPU); \"ours ÷ peer\" compares those two medians. The bar of issue 12: a full decode on the CPU backend " +
    "≤ 1.0× onnxruntime-web's wasm. " +
    Object.entries(report.peer).map(([backend, line]) => `${backend === "cpu" ? "CPU pass" : "SwiftShader pass"}: ${line}.`).join(" "),
    "", "| operation | backend | ours: engine | peer: `session.run` | ours ÷ peer | ours: input → pixels | runs (ours/peer) | notes |",
    "|---|---|---|---|---|---|---|---|"];
  for (const { backend, op, ours, theirs } of rows) {
    const [own, peer] = [engineMedian(ours), summary(theirs).median];
    const agreement = theirs.runs.map((r) => r.agreement).filter((v) => v != null);
    const note = [agreement.length && `the peer's pixels within ${Math.max(...agreement)} grey level(s) of ours`,
      ours.failure && `ours: ${ours.failure}`, theirs.failure && `peer: ${theirs.failure}`].filter(Boolean).join("; ");
    lines.push(`| ${cellText(op.label)} | ${backend === "cpu" ? "CPU (wasm, 1 thread)" : "WebGPU on SwiftShader (software)"} | ` +
      `${ms(own)} | ${ms(peer)} | ${times(own && peer ? own / peer : null)} | ${ms(summary(ours).median)} | ` +
      `${ours.runs.length}/${theirs.runs.length} | ${cellText(note)} |`);
  }
  return [...lines, ""];
}

/// The physical limit's section: the peak, how it was measured.
function limitSection() {
  const record = results.get("cpu/wasm-peak");
  if (!record) return [];
  if (!record.runs.length) return ["## The physical limit", "", `The peak was not measured: ${record.failure ?? "no run"}.`, ""];
  const best = (key) => Math.max(...record.runs.map((r) => r[key]));
  const g = (rate) => `${(rate / 1e9).toFixed(1)} G`;
  const chains = Object.keys(record.runs[0].rates).filter((k) => k.startsWith("peak"))
    .map((k) => `${k.slice(4)} chains ${g(Math.max(...record.runs.map((r) => r.rates[k])))}`).join(", ");
  return ["## The physical limit", "",
    `This machine's single-thread WebAssembly SIMD peak, in this Chromium: **${g(best("macsPerSecond"))} multiply-adds/s** ` +
    `(a module built by the benchmark byte by byte, whose loop runs independent f32x4.mul + f32x4.add chains on locals, no ` +
    `memory traffic, timed over ${PEAK_SECONDS} s, best of ${PEAK_TRIALS} × ${record.runs.length}: ${chains}); with loads, a dot product over two ` +
    `8 KiB buffers (in L1), ${g(best("dotMacsPerSecond"))}/s. WebAssembly SIMD has no fused multiply-add (outside relaxed ` +
    "SIMD), so each costs two instructions, as in our wasm. In the CPU table, \"multiply-adds\" counts an operation's " +
    "products from the models' configs (formulas in `tests/e2e/bench.mjs`, `multiplyAdds`), \"at peak\" is their time at " +
    "that peak, and \"ours ÷ peak\" the engine's own time (the user's where there is none) over it.", ""];
}

function tables(report) {
  const lines = [];
  for (const backend of ["cpu", "webgpu"]) {
    const rows = OPERATIONS.filter((op) => !op.samplers && !op.limit && results.has(`${backend}/${op.id}`));
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
    // The CPU's tables also show the physical limit (see its section).
    const limit = backend === "cpu";
    if (rows.length) {
      lines.push(limit ? "| operation | median | min | runs | multiply-adds | at peak | ours ÷ peak | notes |" : "| operation | median | min | runs | notes |",
        limit ? "|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|");
      for (const op of rows) {
        const record = results.get(`${backend}/${op.id}`);
        const s = summary(record);
        const extra = limit ? ` ${limitCells(op.id, record, report.peak).join(" | ")} |` : "";
        lines.push(`| ${cellText(op.label)} | ${ms(s.median)} | ${ms(s.min)} | ${s.n}/${RUNS} |${extra} ${cellText(notes(record))} |`);
      }
      lines.push("");
    }
    if (sampled.length) {
      lines.push("Sampling, Sample clicked → \"done in\" shown (all snapshots drawn), the same seeds for both samplers:", "");
      lines.push(`| operation | windowed (previous): median | min | cached: median | min | ratio (medians) | runs |${limit ? " multiply-adds | at peak | cached ÷ peak |" : ""} notes |`,
        `|---|---|---|---|---|---|---|${limit ? "---|---|---|" : ""}---|`);
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
        const extra = limit ? ` ${limitCells(op.id, c, report.peak).join(" | ")} |` : "";
        lines.push(`| ${cellText(op.label)} | ${ms(sw?.median)} | ${ms(sw?.min)} | ${ms(sc?.median)} | ${ms(sc?.min)} | ${ratio} | ` +
          `${sw ? sw.n : "—"}/${sc ? sc.n : "—"} |${extra} ${cellText(note)} |`);
      }
      lines.push("");
    }
  }
  lines.push(...autoencoderTable(), ...decoderTable(), ...peerTable(report), ...limitSection());
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
// The peer from a second origin, which the site's service worker leaves alone.
const peerServer = await serve(PEER_DIR, { "/ort/": ORT_DIST });
const peerBase = `http://127.0.0.1:${peerServer.address().port}/`;
console.log(`serving ${pkg} at ${base}, the peer at ${peerBase}; ${RUNS} run(s) of each operation${ONLY ? `, only ${ONLY.source}` : ""}`);
const report = { date: new Date().toISOString(), runs: RUNS, only: ONLY?.source ?? null, sizes: [],
  loadBefore: loadavg()[0], peer: {}, peak: null };
let chromiumVersion = null;
try {
  report.sizes = await sizes();
  const built = await stat(join(pkg, "engine_worker_bg.wasm")).catch(() => null);
  report.built = built ? `${built.mtime.toISOString().slice(0, 16).replace("T", " ")} UTC` : null;
  const needs = (backend) => OPERATIONS.some((op) => wanted(backend, op.id));
  const decodeIds = (backend) => ["fashion-full-decode", "photo-full-decode", "photo-window-decode"].filter((id) => operation[id].backends.includes(backend));
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
      await guarded(decodeIds(backend), () => decodeSession(browser, base, peerBase, backend));
      if (backend === "cpu") {
        await guarded(["wasm-peak"], async () => {
          report.peak = await limitSession(browser);
        });
        await guarded([], () => autoencoderSession(browser, base));
        await guarded([], () => largeUploadSession(browser, base));
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
  peerServer.close();
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
if (failed.length) console.log(`bench: ${failed.length} operation(s) with a failure: ${failed.map((r) => [r.backend, r.id, r.sampler, r.peer && "peer"].filter(Boolean).join("/")).join(", ")}`);
process.exit(results.size === 0 ? 1 : 0);
