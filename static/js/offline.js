// Offline at the table (issue 16). Everything works without this script, online.
//
// - Registers the service worker (/sw.js), which keeps the assets and a copy of the pages
//   needed at the table, so the record form and the scorepad open with no connection.
// - The record-hand forms ([data-offline-queue]) are sent by this script: with a
//   connection, at once, and the page then goes where the server says (its redirect, or its
//   refusal with the player's typing kept), as an ordinary submit would. A hand that gets
//   no answer — no connection, or a connection that takes it and never answers ("lie-fi":
//   pub Wi-Fi with nothing behind it, a signal lost mid-request) — is kept on this phone
//   (localStorage) and shown as "1 hand waiting to send".
// - Kept hands are sent when the connection answers again: on the `online` event, on the
//   next page load, and on a timer while any wait. In order, one at a time, one tab at a
//   time (Web Locks where the browser has them). Exactly once: a hand is forgotten only
//   after the server said it was saved, and a resend of the same one-time token and fields
//   is answered "Already saved" (src/core/idempotency.ts), so a request that timed out
//   after reaching the server, an answer lost on the way back, or a tab closed mid-send,
//   is harmless. No Background Sync (Safari has none): the page sends.
// - A hand the server refuses (the game ended meanwhile, a rule check) stays on the phone,
//   with the server's reason, until the player discards it or sends it again.
// - On a scorepad, hands waiting for that game are counted in the next hand's heading and
//   named under the totals, which they are not part of yet.
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

  // How long to wait for the server's answer before keeping a hand on the phone, and how
  // often to try again while hands wait. A phone may be told otherwise in localStorage
  // ("grl.timing": {"answerMs": 2000, "retryMs": 500}); the browser tests do, so as not to
  // sit out the real ones.
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
  // A hand its page is sending right now ('sending') is that page's business, unless the
  // page went away before it had an answer (closed, reloaded): then it waits like the rest.
  const isWaiting = (entry) => entry.state === 'waiting' || (entry.state === 'sending' && !(Date.parse(entry.until) > Date.now()));
  const waiting = () => load().filter(isWaiting);
  const listed = () => load().filter((entry) => entry.state === 'refused' || isWaiting(entry));

  // The same alphabet and length as the server's tokens (18 random bytes, base64url).
  const newToken = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  /** fetch, its answer read in full, within `ms`: a connection that never answers throws like one that fails. */
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
  // The server (or the router in front of it) could not take the hand just now: try later.
  const busyServer = (status) => status === 429 || status === 502 || status === 503 || status === 504;

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
    renderScorepad();
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

  /**
   * A scorepad with hands of its game waiting on the phone: the next hand's heading counts
   * them ("Hand 4 · Bob deals", the loser of the last one dealing), and a line under the
   * totals says they are not in them yet. Nothing pretends they are stored.
   */
  function renderScorepad() {
    const scoreboard = document.querySelector('[data-live="scoreboard"]');
    const heading = document.getElementById('next-hand-heading');
    if (!scoreboard && !heading) return;
    const action = `${window.location.pathname.replace(/\/$/, '')}/hands`;
    const mine = waiting().filter((entry) => entry.action === action);

    let note = document.getElementById('pending-hands');
    if (!mine.length || !scoreboard) note?.remove();
    else {
      if (!note) {
        note = el('p', 'notification is-info is-light py-2 px-3 pending-hands');
        note.id = 'pending-hands';
      }
      if (note.previousElementSibling !== scoreboard) scoreboard.after(note);
      note.textContent = `Not in these totals yet: ${plural(mine.length, 'hand', 'hands')} waiting to send from this phone.`;
    }

    if (!heading || !heading.dataset.handNumber) return;
    heading.dataset.asServed ??= heading.textContent;
    let counted = document.getElementById('next-hand-counted');
    // The server's "Deals next" under a player's total, and ours when hands wait.
    const served = scoreboard ? [...scoreboard.querySelectorAll('.dealer:not(.dealer-counted)')] : [];
    scoreboard?.querySelector('.dealer-counted')?.remove();
    if (!mine.length) {
      heading.textContent = heading.dataset.asServed;
      counted?.remove();
      for (const mark of served) mark.hidden = false;
      return;
    }
    const nameOf = (side) => document.querySelector(`form[data-offline-queue] input[name="winner"][value="${side}"]`)?.closest('label')?.textContent.trim();
    let dealer = heading.dataset.dealer || null;
    for (const entry of mine) {
      const field = (name) => entry.fields.find(([k]) => k === name)?.[1];
      const winner = field('winner');
      if (field('outcome') === 'draw') continue; // after a draw, the same dealer again
      dealer = winner === 'a' ? 'b' : winner === 'b' ? 'a' : null; // the loser deals
    }
    const name = dealer && nameOf(dealer);
    heading.textContent = `Hand ${Number(heading.dataset.handNumber) + mine.length}${name ? ` · ${name} deals` : ''}`;
    for (const mark of served) mark.hidden = true;
    const dealerBox = name && scoreboard?.querySelectorAll(':scope > .column > .box')[dealer === 'a' ? 0 : 1];
    if (dealerBox) dealerBox.append(el('p', 'is-size-7 has-text-weight-bold dealer dealer-counted', 'Deals next'));
    if (!counted) {
      counted = el('p', 'help mb-3');
      counted.id = 'next-hand-counted';
      heading.after(counted);
    }
    counted.textContent = `Counting ${plural(mine.length, 'hand', 'hands')} waiting to send from this phone.`;
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

  // --- Saving a hand --------------------------------------------------------------------
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

  /** The form's fields as a submit would send them (the button pressed too, if it has a name). */
  function fieldsOf(form, submitter) {
    const fields = [...new FormData(form)].filter(([, v]) => typeof v === 'string');
    if (submitter?.name) fields.push([submitter.name, submitter.value]);
    return fields;
  }

  const entryOf = (form, fields, token) => ({
    id: token,
    action: new URL(form.getAttribute('action') || window.location.pathname, window.location.href).pathname,
    fields,
    summary: summaryOf(form),
    queuedAt: new Date().toISOString(),
    state: 'waiting',
  });

  /** Busy: the button shows it, and a second tap (or Enter) is the same hand, not another. */
  function setBusy(form, busy) {
    const button = form.querySelector('[type="submit"]');
    if (busy) form.dataset.busy = '1';
    else delete form.dataset.busy;
    form.toggleAttribute('aria-busy', busy);
    if (button) {
      button.disabled = busy;
      button.classList.toggle('is-loading', busy);
    }
  }

  /** The form is ready for the next hand, with a token of its own; the kept one is in view. */
  function cleared(form) {
    form.reset();
    const token = form.querySelector('input[name="token"]');
    if (token) {
      token.setAttribute('value', newToken());
      token.value = token.getAttribute('value');
    }
    render();
    document.getElementById('outbox')?.scrollIntoView({ block: 'nearest' });
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-offline-queue') || !storage || event.defaultPrevented) return;
    event.preventDefault();
    if (form.dataset.busy === '1') return;
    if (navigator.onLine && waiting().length === 0) void sendNow(form, event.submitter);
    else keepOnPhone(form);
  });

  /** No connection, or hands already waiting (this one goes after them): keep it, send later. */
  function keepOnPhone(form) {
    setBusy(form, true);
    // A token of its own: the page's may be a kept copy's, already spent on another hand.
    const token = newToken();
    const fields = fieldsOf(form).map(([k, v]) => [k, k === 'token' ? token : v]);
    save([...load(), entryOf(form, fields, token)]);
    cleared(form);
    // Long enough that a double tap's second tap finds the form busy.
    setTimeout(() => setBusy(form, false), 800);
    void flush();
  }

  /**
   * Sends the hand now, as the form would, but gives the connection `answerMs` to answer.
   * The hand is written down first ('sending'), so that a tab closed while it waits leaves
   * it to be sent by the next page; the server's idempotency key makes that resend safe.
   */
  async function sendNow(form, submitter) {
    setBusy(form, true);
    const fields = fieldsOf(form, submitter);
    const token = fields.find(([k]) => k === 'token')?.[1] || newToken();
    const entry = { ...entryOf(form, fields, token), state: 'sending', until: new Date(Date.now() + timing.answerMs + 2000).toISOString() };
    save([...load().filter((e) => e.id !== entry.id), entry]);
    let answer = null;
    try {
      // X-Live-Refresh: the page the redirect leads to leaves its flash messages ("Saved: …")
      // for the navigation below to show, as after an ordinary submit.
      answer = await fetchWithin(timing.answerMs, entry.action, {
        method: 'POST',
        body: new URLSearchParams(fields),
        credentials: 'same-origin',
        headers: { 'X-Live-Refresh': '1' },
      });
    } catch {
      // No answer: the network failed, or took the request and never answered.
    }
    if (!answer || busyServer(answer.res.status)) {
      // Kept with the very token it was sent with: if it did reach the server, sending it
      // again is answered "Already saved" and counts once.
      lastProblem = answer ? 'busy' : 'no-answer';
      update(entry.id, { state: 'waiting', until: undefined, unanswered: !answer });
      setBusy(form, false);
      cleared(form);
      return;
    }
    remove(entry.id);
    const { res, html } = answer;
    if (res.redirected) {
      // Saved (or sent to sign in): go where the server says, as an ordinary submit would.
      window.location.assign(res.url);
      return;
    }
    setBusy(form, false);
    if (!showAnswer(html)) HTMLFormElement.prototype.submit.call(form); // no page to show: the ordinary way (it was refused, so nothing is stored twice)
  }

  /**
   * The server's own page for a refused hand (the form again with the player's typing and
   * the reasons, or the scorepad saying the game is over) takes the place of this one's
   * <main>, as an ordinary submit would show it. False if the answer has no <main>.
   */
  function showAnswer(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const fresh = doc.querySelector('main');
    const current = document.querySelector('main');
    if (!fresh || !current) return false;
    // A form region live.js holds back for the player ("1 new hand, tap to refresh") is
    // about to be replaced by the server's latest anyway: let it go first, so that live.js
    // does not hold on to regions that are no longer in the page.
    document.querySelector('.live-held button')?.click();
    current.replaceWith(document.adoptNode(fresh));
    if (doc.title) document.title = doc.title;
    document.dispatchEvent(new CustomEvent('page:replaced'));
    showOffline();
    render();
    const alert = document.querySelector('main [role="alert"]');
    if (alert) {
      alert.tabIndex = -1;
      alert.focus();
    } else {
      window.scrollTo(0, 0);
    }
    return true;
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
    renderScorepad(); // the regions were swapped: count the waiting hands in the new ones
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
