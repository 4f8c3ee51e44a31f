// Offline at the table (issue 16), on every page; see README "Live and offline at the table".
// Everything works without this script, online.
//
// - Registers the service worker (/sw.js): the record form and the scorepad open with no
//   connection once visited.
// - Keeps the hands waiting on this phone (localStorage), lists them ("1 hand waiting to
//   send") and sends them when the connection answers: on `online`, on the next page load
//   and on a timer. In order, one at a time, one tab at a time (Web Locks where there are
//   any). Exactly once: a hand is forgotten only when the server said it was saved, and a
//   resend of its token and fields is answered "Already saved" (src/core/idempotency.ts).
//   No Background Sync (Safari has none): the page sends.
// - A hand the server refuses stays, with the reason, until discarded or sent again.
// The record-hand forms are sent by hand-send.js, through `window.grlOutbox` below.
(() => {
  const KEY = 'grl.outbox.v1';

  const storage = (() => {
    try {
      const probe = '__grl';
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch {
      return null; // private mode with no storage: forms behave as without this script
    }
  })();

  // How long to wait for an answer, and how often to try again while hands wait. The browser
  // tests shorten them (localStorage "grl.timing": {"answerMs": 2000, "retryMs": 500}).
  const timing = (() => {
    let set = {};
    try {
      set = JSON.parse(storage?.getItem('grl.timing') || '{}') || {};
    } catch {
      // the defaults
    }
    const ms = (value, fallback) => (Number.isFinite(value) && value > 0 ? value : fallback);
    return { answerMs: ms(set.answerMs, 8000), retryMs: ms(set.retryMs, 15_000) };
  })();

  const load = () => {
    try {
      const list = JSON.parse(storage?.getItem(KEY) || '[]');
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  };
  const save = (list) => storage?.setItem(KEY, JSON.stringify(list));
  const update = (id, change) => save(load().map((entry) => (entry.id === id ? { ...entry, ...change } : entry)));
  const remove = (id) => save(load().filter((entry) => entry.id !== id));
  // A hand its page is sending ('sending') is that page's, unless the page went away
  // without an answer (closed, reloaded): then it waits like the rest.
  const isWaiting = (entry) => entry.state === 'waiting' || (entry.state === 'sending' && !(Date.parse(entry.until) > Date.now()));
  const waiting = () => load().filter(isWaiting);
  const listed = () => load().filter((entry) => entry.state === 'refused' || isWaiting(entry));

  // The same alphabet and length as the server's tokens (18 random bytes, base64url).
  const newToken = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  /** fetch, the answer read in full, within `ms`: a connection that never answers throws like a failed one. */
  async function fetchWithin(ms, url, init) {
    const controller = new window.AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      const res = await fetch(url, { ...init, signal: controller.signal });
      return { res, html: await res.text() };
    } finally {
      clearTimeout(timer);
    }
  }

  // --- The service worker ---------------------------------------------------------------
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker
      .register('/sw.js')
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // This visit came before the worker controlled the page: ask it to keep a copy now.
        if (!navigator.serviceWorker.controller && registration.active && !document.documentElement.dataset.offlineCopy) {
          registration.active.postMessage({ type: 'keep-page', url: window.location.href });
        }
      })
      .catch(() => {});
  }

  // --- What the player sees -------------------------------------------------------------
  const container = () => document.querySelector('main .container');
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const clock = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const seconds = (ms) => `${Math.max(1, Math.round(ms / 1000))}\u00a0s`;
  let lastUpdated = new Date(document.documentElement.dataset.offlineCopy || Date.now());
  /** What was sent from this page, in the server's words ("Saved: Alice +11 (knock)"). */
  const sentNews = [];
  /** Why the last try to send did not get through: 'no-answer', 'busy' or null. */
  let lastProblem = null;
  let flushing = false;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render() {
    renderSent();
    // The scorepad counts the hands waiting for its game (hand-send.js).
    document.dispatchEvent(new CustomEvent('outbox:rendered'));
    const list = listed();
    let box = document.getElementById('outbox');
    if (!list.length) {
      box?.remove();
      return;
    }
    if (!box) {
      box = el('section', 'box outbox');
      box.id = 'outbox';
      box.setAttribute('aria-labelledby', 'outbox-heading');
      const anchor = document.getElementById('outbox-sent') || document.getElementById('offline-banner');
      if (anchor) anchor.after(box);
      else container()?.prepend(box);
    }
    box.replaceChildren();
    const wait = list.filter(isWaiting);
    const refused = list.filter((entry) => entry.state === 'refused');
    const heading = el('h2', 'title is-6 mb-2');
    heading.id = 'outbox-heading';
    const parts = [];
    if (wait.length) parts.push(`${plural(wait.length, 'hand', 'hands')} waiting to send`);
    if (refused.length) parts.push(`${plural(refused.length, 'hand', 'hands')} not saved`);
    heading.textContent = parts.join(', ');
    box.append(heading);
    const items = el('ol', 'outbox-list');
    for (const entry of list) {
      const item = el('li', `outbox-item${entry.state === 'refused' ? ' is-refused' : ''}`);
      item.append(el('p', 'has-text-weight-bold', entry.summary));
      if (entry.state === 'refused') {
        item.append(el('p', 'help is-danger outbox-reason', `Not saved: ${entry.reason}`));
        const buttons = el('div', 'buttons mt-2');
        const again = el('button', 'button', 'Send again');
        again.type = 'button';
        again.addEventListener('click', () => {
          update(entry.id, { state: 'waiting', reason: undefined });
          render();
          void flush();
        });
        const discard = el('button', 'button is-danger is-light', 'Discard');
        discard.type = 'button';
        discard.setAttribute('aria-label', `Discard: ${entry.summary}`);
        discard.addEventListener('click', () => {
          remove(entry.id);
          render();
        });
        buttons.append(again, discard);
        item.append(buttons);
      } else if (entry.unanswered) {
        // It left the phone and no answer came: the server may have it. Say so.
        item.append(el('p', 'is-size-7 outbox-unanswered', `Sent at ${clock(entry.queuedAt)}, no answer came: it may have arrived. Sending it again cannot count it twice.`));
      } else {
        item.append(el('p', 'is-size-7', `Kept on this phone since ${clock(entry.queuedAt)}`));
      }
      items.append(item);
    }
    box.append(items);
    if (wait.length) box.append(el('p', 'help outbox-status', statusLine()));
  }

  function statusLine() {
    if (!navigator.onLine) return 'No connection: they are sent when it returns.';
    if (lastProblem === 'no-answer') return `The connection is not answering: trying again every ${seconds(timing.retryMs)}.`;
    if (lastProblem === 'busy') return `The server is busy: trying again every ${seconds(timing.retryMs)}.`;
    return 'Sending…';
  }

  function renderSent() {
    let note = document.getElementById('outbox-sent');
    if (!sentNews.length) {
      note?.remove();
      return;
    }
    if (!note) {
      note = el('div', 'notification is-success is-light');
      note.id = 'outbox-sent';
      note.setAttribute('role', 'status');
      const anchor = document.getElementById('offline-banner');
      if (anchor) anchor.after(note);
      else container()?.prepend(note);
    }
    note.textContent = `Sent from this phone: ${sentNews.join(' ')}`;
  }

  function showOffline() {
    let banner = document.getElementById('offline-banner');
    if (navigator.onLine && !document.documentElement.dataset.offlineCopy) {
      banner?.remove();
      return;
    }
    if (!banner) {
      banner = el('div', 'notification is-warning offline-banner');
      banner.id = 'offline-banner';
      banner.setAttribute('role', 'status');
      container()?.prepend(banner);
    }
    const time = lastUpdated.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    if (!navigator.onLine) {
      banner.replaceChildren(el('strong', '', 'Offline:'), ` last updated ${time}. The scores may have changed since.`);
    } else if (document.querySelector('meta[name="live-version"]')) {
      banner.replaceChildren(el('strong', '', 'Back online:'), ` this copy is from ${time}; updating…`);
    } else {
      // Not a live page: say so, and let the player choose when (a form may be half filled in).
      const reload = el('a', '', 'load the latest');
      reload.href = window.location.href;
      banner.replaceChildren(el('strong', '', 'Back online:'), ` this page is a copy from ${time}; `, reload, '.');
    }
  }

  // --- Sending what waits -----------------------------------------------------------------
  const textOf = (doc, selector) => [...doc.querySelectorAll(selector)].map((n) => n.textContent.trim().replace(/\s+/g, ' ')).filter(Boolean);

  async function freshCsrf() {
    const { res, html } = await fetchWithin(timing.answerMs, '/hands/new', { credentials: 'same-origin', headers: { 'X-Live-Refresh': '1' } });
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    return res.ok && !res.redirected && match ? match[1] : null;
  }

  /** Sends one kept hand: 'saved' (with the server's words), 'refused' (with its reason) or 'later' (with why). */
  async function send(entry, retried = false) {
    let res;
    let html;
    try {
      ({ res, html } = await fetchWithin(timing.answerMs, entry.action, {
        method: 'POST',
        body: new URLSearchParams(entry.fields),
        credentials: 'same-origin',
        headers: { 'X-Offline-Replay': '1' },
      }));
    } catch {
      return { kind: 'later', why: 'no-answer' };
    }
    const landed = new URL(res.url).pathname;
    const doc = new DOMParser().parseFromString(html, 'text/html');
    if (res.ok && res.redirected && landed !== '/sign-in') {
      // The last such message is this sending's (an older one may wait in the session).
      return { kind: 'saved', message: textOf(doc, 'main .notification[role="status"]').filter((t) => /saved/i.test(t)).pop() || 'Saved.' };
    }
    if (res.status === 403 && !retried) {
      // The form's CSRF token is older than this session's (signed in again since): take today's.
      const csrf = await freshCsrf().catch(() => null);
      if (csrf) {
        entry.fields = entry.fields.map(([k, v]) => [k, k === '_csrf' ? csrf : v]);
        update(entry.id, { fields: entry.fields });
        return send(entry, true);
      }
    }
    if (res.status >= 500 || res.status === 0 || res.status === 429) return { kind: 'later', why: 'busy' };
    const reasons =
      res.status === 409
        ? textOf(doc, '#notice .has-text-weight-bold')
        : [...textOf(doc, 'main [role="alert"] li'), ...textOf(doc, 'main .help.is-danger'), ...textOf(doc, 'main .notification.is-danger')];
    const reason = [...new Set(reasons)][0] || textOf(doc, 'main h1, main p').join(' ').slice(0, 200) || `the server answered ${res.status}`;
    return { kind: 'refused', reason: res.status === 401 ? 'Sign in on this phone, then send it again.' : reason };
  }

  async function flushNow() {
    let sent = 0;
    for (;;) {
      const next = waiting()[0];
      if (!next) break;
      // A hand whose page went away mid-send: nobody heard its answer.
      if (next.state === 'sending') update(next.id, { state: 'waiting', until: undefined, unanswered: true });
      update(next.id, { sendingAt: new Date().toISOString() });
      const result = await send(next);
      if (result.kind === 'later') {
        lastProblem = result.why;
        break;
      }
      lastProblem = null;
      if (result.kind === 'saved') {
        remove(next.id);
        sent += 1;
        sentNews.push(/[.!]$/.test(result.message) ? result.message : `${result.message}.`);
      } else {
        update(next.id, { state: 'refused', reason: result.reason });
      }
      render();
    }
    return sent;
  }

  async function flush() {
    if (flushing || !storage || !navigator.onLine || waiting().length === 0) {
      render();
      return;
    }
    flushing = true;
    render();
    try {
      // One tab at a time sends; the others see the list change (the storage event).
      const sent = navigator.locks ? await navigator.locks.request('grl-outbox', flushNow) : await flushNow();
      if (sent) {
        lastUpdated = new Date();
        document.dispatchEvent(new CustomEvent('live:refresh'));
      }
    } finally {
      flushing = false;
      render();
    }
  }

  // --- For hand-send.js -------------------------------------------------------------------
  window.grlOutbox = Object.freeze({
    available: Boolean(storage),
    timing,
    load,
    save,
    update,
    remove,
    waiting,
    newToken,
    fetchWithin,
    render,
    flush,
    showOffline,
    /** A hand just got no answer ('no-answer') or a busy server ('busy'): say so in the list. */
    problem(why) {
      lastProblem = why;
      render();
    },
  });

  // --- When ---------------------------------------------------------------------------
  window.addEventListener('online', () => {
    showOffline();
    void flush();
  });
  window.addEventListener('offline', () => {
    showOffline();
    render();
  });
  window.addEventListener('storage', (event) => {
    if (event.key === KEY) render();
  });
  document.addEventListener('live:updated', () => {
    lastUpdated = new Date();
    delete document.documentElement.dataset.offlineCopy;
    showOffline();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flush();
  });
  setInterval(() => {
    if (waiting().length) void flush();
  }, timing.retryMs);

  const start = () => {
    // A kept copy's one-time token may have been spent since (on this very hand, even):
    // the form gets a fresh one, whichever way it is then sent.
    if (document.documentElement.dataset.offlineCopy) {
      for (const input of document.querySelectorAll('form[data-offline-queue] input[name="token"]')) {
        input.setAttribute('value', newToken());
        input.value = input.getAttribute('value');
      }
    }
    showOffline();
    void flush();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
