// What the benchmark (bench.mjs) shares with the end-to-end tests (e2e.mjs, which keeps its own
// copy): the site served from pkg/ on localhost, Debian's Chromium and its flags, nodes found by
// data-testid, and PNG files written in memory.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const pkg = resolve(process.env.VQ_LAB_PKG ?? join(root, "pkg"));
export const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

// The flags of DESIGN.md ("Headless Chromium with WebGPU, no GPU"), as in e2e.mjs.
export const BASE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const SWIFTSHADER_ARGS = [
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

/// Serves `directory` on 127.0.0.1 (a free port); resolves to the server. `mounts` maps a
/// path prefix (`/ort/`) to another directory served under it. Every answer allows any origin
/// (the benchmark's peer is served from a second origin, which the site's service worker
/// leaves alone, and loaded into the site's page).
export function serve(directory, mounts = {}) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    const [prefix, base] = Object.entries(mounts).find(([p]) => path.startsWith(p)) ?? ["/", directory];
    const rest = "/" + path.slice(prefix.length);
    const file = normalize(join(base, rest.endsWith("/") ? rest + "index.html" : rest));
    if (!file.startsWith(base)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream",
        "access-control-allow-origin": "*" });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

export const byId = (page, id) => page.locator(`[data-testid="${id}"]`);

/// An init script (`page.addInitScript(markVisited)`) that makes the page a returning visit's
/// (src/ui/first_visit.rs): it encodes no example by itself and shows no tour. Self-contained:
/// Playwright runs its source in the page before the page's scripts.
export function markVisited() {
  try {
    localStorage.setItem("vq-lab-visited", "1");
    localStorage.setItem("vq-lab-tour", "done");
  } catch {
    // A frame without storage (about:blank): nothing to mark.
  }
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/// A PNG (8-bit RGB) of `width × height` from `pixel(x, y) -> [r, g, b]`.
export function png(width, height, pixel) {
  const chunk = (kind, body) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(kind, "ascii"), body]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, tail]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 3 * width)] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b], y * (1 + 3 * width) + 1 + 3 * x);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/// A photo-like upload the app was not written for: a dark, slightly blue sneaker-ish shape on a
/// light, non-square, noisy background (so the app must crop, resize and invert it).
export function darkShoeOnWhite() {
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 24;
  return png(150, 120, (x, y) => {
    const sole = y > 78 && y < 90 && x > 25 && x < 128;
    const upper = y > 40 && y <= 78 && x > 30 && x < 30 + (y - 30) * 1.6 && x < 125;
    const shaft = y > 22 && y <= 78 && x > 40 && x < 75;
    if (sole) return [20, 20, 30];
    if (upper || shaft) return [60 + noise(), 62 + noise(), 90 + noise()];
    return [235 - noise(), 232 - noise(), 228 - noise()];
  });
}

/// An 8000×6000 JPEG (a camera's photograph, 48 megapixels: a gradient and 80 coloured
/// rectangles) made in `page` by an OffscreenCanvas's encoder, as bytes for a file input.
export async function largeJpeg(page) {
  const base64 = await page.evaluate(async () => {
    const [width, height] = [8000, 6000];
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    const gradient = context.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, "#2a6f4e");
    gradient.addColorStop(1, "#d0904a");
    context.fillStyle = gradient;
    context.fillRect(0, 0, width, height);
    for (let k = 0; k < 80; k++) {
      context.fillStyle = `hsl(${(k * 37) % 360} 60% ${30 + (k % 5) * 10}%)`;
      context.fillRect((k * 733) % (width - 600), (k * 977) % (height - 450), 600, 450);
    }
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
    return btoa(text);
  });
  return Buffer.from(base64, "base64");
}
