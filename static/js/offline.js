// Offline at the table (issue 16). Everything works without this script, online.
//
// - Registers the service worker (/sw.js), which keeps the assets and a copy of the pages
//   needed at the table, so the record form and the scorepad open with no connection.
// - A hand saved with no connection (or while earlier ones still wait) is kept on this
//   phone (localStorage) with a one-time token of its own, shown as "1 hand waiting to
//   send", and sent when the connection returns: on the `online` event, on the next page
//   load, and every 15 s while any wait. In order, one at a time, one tab at a time (Web
//   Locks where the browser has them). Exactly once: a hand is forgotten only after the
//   server said it was saved, and a resend of the same token and fields is answered
//   "Already saved" (src/core/idempotency.ts), so a send whose answer was lost, or a tab
//   closed mid-send, is harmless. No Background Sync (Safari has none): the page sends.
// - A hand the server refuses (the game ended meanwhile, a rule check) stays on the phone,
//   with the server's reason, until the player discards it or sends it again.
(() => {
  const KEY = 'grl.outbox.v1';
  const RETRY_MS = 15_000;

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
  const waiting = () => load().filter((entry) => entry.state !== 'refused');

  // The same alphabet and length as the server's tokens (18 random bytes, base64url).
  const newToken = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

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
  let lastUpdated = new Date(document.documentElement.dataset.offlineCopy || Date.now());
  /** What was sent from this page, in the server's words ("Saved: Alice +11 (knock)"). */
  const sentNews = [];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render() {
    renderSent();
    const list = load();
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
    const wait = list.filter((entry) => entry.state !== 'refused');
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
      } else {
        item.append(el('p', 'is-size-7', `Kept on this phone since ${new Date(entry.queuedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`));
      }
      items.append(item);
    }
    box.append(items);
    if (wait.length) box.append(el('p', 'help', navigator.onLine ? 'Sending…' : 'No connection: they are sent when it returns.'));
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

  // --- Keeping a hand -------------------------------------------------------------------
  const labelOf = (form, name) => {
    const input = form.querySelector(`input[name="${name}"]:checked`);
    return input ? (input.closest('label')?.textContent || input.value).trim() : '';
  };
  const selectedText = (form, name) => {
    const select = form.querySelector(`select[name="${name}"]`);
    return select?.selectedOptions[0]?.textContent.trim() || '';
  };

  function summaryOf(form) {
    const players = form.querySelector('select[name="playerA"]')
      ? `${selectedText(form, 'playerA')} v ${selectedText(form, 'playerB')}`
      : document.querySelector('h1')?.textContent.trim() || '';
    const outcome = labelOf(form, 'outcome');
    const value = (name) => form.querySelector(`[name="${name}"]`)?.value.trim() || '';
    const numbers = [value('deadwood') && `difference ${value('deadwood')}`, value('deadwoodA') && value('deadwoodB') && `${value('deadwoodA')}–${value('deadwoodB')}`]
      .filter(Boolean)
      .join(', ');
    const what = outcome === 'draw' ? 'draw' : [outcome, labelOf(form, 'winner') && `${labelOf(form, 'winner')} won`, numbers].filter(Boolean).join(', ');
    return `${players}: ${what}`;
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-offline-queue') || !storage) return;
    if (navigator.onLine && waiting().length === 0) return; // online and nothing before it: the ordinary way
    event.preventDefault();
    // A second tap while the first is being kept is the same hand.
    if (form.dataset.keeping === '1') return;
    form.dataset.keeping = '1';
    const button = form.querySelector('[type="submit"]');
    if (button) button.disabled = true;
    const fields = [...new FormData(form)].filter(([, v]) => typeof v === 'string');
    // A token of its own: the page's may be a kept copy's, already spent on another hand.
    const token = newToken();
    const entry = {
      id: token,
      action: new URL(form.getAttribute('action') || window.location.pathname, window.location.href).pathname,
      fields: fields.map(([k, v]) => [k, k === 'token' ? token : v]),
      summary: summaryOf(form),
      queuedAt: new Date().toISOString(),
      state: 'waiting',
    };
    save([...load(), entry]);
    form.reset();
    form.querySelector('input[name="token"]')?.setAttribute('value', newToken());
    render();
    document.getElementById('outbox')?.scrollIntoView({ block: 'nearest' });
    setTimeout(() => {
      delete form.dataset.keeping;
      if (button) button.disabled = false;
    }, 800);
    void flush();
  });

  // --- Sending --------------------------------------------------------------------------
  const textOf = (doc, selector) => [...doc.querySelectorAll(selector)].map((n) => n.textContent.trim().replace(/\s+/g, ' ')).filter(Boolean);

  async function freshCsrf() {
    const res = await fetch('/hands/new', { credentials: 'same-origin', headers: { 'X-Live-Refresh': '1' } });
    const match = /name="_csrf" value="([^"]+)"/.exec(await res.text());
    return res.ok && !res.redirected && match ? match[1] : null;
  }

  /** Sends one kept hand: 'saved' (with the server's words), 'refused' (with its reason) or 'later'. */
  async function send(entry, retried = false) {
    let res;
    try {
      res = await fetch(entry.action, { method: 'POST', body: new URLSearchParams(entry.fields), credentials: 'same-origin', headers: { 'X-Offline-Replay': '1' } });
    } catch {
      return { kind: 'later' };
    }
    const landed = new URL(res.url).pathname;
    const html = await res.text().catch(() => '');
    const doc = new DOMParser().parseFromString(html, 'text/html');
    if (res.ok && res.redirected && landed !== '/sign-in') {
      return { kind: 'saved', message: textOf(doc, 'main .notification[role="status"]').find((t) => /saved/i.test(t)) || 'Saved.' };
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
    if (res.status >= 500 || res.status === 0 || res.status === 429) return { kind: 'later' };
    const reasons =
      res.status === 409
        ? textOf(doc, '#notice .has-text-weight-bold')
        : [...textOf(doc, 'main [role="alert"] li'), ...textOf(doc, 'main .help.is-danger'), ...textOf(doc, 'main .notification.is-danger')];
    const reason = [...new Set(reasons)][0] || textOf(doc, 'main h1, main p').join(' ').slice(0, 200) || `the server answered ${res.status}`;
    return { kind: 'refused', reason: res.status === 401 ? 'Sign in on this phone, then send it again.' : reason };
  }

  let flushing = false;
  async function flushNow() {
    let sent = 0;
    for (;;) {
      const next = waiting()[0];
      if (!next) break;
      update(next.id, { sendingAt: new Date().toISOString() });
      const result = await send(next);
      if (result.kind === 'later') break;
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
  }, RETRY_MS);

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
