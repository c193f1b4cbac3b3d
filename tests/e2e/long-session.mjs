// A long session on the photo model, measured (not a test): EDITS edits (default 300) through
// the code entry, then the main thread's long tasks (> 50 ms) around the session's save after
// one more edit, the history kept in IndexedDB, and a reload: when the image and its history
// show again, and when the model is ready.
//
//   EDITS=1500 node tests/e2e/long-session.mjs      (after `trunk build --release`)
import { chromium } from "playwright-core";
import { serve, BASE_ARGS, markVisited, pkg } from "./harness.mjs";
const N = Number(process.env.EDITS ?? 300);
const server = await serve(pkg);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: BASE_ARGS });
const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
const page = await context.newPage();
page.on("pageerror", (e) => console.log("pageerror:", String(e)));
// A returning visit: no example encoded by itself, no tour.
await page.addInitScript(markVisited);
await page.addInitScript(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); })
    .observe({ type: "longtask", buffered: true });
});
const byId = (id) => page.locator(`[data-testid="${id}"]`);
await page.goto(base);
await page.locator("select").first().selectOption("photo");
await page.waitForFunction(() => /Model photo loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""), null, { timeout: 120000 });
await byId("example").first().click();
await page.waitForFunction(() => document.querySelector('[data-testid="encoded-info"]'), null, { timeout: 120000 });
const canvas = byId("heatmap-canvas");
const box = await canvas.boundingBox();
const started = Date.now();
for (let i = 0; i < N; i++) {
  const x = box.x + ((i * 7) % 64 + 0.5) * box.width / 64, y = box.y + ((i * 13) % 42 + 0.5) * box.height / 42;
  await page.mouse.click(x, y);
  await byId("code-input").fill(String((i * 37) % 512));
  await byId("apply-code").click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="edit-pending"]'));
}
console.log(`${N} edits in ${((Date.now() - started) / 1000).toFixed(1)} s`);
await page.waitForTimeout(1500);
await page.evaluate(() => { window.longTasks = []; });
// One more edit, then the save that follows it.
await page.mouse.click(box.x + 5, box.y + 5);
await byId("code-input").fill("3");
await byId("apply-code").click();
await page.waitForTimeout(1500);
const tasks = await page.evaluate(() => window.longTasks);
const stored = await page.evaluate(() => new Promise((resolve) => {
  const open = indexedDB.open("vq-lab", 1);
  open.onsuccess = () => {
    const get = open.result.transaction("session").objectStore("session").get("current");
    get.onsuccess = () => {
      const image = get.result.image;
      let bytes = 0;
      for (const edit of image.done) bytes += edit.patch.rgba.byteLength + edit.before_pixels.byteLength;
      resolve({ done: image.done.length, historyBytes: bytes });
    };
  };
}));
console.log("stored:", JSON.stringify(stored), "long tasks after one edit (ms):", JSON.stringify(tasks.map(Math.round)));
const reloadStarted = Date.now();
await page.reload();
await page.waitForFunction(() => document.querySelector('[data-testid="session-restored"]') && document.querySelector('[data-testid="reconstruction"]'), null, { timeout: 120000 });
const shown = Date.now() - reloadStarted;
await page.waitForFunction(() => /Model photo loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""), null, { timeout: 120000 });
console.log(`reload: image and history shown in ${shown} ms, model ready in ${Date.now() - reloadStarted} ms;`, await byId("session-restored").innerText());
await browser.close(); server.close();
