// Progressive enhancement for the hand form: the "Who won?" choices show the names of the
// players picked above them. The form works without this script.
document.addEventListener('DOMContentLoaded', () => {
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
});
