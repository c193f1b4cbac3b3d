// The training panel measured (issue 13; not a test): each preset run to its end in headless
// Chromium on the CPU backend, as a student would run it, with what the page shows: training
// images per second, the test PSNR after each evaluation against the wall-clock time since
// Start, perplexity and codes used at the end, and the main thread's long tasks (> 50 ms, the
// Long Tasks API) while the worker trains. Prints a line per preset; in bench/training.json
// the presets measured replace their earlier runs.
//
//   node tests/e2e/training-bench.mjs                  (after `trunk build --release`)
//   STEPS=600 PRESETS=recipe,collapse node tests/e2e/training-bench.mjs
//
// STEPS: steps of each run (default 1500, the presets' own); PRESETS: which, of recipe,
// collapse, ema (default all three). Nothing else should run on the machine while it measures.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cpus } from "node:os";
import { chromium } from "playwright-core";
import { BASE_ARGS, byId, executablePath, markVisited, pkg, root, serve } from "./harness.mjs";

const STEPS = Number(process.env.STEPS ?? 1500);
const PRESETS = (process.env.PRESETS ?? "recipe,collapse,ema").split(",");
const server = await serve(pkg);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath, args: BASE_ARGS });
const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
page.on("pageerror", (error) => console.log("pageerror:", String(error)));
await page.addInitScript(markVisited);
await page.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  // Every evaluation the panel shows, with the time it showed (ms since the page's start).
  window.__evaluations = [];
  new MutationObserver(() => {
    const shown = document.querySelector('[data-testid="training-evaluation"]');
    if (!shown) return;
    const step = Number(shown.dataset.step);
    if (window.__evaluations.at(-1)?.step === step) return;
    window.__evaluations.push({ at: performance.now(), step, psnr: Number(shown.dataset.psnr),
      perplexity: Number(shown.dataset.perplexity), codesUsed: Number(shown.dataset.codesUsed) });
  }).observe(document, { subtree: true, childList: true, attributes: true });
});
await page.goto(base);
await byId(page, "model-status").waitFor({ timeout: 120000 });
await byId(page, "open-training").click();
await page.waitForFunction(() => document.querySelector('[data-testid="training-status"]')?.dataset.status === "idle", null, { timeout: 120000 });

const runs = [];
for (const preset of PRESETS) {
  await byId(page, `preset-${preset}`).click();
  await page.locator('[data-testid="training-knobs"] summary').click();
  await byId(page, "knob-steps").fill(String(STEPS));
  await byId(page, "knob-steps").press("Tab");
  await page.locator('[data-testid="training-knobs"] summary').click();
  const started = await page.evaluate(() => {
    window.__evaluations = [];
    window.__speeds = [];
    return { at: performance.now(), longTasks: window.__longTasks.length };
  });
  await byId(page, "training-start").click();
  // The speed the status line shows, once a second.
  const speeds = [];
  for (;;) {
    await page.waitForTimeout(1000);
    const status = await page.evaluate(() => {
      const line = document.querySelector('[data-testid="training-status"]');
      return { status: line?.dataset.status, step: Number(line?.dataset.step), speed: Number(line?.dataset.imagesPerSecond) };
    });
    if (status.status === "running" && status.speed > 0) speeds.push(status.speed);
    if (status.status !== "running" && status.step >= STEPS) break;
    if (status.status === "failed" || status.status === "paused") throw new Error(`${preset}: the run stopped (${status.status})`);
  }
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="training-evaluation"]')?.dataset.step) === n, STEPS, { timeout: 60000 });
  const seen = await page.evaluate((from) => ({
    evaluations: window.__evaluations.map((e) => ({ ...e, seconds: (e.at - from.at) / 1000 })),
    longTasks: window.__longTasks.slice(from.longTasks).map((t) => `${Math.round(t.duration)} ms at ${((t.start - from.at) / 1000).toFixed(1)} s`),
    seconds: (performance.now() - from.at) / 1000,
  }), started);
  const last = seen.evaluations.at(-1);
  const within2min = seen.evaluations.filter((e) => e.seconds <= 120).at(-1);
  const sorted = [...speeds].sort((a, b) => a - b);
  const run = {
    preset, steps: STEPS, seconds: seen.seconds, medianImagesPerSecond: sorted[Math.floor(sorted.length / 2)] ?? null,
    last, within2min, longTasks: seen.longTasks, evaluations: seen.evaluations,
  };
  runs.push(run);
  console.log(`${preset}: ${STEPS} steps in ${run.seconds.toFixed(0)} s, median ${run.medianImagesPerSecond?.toFixed(0)} images/s; ` +
    `at the end ${last.psnr.toFixed(2)} dB, perplexity ${last.perplexity.toFixed(1)}, ${last.codesUsed} codes used; ` +
    `within 2 min ${within2min ? `${within2min.psnr.toFixed(2)} dB (step ${within2min.step}, ${within2min.seconds.toFixed(0)} s)` : "no evaluation"}; ` +
    `main-thread tasks over 50 ms: ${seen.longTasks.length ? seen.longTasks.join(", ") : "none"}`);
}
await browser.close();
server.close();

// The runs of the presets measured now replace theirs in bench/training.json; the others stay.
await mkdir(join(root, "bench"), { recursive: true });
const file = join(root, "bench", "training.json");
const kept = await readFile(file, "utf8").then((text) => JSON.parse(text).runs ?? [], () => []);
const machine = { cpus: cpus().length, model: cpus()[0]?.model, chromium: executablePath };
const date = new Date().toISOString();
const merged = [
  ...kept.filter((old) => !runs.some((run) => run.preset === old.preset)),
  ...runs.map((run) => ({ ...run, date, machine })),
];
await writeFile(file, JSON.stringify({ runs: merged }, null, 2) + "\n");
const recipe = merged.find((run) => run.preset === "recipe" && run.steps === STEPS);
const collapse = merged.find((run) => run.preset === "collapse" && run.steps === STEPS);
if (recipe && collapse) {
  console.log(`collapse / recipe perplexity after ${STEPS} steps: ${(collapse.last.perplexity / recipe.last.perplexity).toFixed(2)}`);
}
console.log(`written: bench/training.json`);
