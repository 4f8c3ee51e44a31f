// The service worker (issue 16), served at /sw.js with PRECACHE, APP_CSS and CACHE_VERSION
// written in front of this file by the server (src/pwa/serviceWorker.ts).
//
// - Fingerprinted assets (/static/…): from the cache, fetched once; they never change.
// - The pages a player needs at the table (the leaderboard, the record form, games and
//   scorepads): always from the network when there is one, a copy kept each time. With no
//   connection, the copy is shown with a banner "Offline: last updated 20:31", never as if
//   it were current.
// - Nothing else: every other request (forms sent, /events) goes to the network untouched.
/* global PRECACHE, APP_CSS, CACHE_VERSION */
const ASSETS_CACHE = `assets-${CACHE_VERSION}`;
const PAGES_CACHE = 'pages-v1';
const OFFLINE_PAGES = [/^\/$/, /^\/hands\/new$/, /^\/games$/, /^\/games\/new$/, /^\/games\/\d+$/];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(ASSETS_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('assets-') && key !== ASSETS_CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

const keptPage = (url) => url.origin === self.location.origin && OFFLINE_PAGES.some((page) => page.test(url.pathname));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) event.respondWith(fromCacheFirst(request));
  else if (request.mode === 'navigate' && keptPage(url)) event.respondWith(fromNetworkFirst(event, request));
});

// The first visit to a page happens before this worker controls it: the page asks for its copy.
self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type !== 'keep-page' || typeof data.url !== 'string') return;
  const url = new URL(data.url);
  if (!keptPage(url)) return;
  event.waitUntil(
    fetch(url.href, { credentials: 'same-origin', headers: { 'X-Live-Refresh': '1' } })
      .then((response) => keep(url.href, response))
      .catch(() => {}),
  );
});

async function fromCacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(ASSETS_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function keep(href, response) {
  const type = response.headers.get('content-type') || '';
  if (!response.ok || response.redirected || !type.includes('text/html')) return;
  const headers = new Headers(response.headers);
  headers.set('x-kept-at', new Date().toISOString());
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(href.split('#')[0], new Response(await response.text(), { status: 200, headers }));
}

async function fromNetworkFirst(event, request) {
  try {
    const response = await fetch(request);
    event.waitUntil(keep(request.url, response.clone()).catch(() => {}));
    return response;
  } catch {
    const cache = await caches.open(PAGES_CACHE);
    const kept = await cache.match(request.url.split('#')[0]);
    return kept ? marked(kept) : notKept();
  }
}

function timeOf(iso) {
  const at = new Date(iso);
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString() ? time : `${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })}, ${time}`;
}

const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The kept copy, saying plainly that it is one. */
async function marked(kept) {
  const keptAt = kept.headers.get('x-kept-at') || new Date().toISOString();
  const banner =
    `<div class="notification is-warning offline-banner" role="status" id="offline-banner">` +
    `<strong>Offline:</strong> last updated ${escape(timeOf(keptAt))}. The scores may have changed since.</div>`;
  const html = (await kept.text())
    // The messages of that moment ("Saved: …") belonged to it, not to now.
    .replace(/<div class="notification is-(success|danger|info) is-light" role="status">[\s\S]*?<\/div>/g, '')
    .replace('<!--offline-banner-->', banner)
    .replace('<html lang="en"', `<html lang="en" data-offline-copy="${escape(keptAt)}"`);
  return new Response(html, { status: 200, headers: kept.headers });
}

function notKept() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline</title><link rel="stylesheet" href="${APP_CSS}"></head>
<body><main class="section"><div class="container is-max-tablet">
<h1 class="title is-4">Offline</h1>
<p class="mb-4">This phone has no connection, and this page was not opened on it before.</p>
<p><a href="/">The leaderboard</a> · <a href="/hands/new">Record a hand</a> (the copies last seen on this phone)</p>
</div></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    },
  });
}
