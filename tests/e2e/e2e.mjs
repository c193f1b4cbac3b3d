// End-to-end tests of the built site (tier 4 of DESIGN.md): serve pkg/ on localhost, drive
// Debian's headless Chromium with playwright-core (which never downloads a browser), find
// nodes by data-testid, save screenshots into tests/e2e/screenshots/.
//
//   node tests/e2e/e2e.mjs            (after `trunk build --release`)
//
// Environment: VQ_LAB_PKG (default <repo>/pkg), CHROMIUM (default /usr/bin/chromium),
// VQ_LAB_E2E_TIMEOUT_MS (default 180000: SwiftShader is slow).

import { createServer } from "node:http";
import { readFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const pkg = resolve(process.env.VQ_LAB_PKG ?? join(root, "pkg"));
const screenshots = join(here, "screenshots");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const timeout = Number(process.env.VQ_LAB_E2E_TIMEOUT_MS ?? 180000);

// The flags of DESIGN.md ("Headless Chromium with WebGPU, no GPU").
const BASE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SWIFTSHADER_ARGS = [
  "--enable-unsafe-webgpu",
  "--use-webgpu-adapter=swiftshader",
  "--enable-unsafe-swiftshader",
];

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

function serve(directory) {
  const server = createServer(async (request, response) => {
    let path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    // /broken/ is the site without the engine's worker script: the page must say so.
    if (path.startsWith("/broken/")) {
      if (path.endsWith("engine_worker_loader.js")) {
        response.writeHead(404).end("not found");
        return;
      }
      path = path.slice("/broken".length);
    }
    const file = normalize(join(directory, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(directory)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

let failures = 0;
function check(condition, message) {
  if (condition) {
    console.log(`    ok: ${message}`);
  } else {
    failures += 1;
    console.log(`    FAIL: ${message}`);
  }
}

async function withBrowser(args, body) {
  const userDataDir = await mkdtemp(join(tmpdir(), "vq-lab-e2e-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...BASE_ARGS, ...args],
    viewport: { width: 1100, height: 700 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
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
    reason: await byId(page, "backend-reason").innerText(),
    warmup: await byId(page, "warmup-time").innerText(),
    text: await badge.innerText(),
  };
}

async function scenario(title, args, body) {
  console.log(`  ${title}`);
  const started = Date.now();
  await withBrowser(args, body);
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
    check(badge.backend === "cpu" && badge.name === "CPU", "the badge says CPU");
    check(/WebGPU is unavailable/.test(badge.reason ?? ""), "the reason says WebGPU is unavailable");
    check(/warm-up \d+(\.\d)? ms/.test(badge.warmup ?? ""), "the warm-up time is shown");
    await page.screenshot({ path: join(screenshots, "cpu-no-adapter.png"), fullPage: true });
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("no WebGPU adapter, ?backend=webgpu: a notice, then CPU", [], async (page) => {
    const badge = await loadBadge(page, `${base}?backend=webgpu`);
    check(badge.backend === "cpu", "the badge says CPU");
    const notice = await byId(page, "backend-notice").innerText();
    check(/asked for with \?backend=webgpu/.test(notice), `the notice says why: ${notice}`);
    await page.screenshot({ path: join(screenshots, "forced-webgpu-unavailable.png"), fullPage: true });
  });

  await scenario("SwiftShader: a software adapter, the CPU backend by default", SWIFTSHADER_ARGS, async (page, errors) => {
    const badge = await loadBadge(page, base);
    console.log("    badge:", JSON.stringify(badge));
    check(badge.backend === "cpu", "the badge says CPU");
    check(badge.software === "true", "the adapter is recognised as a software fallback");
    check(/software fallback/.test(badge.adapter ?? ""), `the adapter line says so: ${badge.adapter}`);
    await page.screenshot({ path: join(screenshots, "swiftshader-default-cpu.png"), fullPage: true });
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("SwiftShader, ?backend=webgpu: WebGPU, then the switch back to CPU", SWIFTSHADER_ARGS, async (page, errors) => {
    const badge = await loadBadge(page, `${base}?backend=webgpu`);
    console.log("    badge:", JSON.stringify(badge));
    check(badge.backend === "webgpu" && badge.name === "WebGPU", "the badge says WebGPU");
    check(/software fallback/.test(badge.adapter ?? ""), "the software adapter is named");
    await page.screenshot({ path: join(screenshots, "swiftshader-forced-webgpu.png"), fullPage: true });
    await byId(page, "backend-switch").click();
    await page.waitForURL(/backend=cpu/);
    const after = await loadBadge(page, page.url());
    check(after.backend === "cpu", "the switch reloads on the CPU backend");
    check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  });

  await scenario("the worker's script is missing: a clear sentence", [], async (page) => {
    const result = await loadBadge(page, `${base}broken/`);
    check(/worker failed to start/.test(result.error ?? ""), `the page says so: ${result.error}`);
    await page.screenshot({ path: join(screenshots, "worker-missing.png"), fullPage: true });
  });

  await scenario("narrow screen, dark scheme", [], async (page) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.emulateMedia({ colorScheme: "dark" });
    await loadBadge(page, base);
    await page.screenshot({ path: join(screenshots, "narrow-dark-cpu.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!overflow, "nothing overflows horizontally");
  });
} finally {
  server.close();
}

if (failures > 0) {
  console.log(`e2e: ${failures} check(s) failed`);
  process.exit(1);
}
console.log("e2e: all checks passed");
