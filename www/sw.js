// VQ Lab's service worker: keeps the site and the models for use without a network.
// Network first (so a new build is picked up when online), the cache when the network fails.
// One cache per build (its id written here by scripts/trunk-post-build.sh): a new build starts
// a new cache, and the old ones are removed once it takes over. Nothing here goes to another
// origin; the cache holds only this site's files.
const BUILD = "__VQ_LAB_BUILD__";
const PREFIX = "vq-lab-";
const CACHE = PREFIX + BUILD;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok) await cache.put(event.request, response.clone());
      return response;
    } catch (error) {
      const cached = await cache.match(event.request, { ignoreSearch: true });
      if (cached) return cached;
      throw error;
    }
  })());
});
