// Issue 16's check, as a user makes it: each held-out photograph (`scripts/install-photo-data.sh`:
// $VQ_LAB_CACHE/photos/held-out, sources no training folder uses) uploaded through the page at
// 256 px with the photo model on the CPU backend, and the PSNR the page's own error map shows.
// Prints one line per photograph, then the median and the worst, and the encode time the page
// reports; writes a screenshot of the lab after each upload into $OUT (default /tmp/page-psnr).
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
  rows.push({ name, psnr, grid: `${seen.cols}×${seen.rows}`, info: seen.info });
  console.log(`${name}: ${psnr.toFixed(1)} dB, grid ${seen.cols}×${seen.rows}; ${seen.info.slice(0, 160)}`);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}
const sorted = rows.map((r) => r.psnr).sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(`${rows.length} photographs at 256 px in the page (${pkg}): median ${median.toFixed(2)} dB, worst ${sorted[0].toFixed(1)} dB`);
await browser.close();
server.close();
