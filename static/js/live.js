// Live pages (issue 16): the leaderboard and the scorepad follow the league as it changes,
// whoever changes it. The server tells this page the league's version over Server-Sent
// Events (/events); on a change the page fetches itself again and swaps its marked regions
// ([data-live]) in place, keeping the scroll position. A region holding a form someone is
// filling in is never swapped under their thumb: a button offers to refresh it instead.
// Without this script (or without the stream) the page is exactly what the server sent.
(() => {
  const meta = document.querySelector('meta[name="live-version"]');
  if (!meta || !('EventSource' in window) || !('fetch' in window) || !('DOMParser' in window)) return;

  let version = Number(meta.content) || 0;
  let source = null;
  let retryMs = 2000;
  let fetching = false;
  let again = false;
  /** Regions held back because a form in them is being filled in: name -> the latest fresh copy. */
  const held = new Map();
  let heldSinceHands = 0;

  // A form someone has touched is "in progress" until it is sent or reset.
  const touch = (event) => {
    const form = event.target && event.target.form;
    if (form) form.dataset.liveDirty = '1';
  };
  document.addEventListener('input', touch, true);
  document.addEventListener('change', touch, true);
  document.addEventListener('reset', (event) => delete event.target.dataset.liveDirty, true);

  const TYPING = 'input:not([type="hidden"]):not([type="radio"]):not([type="checkbox"]), select, textarea';
  const inProgress = (region) =>
    [...region.querySelectorAll('form')].some(
      (form) => form.dataset.liveDirty === '1' || (form.contains(document.activeElement) && document.activeElement.matches(TYPING)),
    );

  const handCount = (root) => root.querySelectorAll('.game-hands > li').length;

  // One polite announcement for screen readers, visually hidden (a live region without the
  // status role: the page's flash message stays its one status).
  const announcer = document.createElement('p');
  announcer.className = 'is-sr-only live-announcer';
  announcer.setAttribute('aria-live', 'polite');
  document.body.append(announcer);

  let banner = null;
  function showHeld(freshHands) {
    const count = freshHands - heldSinceHands;
    const text = count > 0 ? `${count} new hand${count === 1 ? '' : 's'}, tap to refresh the form` : 'The game changed, tap to refresh the form';
    if (!banner) {
      banner = document.createElement('div');
      banner.className = 'notification is-info is-light live-held';
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button is-info is-medium is-fullwidth';
      button.addEventListener('click', releaseHeld);
      banner.append(button);
      const first = document.querySelector(`[data-live="${[...held.keys()][0]}"]`);
      (first || document.querySelector('main .container')).before(banner);
    }
    banner.firstChild.textContent = text;
  }

  function releaseHeld() {
    const y = window.scrollY;
    for (const [name, fresh] of held) {
      const current = document.querySelector(`[data-live="${name}"]`);
      if (current) current.replaceWith(fresh);
    }
    held.clear();
    banner?.remove();
    banner = null;
    if (window.scrollY !== y) window.scrollTo(0, y);
  }

  function apply(doc) {
    const y = window.scrollY;
    const handsBefore = handCount(document);
    const handsAfter = handCount(doc); // counted before its regions move into the page
    for (const fresh of doc.querySelectorAll('[data-live]')) {
      const name = fresh.dataset.live;
      const current = document.querySelector(`[data-live="${name}"]`);
      if (!current) continue;
      const copy = document.adoptNode(fresh);
      if (held.has(name) || inProgress(current)) {
        if (held.size === 0) heldSinceHands = handsBefore;
        held.set(name, copy);
        continue;
      }
      // A <details> the player opened stays open.
      const open = [...current.querySelectorAll('details')].map((d) => d.open);
      copy.querySelectorAll('details').forEach((d, i) => {
        if (open[i]) d.open = true;
      });
      current.replaceWith(copy);
    }
    if (held.size) showHeld(handsAfter);
    if (window.scrollY !== y) window.scrollTo(0, y);
    announcer.textContent = `Scores updated at ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}.`;
    document.dispatchEvent(new CustomEvent('live:updated'));
  }

  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const res = await fetch(window.location.href, { headers: { 'X-Live-Refresh': '1' }, cache: 'no-store', credentials: 'same-origin' });
      const type = res.headers.get('content-type') || '';
      if (res.ok && !res.redirected && type.includes('text/html')) apply(new DOMParser().parseFromString(await res.text(), 'text/html'));
    } catch {
      // No connection: the stream's next event, or its reconnection, brings the change.
    } finally {
      fetching = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  function connect() {
    // The first connection names the page's version; reconnections send the last event's
    // id (Last-Event-ID), so a change made meanwhile is announced at once.
    source = new EventSource(`/events?since=${version}`);
    source.addEventListener('open', () => {
      retryMs = 2000;
    });
    source.addEventListener('change', (event) => {
      version = Math.max(version, Number(event.data) || 0);
      void refresh();
    });
    source.addEventListener('hello', (event) => {
      version = Math.max(version, Number(event.data) || 0);
    });
    source.addEventListener('error', () => {
      // The browser reconnects by itself after a network error, but gives up for good on an
      // HTTP error (a 503 while a server restarts): then we start again, more slowly each time.
      if (source.readyState !== EventSource.CLOSED) return;
      source.close();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 60_000);
    });
  }

  // The offline queue asks for a refresh after it sent hands.
  document.addEventListener('live:refresh', () => void refresh());
  // A page shown again from the back-forward cache missed what happened meanwhile.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) void refresh();
  });
  // With no connection the stream waits (no retries failing every 2 s); back online, it
  // reconnects from the version this page shows, and a change meanwhile is fetched at once.
  window.addEventListener('offline', () => {
    source?.close();
    source = null;
  });
  window.addEventListener('online', () => {
    if (!source) connect();
  });
  if (navigator.onLine) connect();
})();
