// Issue 16's check, as a user makes it: each held-out photograph (`scripts/install-photo-data.sh`:
// $VQ_LAB_CACHE/photos/held-out, sources no training folder uses) uploaded through the page at
// 256 px with the photo model on the CPU backend, and the PSNR the page's own error map shows.
// Prints one line per photograph, then the median and the worst, with the engine's times of the
// encode and of one edit (a Set code on the middle cell) as the page reports them; writes a
// screenshot of the lab after each upload into $OUT (default /tmp/page-psnr).
//
//   node tests/e2e/page-psnr.mjs            the site in pkg/ (trunk build --release)
//   VQ_LAB_PKG=/other/site node tests/e2e/page-psnr.mjs
//
// Not a test: it measures the shipped (or any) photo model in the page, it asserts nothing.

import { chromium } from "playwright-core";
import { readdir, readFile, mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { homedir } from "node:os";

import { BASE_ARGS, byId, executablePath, markVisited, pkg, serve } from "./harness.mjs";

const cache = process.env.VQ_LAB_CACHE ?? join(homedir(), ".cache", "vq-lab");
const heldOut = join(cache, "photos", "held-out");
const out = process.env.OUT ?? "/tmp/page-psnr";
const MIME = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg" };

const files = [];
for (const source of (await readdir(heldOut)).sort()) {
  for (const file of (await readdir(join(heldOut, source))).sort()) {
    if (MIME[extname(file).toLowerCase()]) files.push(join(heldOut, source, file));
  }
}
if (files.length === 0) throw new Error(`no photographs in ${heldOut}: run scripts/install-photo-data.sh`);
await mkdir(out, { recursive: true });

const server = await serve(pkg);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath, headless: true, args: BASE_ARGS });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.addInitScript(markVisited);
await page.goto(`${base}/?backend=cpu`);
await byId(page, "model-status").waitFor({ timeout: 120_000 });
await byId(page, "model-select").selectOption("photo");
await page.locator('[data-testid="model-status"][data-model="photo"]').waitFor({ timeout: 120_000 });

const rows = [];
for (const path of files) {
  const name = `${basename(join(path, ".."))}-${basename(path)}`;
  await byId(page, "file-input").setInputFiles({ name, mimeType: MIME[extname(path).toLowerCase()], buffer: await readFile(path) });
  await page.waitForFunction((n) => document.querySelector('[data-testid="encoded-info"]')?.textContent.startsWith(n + ":"), name,
    { timeout: 120_000 });
  await page.waitForFunction(() => /PSNR [\d.]+ dB/.test(document.querySelector('[data-testid="error-map"]')?.closest("figure")?.innerText ?? ""));
  const seen = await page.evaluate(() => ({
    caption: document.querySelector('[data-testid="error-map"]')?.closest("figure")?.innerText ?? "",
    info: document.querySelector('[data-testid="encoded-info"]')?.textContent ?? "",
    rows: Number(document.querySelector('[data-testid="heatmap"]')?.dataset.rows),
    cols: Number(document.querySelector('[data-testid="heatmap"]')?.dataset.cols),
  }));
  const psnr = Number(/PSNR ([\d.]+) dB/.exec(seen.caption)[1]);
  const encodeMs = Number(/encoded in ([\d.]+) ms/.exec(seen.info)?.[1]);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });

  // One edit: the middle cell set to another code, the engine's time of its decode.
  const [row, col] = [Math.floor(seen.rows / 2), Math.floor(seen.cols / 2)];
  const canvas = byId(page, "heatmap-canvas");
  const box = await canvas.boundingBox();
  await canvas.click({ position: { x: ((col + 0.5) / seen.cols) * box.width, y: ((row + 0.5) / seen.rows) * box.height } });
  await page.waitForFunction(([r, c]) => (document.querySelector('[data-testid="selected-cell"]')?.textContent ?? "")
    .startsWith(`Cell (${r}, ${c})`), [row, col]);
  const code = (Number(await byId(page, "code-input").inputValue()) + 1) % 512;
  await byId(page, "code-input").fill(String(code));
  await byId(page, "apply-code").click();
  await page.waitForFunction(([r, c, k]) =>
    document.querySelector('[data-testid="edit-time"]') && !document.querySelector('[data-testid="edit-pending"]') &&
    new RegExp(`^Cell \\(${r}, ${c}\\): code ${k} \\(edited`).test(document.querySelector('[data-testid="cell-info"]')?.textContent ?? ""),
  [row, col, code]);
  const editMs = Number(/last edit ([\d.]+) ms/.exec(await byId(page, "edit-time").innerText())?.[1]);
  rows.push({ name, psnr, encodeMs, editMs });
  console.log(`${name}: ${psnr.toFixed(1)} dB, grid ${seen.cols}×${seen.rows}, encoded in ${encodeMs} ms, an edit ${editMs} ms`);
}
const sorted = rows.map((r) => r.psnr).sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const middle = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`${rows.length} photographs at 256 px in the page (${pkg}): median ${median.toFixed(2)} dB, worst ${sorted[0].toFixed(1)} dB; ` +
  `encode median ${middle(rows.map((r) => r.encodeMs))} ms, an edit median ${middle(rows.map((r) => r.editMs))} ms (the engine's times)`);
await browser.close();
server.close();
