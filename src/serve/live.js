(() => {
  // hubgen serve: reload on change (keeping the scroll position), show build errors over the page.
  const key = 'hubgen-scroll:' + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved));
    restore();
    window.addEventListener('load', restore);
  }
  const id = 'hubgen-build-error';
  const show = report => {
    let box = document.getElementById(id);
    if (!box) {
      box = document.createElement('div');
      box.id = id;
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;' +
        'background:#fff;color:#0b0c0c;border-top:6px solid #d4351c;padding:1rem 1.5rem;font:16px/1.5 system-ui,sans-serif;' +
        'box-shadow:0 -4px 16px rgba(0,0,0,.25)';
      document.body.append(box);
    }
    const title = document.createElement('h2');
    title.style.cssText = 'margin:0 0 .5rem;font-size:1.2rem;color:#d4351c';
    title.textContent = 'The site could not be rebuilt; you are seeing the last good version';
    const list = document.createElement('ul');
    list.style.cssText = 'margin:0;padding-left:1.2rem';
    for (const p of report.problems) {
      const li = document.createElement('li');
      const where = document.createElement('code');
      where.textContent = [p.file, p.line || null, p.column || null].filter(Boolean).join(':');
      li.append(where, document.createTextNode(' ' + p.message + (p.hint ? ' (' + p.hint + ')' : '')));
      list.append(li);
    }
    box.replaceChildren(title, list);
  };
  const events = new EventSource('/__hubgen/events');
  events.addEventListener('reload', () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  events.addEventListener('build-error', e => show(JSON.parse(e.data)));
})();
