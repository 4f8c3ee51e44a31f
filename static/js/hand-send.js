// Sending a hand from the record form and the scorepad (issue 16), on those two pages only.
// Without this script (or offline.js) the forms are sent the ordinary way.
//
// - With a connection, the form is sent by fetch, and the page then goes where the server
//   says, as an ordinary submit would: its redirect (the flash message kept for that page),
//   or its refusal, which takes the place of this page's <main> with the player's typing
//   and the reasons.
// - A hand that gets no answer within a few seconds (timing.answerMs) — no connection, or
//   one that takes the request and never answers ("lie-fi": pub Wi-Fi with nothing behind
//   it, a signal lost mid-request) — or a busy server (429, 502–504) is put on offline.js's
//   list with the very token it was sent with, and the form is cleared for the next hand.
//   If it did reach the server, the resend is answered "Already saved" and counts once.
// - With no connection, or hands already waiting (this one goes after them), the hand goes
//   straight onto the list, with a one-time token of its own.
// - On a scorepad, hands waiting for that game are counted in the next hand's heading and
//   its "Deals next", and a line under the totals says they are not in them yet.
(() => {
  const outbox = window.grlOutbox;
  if (!outbox || !outbox.available) return; // no storage: the forms go the ordinary way
  const { timing, load, save, update, remove, waiting, newToken, fetchWithin, render, flush, showOffline, problem } = outbox;
  // The server (or the router in front of it) could not take the hand just now: try later.
  const busyServer = (status) => status === 429 || status === 502 || status === 503 || status === 504;

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

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
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-offline-queue') || event.defaultPrevented) return;
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
    // Another page may take the hand over once its wait is surely over: a quarter more than
    // the wait, and at least a second more, in case the abort itself runs late (10 s in use).
    const until = Date.now() + timing.answerMs + Math.max(1000, timing.answerMs / 4);
    const entry = { ...entryOf(form, fields, token), state: 'sending', until: new Date(until).toISOString() };
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
      update(entry.id, { state: 'waiting', until: undefined, unanswered: !answer });
      setBusy(form, false);
      cleared(form);
      problem(answer ? 'busy' : 'no-answer');
      return;
    }
    if (answer.res.status === 403) {
      // Refused for its CSRF token (the page is older than this session: signed in again
      // since). The queue sends it again with today's token, and shows what came of it.
      update(entry.id, { state: 'waiting', until: undefined });
      setBusy(form, false);
      cleared(form);
      void flush();
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

  document.addEventListener('outbox:rendered', renderScorepad);
  // live.js swapped the scorepad's regions: count the waiting hands in the new ones.
  document.addEventListener('live:updated', renderScorepad);
  renderScorepad();
})();
