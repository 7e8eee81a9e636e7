// Filters a library list (library.html) in the browser: each select narrows the
// items to those carrying the chosen value; the count is announced. Without
// JavaScript the filters stay hidden and every item shows.
const form = document.querySelector('[data-library-filters]');
const list = document.querySelector('[data-library]');
const count = document.querySelector('[data-library-count]');
if (form && list && count) {
  form.hidden = false;
  const items = [...list.children];
  const apply = () => {
    const chosen = [...form.querySelectorAll('select')].filter(s => s.value).map(s => [s.name, s.value]);
    let shown = 0;
    for (const item of items) {
      const ok = chosen.every(([name, value]) => (item.dataset[name] ?? '').split('|').includes(value));
      item.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = `${shown} of ${items.length} item${items.length === 1 ? '' : 's'}`;
  };
  form.addEventListener('change', apply);
  form.addEventListener('reset', () => setTimeout(apply));
}
