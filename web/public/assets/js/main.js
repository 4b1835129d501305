// Behaviour shared by every public page: town name and logo from /site.json, and the
// collapsible main menu for small screens (the button reports its state with aria-expanded), and
// the header's account bar (who is signed in).

import { applySite } from '/lib/site.js';
import { setupAccountBar } from './header-session.js';

function setupMenu() {
  const button = document.querySelector('.menu-toggle');
  const nav = button && document.getElementById(button.getAttribute('aria-controls'));
  if (!button || !nav) return;

  const setOpen = (open) => {
    button.setAttribute('aria-expanded', String(open));
    nav.dataset.state = open ? 'open' : 'closed';
  };
  // Collapse only now that the button works: without JavaScript the menu stays visible.
  setOpen(false);
  button.hidden = false;

  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true' && getComputedStyle(button).display !== 'none') {
      setOpen(false);
      button.focus();
    }
  });
}

setupMenu();
applySite();
setupAccountBar();
