/* The phone side of offline visits (issue 17). Plain JavaScript, no build step; settings and messages come from the
   server in the page's <script type="application/json" id="offline-config"> (offline/config.py).

   - Registers the service worker (/sw.js, scope "/"), which answers from the kept pages when the network fails.
   - On the worklist, online: keeps a copy of the start page (the app's start_url), the worklist, the outbox page,
     and the archive summary and visit form of every child linked from it, in the cache "care-u<user id>" (each copy
     stamped with the time it was kept; copies older than OFFLINE_CACHE_DAYS are removed and never shown).
   - On the visit form, offline (or "online" but the server does not answer a small request within 5 s): the submit
     is caught and the visit (with its photos, made smaller to fit the size cap) is kept in IndexedDB
     ("care-offline-u<user id>", store "outbox") under a key made on the phone.
   - Sends the outbox to the visits endpoint of the API (POST /api/v1/visits/, multipart, the session and its CSRF
     token, the key as client_key) on page load and when the connection returns. The endpoint goes through the same
     access gate, checks and history as the web form; the key makes a resend a replay, never a second visit. A visit
     the server refuses stays in the outbox with the server's reason until the director discards it.
   - Sign-out: warns if visits are unsent, then deletes every cache and this user's outbox before signing out.
     Signing in as another user removes the kept pages of the previous one (their unsent visits stay, unseen, for
     when they sign in again). */
(function () {
  "use strict";

  const configElement = document.getElementById("offline-config");
  if (!configElement) return;
  const C = JSON.parse(configElement.textContent);
  const T = C.text || {};
  const CACHE_PREFIX = "care-u";
  const KEPT_AT = "X-Offline-Kept-At";
  const DAY_MS = 24 * 3600 * 1000;
  const PROBE_TIMEOUT_MS = 5000;
  const zh = (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");

  if ("serviceWorker" in navigator && C.sw) {
    navigator.serviceWorker.register(C.sw, { scope: "/" }).catch(() => {});
  }
  if (!C.user) return; // signed out: nothing of anybody's is kept or shown

  const CACHE = CACHE_PREFIX + C.user;
  const DB_NAME = "care-offline-u" + C.user;
  const STORE = "outbox";
  let leaving = false; // set at sign-out: nothing more is written
  let keeping = Promise.resolve();

  const fill = (text, values) => String(text || "").replace(/%\((\w+)\)s/g, (m, k) => (k in values ? values[k] : m));

  // --- IndexedDB: the outbox ------------------------------------------------------------------------------------

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "key" });
        open.onsuccess = () => {
          const conn = open.result;
          conn.onversionchange = () => conn.close(); // another tab deletes it (sign-out): let it
          resolve(conn);
        };
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }

  async function tx(mode, work) {
    const conn = await db();
    return new Promise((resolve, reject) => {
      const t = conn.transaction(STORE, mode);
      const result = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const outboxAll = () => tx("readonly", (s) => s.getAll());
  const outboxPut = (item) => tx("readwrite", (s) => s.put(item));
  const outboxDelete = (key) => tx("readwrite", (s) => s.delete(key));

  async function outboxExists() {
    if (indexedDB.databases) {
      const names = (await indexedDB.databases()).map((d) => d.name);
      return names.includes(DB_NAME);
    }
    return true;
  }

  async function pending() {
    return (await outboxExists()) ? outboxAll() : [];
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // --- Kept pages -----------------------------------------------------------------------------------------------

  async function keep(cache, url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    // The start page ("/") sends each role on to its own page: kept under "/", so the app opens offline too.
    if (!response.ok || (response.redirected && url !== C.home) || leaving) return;
    const headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    const body = await response.blob();
    if (leaving) return;
    await cache.put(url, new Response(body, { status: response.status, headers }));
  }

  async function keepWorklist() {
    const child = new RegExp(C.patterns.child);
    const visit = new RegExp(C.patterns.visit);
    const urls = new Set([C.home, C.worklist, C.outbox, ...C.static]);
    // This page's own stylesheets, scripts and icons: whatever the base template loads, offline pages load too.
    const assets = 'link[rel="stylesheet"], link[rel="apple-touch-icon"], link[rel="manifest"], script[src]';
    document.querySelectorAll(assets).forEach((el) => {
      const url = new URL(el.href || el.src, location.href);
      if (url.origin === location.origin) urls.add(url.pathname + url.search);
    });
    document.querySelectorAll("main a[href]").forEach((a) => {
      const url = new URL(a.href, location.href);
      if (url.origin === location.origin && (child.test(url.pathname) || visit.test(url.pathname))) {
        urls.add(url.pathname + url.search);
      }
    });
    const cache = await caches.open(CACHE);
    const queue = Array.from(urls);
    const worker = async () => {
      while (queue.length && !leaving) {
        const url = queue.shift();
        try {
          await keep(cache, url);
        } catch (error) {
          // the network went away mid-way: what was kept stays
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    document.documentElement.dataset.offlineKept = String(urls.size);
  }

  async function pruneCaches() {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name); // another user's pages, or an older scheme
    }
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const kept = Number((response && response.headers.get(KEPT_AT)) || 0);
      if (!kept || Date.now() - kept > C.days * DAY_MS) await cache.delete(request);
    }
  }

  // --- Photos within the size cap -------------------------------------------------------------------------------

  function canvasBlob(canvas, quality) {
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }

  async function fit(file) {
    if (!/^image\/(jpeg|png)$/.test(file.type)) throw new Error(T.photo_kind);
    if (file.size <= C.photoMax) return { name: file.name || "photo", type: file.type, blob: file };
    const image = await createImageBitmap(file);
    for (const side of [2048, 1600, 1280, 1024, 800]) {
      const scale = Math.min(1, side / Math.max(image.width, image.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      const blob = await canvasBlob(canvas, 0.8);
      if (blob && blob.size <= C.photoMax) return { name: "photo.jpg", type: "image/jpeg", blob };
    }
    throw new Error(T.photo_too_large);
  }

  // --- The visit form, offline ----------------------------------------------------------------------------------

  function showErrors(form, errors) {
    form.querySelectorAll(".offline-error").forEach((e) => e.remove());
    let first = null;
    for (const [name, message] of errors) {
      const p = document.createElement("p");
      p.className = "error offline-error";
      p.setAttribute("role", "alert");
      p.textContent = message;
      const input = name && form.querySelector(`[name="${name}"]`);
      const field = input && input.closest(".field");
      if (field) field.appendChild(p);
      else form.prepend(p);
      first = first || p;
    }
    if (first) first.scrollIntoView({ block: "center" });
  }

  async function reachable() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
    try {
      await fetch(C.sw, { cache: "no-store", signal: controller.signal }); // small, no database; any answer will do
      return true;
    } catch (error) {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  function catchVisitForm(childId) {
    const form = document.querySelector('main form[method="post"][enctype="multipart/form-data"]');
    if (!form) return;
    form.dataset.offline = "ready";
    let busy = false; // a second tap while the first is being handled makes nothing
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      let leavingPage = false;
      try {
        leavingPage = await submitted();
      } finally {
        busy = leavingPage; // the page is being left: stay busy
      }
    });

    /** Handles one submit; true when the page is being left (posted, or kept and off to the outbox). */
    async function submitted() {
      // "Online" on a phone may still mean no data gets through (a weak signal): ask the server first, briefly.
      // If it answers, the web form is posted as always; if not, the visit is kept in the outbox.
      if (navigator.onLine && (await reachable())) {
        form.submit();
        return true;
      }
      const data = new FormData(form);
      const fields = {};
      const household = [];
      const files = [];
      for (const [name, value] of data.entries()) {
        if (name === "csrfmiddlewaretoken" || name === "next") continue;
        if (name === "household") household.push(value);
        else if (name === "photos") {
          if (value && value.size) files.push(value);
        } else fields[name] = value;
      }
      // The least each kind must say, from visits.rules (the server checks it again on arrival).
      const missing = (C.required[fields.kind] || []).filter((n) => !String(fields[n] || "").trim());
      if (missing.length) {
        showErrors(form, missing.map((n) => [n, C.requiredText[n]]));
        return;
      }
      if (files.length > C.maxPhotos) {
        showErrors(form, [["photos", T.too_many_photos]]);
        return;
      }
      let photos;
      try {
        photos = await Promise.all(files.map(fit));
      } catch (error) {
        showErrors(form, [["photos", error.message || T.photo_too_large]]);
        return;
      }
      const heading = document.querySelector("main h1");
      const item = {
        key: newKey(),
        child: Number(childId),
        label: heading ? heading.textContent.trim() : "",
        fields,
        household,
        photos,
        keptAt: Date.now(),
        status: "waiting",
        reason: null,
      };
      try {
        await outboxPut(item);
      } catch (error) {
        showErrors(form, [["", T.not_saved]]);
        return;
      }
      const harm = fields.harm_found === "on" ? "&harm=1" : "";
      location.href = `${C.outbox}#saved${harm}`;
      return true;
    }
  }

  // --- Sending ----------------------------------------------------------------------------------------------------

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.split("=")[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function reasonOf(answer) {
    const error = (answer && answer.error) || {};
    const pick = (o) => (zh ? o.message_zh : o.message_en) || o.message_en || "";
    const lines = [];
    for (const items of Object.values(error.fields || {})) for (const item of items) lines.push(pick(item));
    const summary = error.code === "not_found" ? T.not_found : pick(error);
    return { code: error.code || "", summary, fields: lines };
  }

  const harmReports = []; // visits sent from here that found harm: their report is still to be filed
  let sending = null;
  function send() {
    if (!sending) sending = sendAll().finally(() => (sending = null));
    return sending;
  }

  async function sendAll() {
    if (!navigator.onLine || leaving) return;
    let sent = 0;
    for (const item of await pending()) {
      if (item.status !== "waiting" || leaving) continue;
      const body = new FormData();
      body.append("client_key", item.key);
      body.append("child", String(item.child));
      for (const [name, value] of Object.entries(item.fields)) body.append(name, value);
      for (const id of item.household) body.append("household", id);
      for (const photo of item.photos) body.append("photos", photo.blob, photo.name);
      let response;
      try {
        response = await fetch(C.api, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "Idempotency-Key": item.key, Accept: "application/json" },
        });
      } catch (error) {
        break; // no connection after all: later
      }
      if (response.status === 200 || response.status === 201) {
        if (item.fields.harm_found === "on") {
          // As the web form does: a visit that found harm leads straight to the mandatory report.
          const made = await response.json().catch(() => null);
          const visit = made && made.visits && made.visits[0];
          if (visit) harmReports.push({ child: item.child, visit: visit.id, label: item.label });
        }
        await outboxDelete(item.key);
        sent += 1;
        continue;
      }
      let answer = null;
      try {
        answer = await response.json();
      } catch (error) {
        answer = null;
      }
      const reason = reasonOf(answer);
      const csrf = response.status === 403 && /CSRF/i.test(reason.summary);
      if (response.status === 401 || csrf) {
        // The session ended (or its token changed): kept until this user signs in again.
        item.signIn = true;
        await outboxPut(item);
        break;
      }
      if (response.status === 429 || response.status >= 500) break; // the server's trouble: later
      item.status = "refused"; // 400, 403, 404, 409: the server will not take it as it is; the director decides
      item.reason = reason;
      item.signIn = false;
      await outboxPut(item);
    }
    await showState(sent);
  }

  // --- What the director sees -------------------------------------------------------------------------------------

  function banner() {
    let el = document.getElementById("offline-banner");
    if (!el) {
      el = document.createElement("div");
      el.id = "offline-banner";
      el.setAttribute("role", "status");
      const main = document.querySelector("main") || document.body;
      main.prepend(el);
    }
    return el;
  }

  function line(parent, text, className, tag) {
    const p = document.createElement(tag || "p");
    if (className) p.className = className;
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  async function showState(sent) {
    const items = await pending();
    const waiting = items.filter((i) => i.status === "waiting").length;
    const refused = items.filter((i) => i.status === "refused").length;
    const el = banner();
    el.replaceChildren();
    if (!navigator.onLine) line(el, T.offline, "msg warning offline-state");
    if (sent) line(el, fill(T.sent, { n: sent }), "msg");
    for (const report of harmReports) {
      const p = line(el, `${report.label}: ${T.harm_sent} `, "msg error harm-report");
      const a = document.createElement("a");
      a.href = `${C.reportNew}?child=${Number(report.child)}&visit=${Number(report.visit)}`;
      a.textContent = T.file_report;
      p.appendChild(a);
    }
    const onOutbox = location.pathname === C.outbox;
    if (waiting || refused) {
      const p = line(el, "", refused ? "msg error" : "msg warning");
      const parts = [];
      if (waiting) parts.push(fill(T.waiting, { n: waiting }));
      if (refused) parts.push(fill(T.refused, { n: refused }));
      p.textContent = parts.join(" ");
      if (!onOutbox) {
        const a = document.createElement("a");
        a.href = C.outbox;
        a.textContent = T.open_outbox;
        p.append(" ", a);
      }
    }
    document.documentElement.dataset.outbox = String(items.length);
    // The menu's outbox link and the 我的 tab count what waits or was refused; no badge while there is nothing.
    document.querySelectorAll(".outbox-count").forEach((badge) => {
      badge.textContent = String(items.length);
      badge.hidden = items.length === 0;
    });
    if (onOutbox) renderOutbox(items);
    markWorklist(items);
  }

  function markWorklist(items) {
    // On the worklist: a child whose visit waits in the outbox says so (the server does not know of it yet).
    document.querySelectorAll(".offline-tag").forEach((e) => e.remove());
    for (const item of items) {
      for (const id of [item.child, ...item.household]) {
        document.querySelectorAll(`.work-row[data-child="${Number(id)}"]`).forEach((row) => {
          const place = row.querySelector("div") || row;
          const tag = line(place, item.status === "refused" ? T.status_refused : T.status_waiting, "offline-tag");
          tag.classList.add(item.status === "refused" ? "error" : "warn");
        });
      }
    }
  }

  function renderOutbox(items) {
    const list = document.getElementById("outbox-list");
    if (!list) return;
    list.replaceChildren();
    if (!items.length) line(list, T.empty, "card hint", "li");
    items.sort((a, b) => a.keptAt - b.keptAt);
    for (const item of items) {
      const li = document.createElement("li");
      li.className = "card outbox-item " + item.status;
      li.dataset.key = item.key;
      li.dataset.photos = String(item.photos.length);
      line(li, item.label, "", "strong");
      const when = new Date(item.keptAt).toLocaleString(zh ? "zh-CN" : "en");
      const facts = [String(item.fields.visited_at || "").replace("T", " "), fill(T.kept_at, { when })];
      if (item.photos.length) facts.push(fill(T.photos, { n: item.photos.length }));
      if (item.household.length) facts.push(fill(T.household, { n: item.household.length }));
      line(li, facts.join(" · "), "small");
      let status = T.status_waiting;
      if (item.status === "refused") status = T.status_refused;
      else if (item.signIn) status = T.status_signin;
      line(li, status, "status " + item.status);
      if (item.status === "refused" && item.reason) {
        line(li, item.reason.summary, "error");
        const ul = document.createElement("ul");
        item.reason.fields.forEach((f) => line(ul, f, "error", "li"));
        li.appendChild(ul);
      }
      const actions = document.createElement("div");
      actions.className = "actions";
      if (item.status === "refused") {
        const retry = document.createElement("button");
        retry.type = "button";
        retry.textContent = T.retry;
        retry.addEventListener("click", async () => {
          item.status = "waiting";
          item.reason = null;
          await outboxPut(item);
          await send();
          await showState(0);
        });
        actions.appendChild(retry);
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link";
        discard.textContent = T.discard;
        discard.addEventListener("click", async () => {
          if (!window.confirm(T.discard_confirm)) return;
          await outboxDelete(item.key);
          await showState(0);
        });
        actions.appendChild(discard);
      }
      li.appendChild(actions);
      list.appendChild(li);
    }
  }

  function outboxPage() {
    if (location.pathname !== C.outbox) return;
    const button = document.getElementById("outbox-send");
    if (button) button.addEventListener("click", () => send());
    if (location.hash.startsWith("#saved")) {
      const note = document.getElementById("outbox-note");
      if (note) {
        line(note, T.saved, "msg");
        if (location.hash.includes("harm=1")) line(note, T.harm, "msg error");
      }
      history.replaceState(null, "", C.outbox);
    }
  }

  // --- Sign-out ---------------------------------------------------------------------------------------------------

  async function clearEverything() {
    leaving = true;
    await keeping.catch(() => {});
    for (const name of await caches.keys()) await caches.delete(name);
    if (dbPromise) {
      (await dbPromise.catch(() => null))?.close();
      dbPromise = null;
    }
    await new Promise((resolve) => {
      const del = indexedDB.deleteDatabase(DB_NAME);
      del.onsuccess = del.onerror = del.onblocked = () => resolve();
    });
  }

  function catchSignOut() {
    document.querySelectorAll("form").forEach((form) => {
      if (new URL(form.action, location.href).pathname !== C.logout) return;
      form.addEventListener("submit", async (event) => {
        if (form.dataset.cleared) return;
        event.preventDefault();
        if (navigator.onLine) await send().catch(() => {});
        const unsent = (await pending()).length;
        if (unsent && !window.confirm(fill(T.logout_warn, { n: unsent }))) return;
        await clearEverything();
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  }

  // --- Start --------------------------------------------------------------------------------------------------------

  catchSignOut();
  const visitMatch = location.pathname.match(new RegExp(C.patterns.visit));
  if (visitMatch) catchVisitForm(visitMatch[1]);
  outboxPage();
  const start = async () => {
    await pruneCaches();
    if (navigator.onLine && location.pathname === C.worklist) {
      keeping = keepWorklist();
      await keeping;
    }
  };
  start().catch(() => {});
  showState(0)
    .then(() => send())
    .catch(() => {});
  window.addEventListener("online", () => send().catch(() => {}));
  window.addEventListener("offline", () => showState(0).catch(() => {}));
})();
