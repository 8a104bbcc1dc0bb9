/* The service worker of the installable app, served from the site's root as /sw.js (offline/views.py puts
   `const CONFIG = {...}` before this file: days a kept page may be shown, the outbox path, the offline page's text).

   It never writes a cache itself: the page script (static/pwa/offline.js) decides which pages of which user are kept,
   in a cache named after the user, and removes them at sign-out. So after signing out nothing is left, whatever the
   worker does. It only answers from those caches when the network fails:
   - every GET of this site goes to the network first (online, nothing changes: the server decides everything);
   - when the network fails (or is slower than NETWORK_TIMEOUT_MS) it answers from a kept copy younger than
     CONFIG.days; with no kept copy a slow answer is still awaited;
   - a page that was not kept gets a short offline page with a link to the outbox.
   The API and the admin are never answered from a cache. */
"use strict";

const NETWORK_TIMEOUT_MS = 10000;
const KEPT_AT = "X-Offline-Kept-At"; // set by offline.js when it keeps a copy (milliseconds since 1970)

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function fresh(response) {
  const kept = Number(response.headers.get(KEPT_AT) || 0);
  return kept > 0 && Date.now() - kept < CONFIG.days * 24 * 3600 * 1000;
}

async function fromCache(request) {
  let hit = await caches.match(request, { ignoreVary: true });
  if (!hit && request.mode === "navigate") {
    // The visit form is kept as linked from the worklist (?next=worklist); the archive page links it without.
    hit = await caches.match(request, { ignoreVary: true, ignoreSearch: true });
  }
  return hit && fresh(hit) ? hit : null;
}

function offlinePage() {
  const lang = (self.navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh-hans" : "en";
  const text = CONFIG.pages[lang];
  const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const html =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(text.title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;padding:1rem"><p>${esc(text.body)}</p>` +
    `<p><a href="${esc(CONFIG.outbox)}">${esc(text.link)}</a></p></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function networkFirst(request) {
  const network = fetch(request);
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch (error) {
    const hit = await fromCache(request);
    if (hit) return hit;
    if (error.message === "timeout") {
      // Slow, and nothing kept: keep waiting for the network (a long export, say).
      try {
        return await network;
      } catch (ignored) {
        // fall through: offline
      }
    }
    if (request.mode === "navigate") return offlinePage();
    return Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/admin/") || url.pathname === "/sw.js") return;
  event.respondWith(networkFirst(request));
});
