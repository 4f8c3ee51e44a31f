// Progressive enhancement for the forms. Everything works without this script.

// A form page shown again by Back from the browser's back-forward cache would still hold
// a spent one-time token: load it afresh instead.
window.addEventListener('pageshow', (event) => {
  if (event.persisted && document.querySelector('input[name="token"]')) window.location.reload();
});

// The "Who won?" (or "Who deals first?") choices say "Player 1" and "Player 2" in the
// page; with this script they show the names picked in the selects above them. Also when
// offline.js puts the server's answer to a refused form in the page ('page:replaced').
const namesForSides = () => {
  const form = document.querySelector('form.hand-form');
  if (!form) return;
  for (const side of ['a', 'b']) {
    const select = form.querySelector(side === 'a' ? '#field-playerA' : '#field-playerB');
    const label = form.querySelector(`#winner-${side} span`);
    if (!select || !label) continue;
    const sync = () => {
      const option = select.options[select.selectedIndex];
      if (option) label.textContent = option.textContent;
    };
    select.addEventListener('change', sync);
    sync();
  }
};
document.addEventListener('DOMContentLoaded', namesForSides);
document.addEventListener('page:replaced', namesForSides);
