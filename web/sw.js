// The service worker: Healing Space opens with no network connection, and a patient's
// crisis panel still shows their safety plan and the crisis resources.
//
// What it keeps on the device, and nothing else:
//   - the app shell: the files of the web app (the list comes from /app-shell.json, most
//     at addresses that carry their content's hash), so the app opens offline; always
//     fetched from the network first (a hashed address from the browser's HTTP cache),
//     the copy only used when the network fails, so a new release is picked up at once;
//     a new release's install drops the copies of the hashed files it no longer names;
//   - the signed-in patient's latest safety plan (GET /api/safety-plan), network first,
//     the copy when offline. It is deleted on a 401 from that address, and the page
//     deletes it on sign-out and when someone else signs in (web/offline.js).
// Every other /api/ request goes straight to the network and is never stored: no other
// health data ever lands in a cache.

const SHELL_CACHE = 'hs-shell-v1';
const PLAN_CACHE = 'hs-plan-v1';
const PLAN_URL = '/api/safety-plan';
const APP_PAGE = '/index.html';
// `/views/home.0123456789abcdef.js`: a file at the address of its content's hash.
const HASHED = /\.[0-9a-f]{16}\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
  event.waitUntil(precacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

// Bumped each time the plan is forgotten: a plan fetch that was already on its way (say,
// when the person signed out) is then not stored, so it cannot come back afterwards.
let planGeneration = 0;

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'forget-plan') {
    planGeneration += 1;
    event.waitUntil(caches.delete(PLAN_CACHE));
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PLAN_URL && !url.search) {
    event.respondWith(planNetworkFirst(request));
    return;
  }
  // Health data: never stored, never answered from a copy.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;
  event.respondWith(shellNetworkFirst(request));
});

/** Every file of the app, as the server lists them; one missing file spoils nothing. */
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  let files = [];
  try {
    const response = await fetch('/app-shell.json', { cache: 'no-store' });
    if (response.ok) files = (await response.json()).files || [];
  } catch {
    /* offline at install: the files are cached as they are used instead */
  }
  const urls = [APP_PAGE, ...files.filter((file) => file !== APP_PAGE)];
  await Promise.all(urls.map(async (url) => {
    try {
      // A hashed address (src/web/assets.rs) never changes: the HTTP cache's copy is it.
      const response = await fetch(url, { cache: HASHED.test(url) ? 'default' : 'no-cache' });
      if (response.ok) await cache.put(url, response);
    } catch {
      /* cached later, when used */
    }
  }));
  if (files.length) await dropOtherReleases(cache, new Set(urls));
}

/** Copies of files at hashed addresses this release does not name: they are never asked for again. */
async function dropOtherReleases(cache, current) {
  const requests = await cache.keys();
  await Promise.all(requests
    .map((request) => new URL(request.url).pathname)
    .filter((path) => HASHED.test(path) && !current.has(path))
    .map((path) => cache.delete(path)));
}

async function dropOldCaches() {
  const keep = new Set([SHELL_CACHE, PLAN_CACHE]);
  const names = await caches.keys();
  await Promise.all(names.filter((name) => !keep.has(name)).map((name) => caches.delete(name)));
}

/**
 * The app's files: the network's answer (kept for later), or the copy when the network
 * fails. Every screen's address is the app itself (index.html; each screen's page only
 * preloads other modules), so a navigation offline gets the app, which shows the screen.
 */
async function shellNetworkFirst(request) {
  const navigation = request.mode === 'navigate';
  const key = navigation ? APP_PAGE : request;
  try {
    const response = await fetch(request);
    // A 404 page or an error is not the app: never stored over a good copy.
    if (response.ok && response.type === 'basic' && !isPartial(response)) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(key, copy)).catch(() => {});
    }
    return response;
  } catch (error) {
    const cached = await caches.match(key, { cacheName: SHELL_CACHE, ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

/** The patient's plan: the network's answer, or the latest copy when offline. */
async function planNetworkFirst(request) {
  const generation = planGeneration;
  try {
    const response = await fetch(request);
    if (response.status === 200 && generation === planGeneration) {
      const copy = response.clone();
      await (await caches.open(PLAN_CACHE)).put(PLAN_URL, copy);
      // Forgotten while it was being stored: forget it again.
      if (generation !== planGeneration) await caches.delete(PLAN_CACHE);
    } else if (response.status === 401 || response.status === 403) {
      planGeneration += 1;
      // Signed out (or not a patient): the plan must not stay on this device.
      await caches.delete(PLAN_CACHE);
    }
    return response;
  } catch (error) {
    const cached = await caches.match(PLAN_URL, { cacheName: PLAN_CACHE, ignoreVary: true });
    if (cached) return markedAsCopy(cached);
    throw error;
  }
}

/** The saved plan, marked so that the app can say it is the copy on this device. */
async function markedAsCopy(cached) {
  const plan = await cached.json();
  plan.offline_copy = true;
  return new Response(JSON.stringify(plan), {
    status: 200,
    headers: { 'Content-Type': 'application/json', ETag: cached.headers.get('ETag') || '' },
  });
}

function isPartial(response) {
  return response.status === 206;
}
