// Registers VQ Lab's service worker (sw.js) and tells the page when a new version of the site
// has taken over: a `vq-lab-update` event on window (and `window.vqLabUpdateReady`, for a
// page that starts listening later). The page then offers a reload; the session is kept.
if ("serviceWorker" in navigator) {
  // Whether a worker served this page before the change: the first visit's worker taking over
  // is not a new version.
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (controlled) {
      window.vqLabUpdateReady = true;
      window.dispatchEvent(new CustomEvent("vq-lab-update"));
    }
    controlled = true;
  });
  navigator.serviceWorker.register("sw.js").then((registration) => {
    // Look for a new build when the page comes back into view, and every half hour.
    const check = () => registration.update().catch(() => {});
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") check();
    });
    setInterval(check, 30 * 60 * 1000);
  }).catch((error) => console.warn("VQ Lab will not work offline: " + error));
}
