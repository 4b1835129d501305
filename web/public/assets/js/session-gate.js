// The one sign-in gate of the public pages that need a session: the session comes from the
// refresh cookie, or the page invites to sign in on « Se connecter » (connexion.html, which asks
// for the one-time code or a recovery code when the account has them) and to come back here.

import { isAuthenticated, refreshSession } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';

export const LOGIN_PAGE = '/connexion.html';

/** The sign-in page's address that leads back to this page. */
export function signInHref() {
  return `${LOGIN_PAGE}?retour=${encodeURIComponent(location.pathname + location.search)}`;
}

/** True once a session is there; otherwise shows the invitation to sign in in `where`. */
export async function requireSession(where, intro = 'Connectez-vous pour accéder à cette page de votre espace.') {
  if (isAuthenticated() || (await refreshSession())) return true;
  replaceChildren(where, h('div', { class: 'notice' },
    h('p', {}, intro),
    h('p', {}, h('a', { class: 'btn', href: signInHref() }, 'Me connecter'))));
  return false;
}
