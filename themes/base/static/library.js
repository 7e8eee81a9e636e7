// Filters a library list (library.html) in the browser: the words box keeps
// the items whose text holds every word typed, each select those carrying the
// chosen value; the count is announced. The filters live in the page's
// address (?workstream=…&words=…), replaced as they change, so that Back,
// a reload and a copied link all come back to the same filtered list.
// Without JavaScript the filters stay hidden and every item shows.
const form = document.querySelector('[data-library-filters]');
const list = document.querySelector('[data-library]');
const count = document.querySelector('[data-library-count]');
if (form && list && count) {
  form.hidden = false;
  const items = [...list.children];
  const text = new Map(items.map(item => [item, item.textContent.toLowerCase()]));
  const selects = [...form.querySelectorAll('select')];
  const words = form.querySelector('input[name="words"]');
  const apply = () => {
    const chosen = selects.filter(s => s.value).map(s => [s.name, s.value]);
    const wanted = (words?.value ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const ok = chosen.every(([name, value]) => (item.dataset[name] ?? '').split('|').includes(value))
        && wanted.every(w => text.get(item).includes(w));
      item.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = `${shown} of ${items.length} item${items.length === 1 ? '' : 's'}`;
  };
  // The address keeps its other parameters; the filters' own are rewritten.
  const remember = () => {
    const url = new URL(location.href);
    for (const control of [...selects, words].filter(Boolean)) {
      if (control.value.trim()) url.searchParams.set(control.name, control.value.trim());
      else url.searchParams.delete(control.name);
    }
    history.replaceState(history.state, '', url);
  };
  const restore = () => {
    const params = new URL(location.href).searchParams;
    for (const s of selects) {
      const v = params.get(s.name) ?? '';
      s.value = [...s.options].some(o => o.value === v) ? v : '';
    }
    if (words) words.value = params.get(words.name) ?? '';
    apply();
  };
  form.addEventListener('change', () => { apply(); remember(); });
  form.addEventListener('input', () => { apply(); remember(); });
  form.addEventListener('submit', e => e.preventDefault());
  form.addEventListener('reset', () => setTimeout(() => { apply(); remember(); }));
  // Back to this page from the page cache: the form is as it was, but say so again.
  window.addEventListener('pageshow', e => { if (e.persisted) restore(); });
  restore();
}
