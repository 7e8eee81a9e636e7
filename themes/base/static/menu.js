// The header menu on a phone: folded behind the "Menu" button (style.css
// hides the list below 40rem once this script's page has the `js` class),
// opened and closed by it, and closed again by Escape. Without JavaScript
// the menu shows in full and the button stays hidden.
const button = document.querySelector('.menu-toggle[aria-controls]');
const nav = button && document.getElementById(button.getAttribute('aria-controls'));
if (button && nav) {
  const set = open => {
    button.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  };
  button.addEventListener('click', () => set(button.getAttribute('aria-expanded') !== 'true'));
  nav.addEventListener('keydown', e => {
    if (e.key === 'Escape' && nav.classList.contains('is-open')) {
      set(false);
      button.focus();
    }
  });
}
