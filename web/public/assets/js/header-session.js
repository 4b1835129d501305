// The header's account bar on every public page: signed out, « Se connecter »; signed in, the
// person's name, « Mes demandes », « Mon espace » and « Se déconnecter ». The session comes from
// the refresh cookie (the one shared, de-duplicated refresh of /lib/api.js) or from a sign-in
// made by the page itself (onAuthChange).

import { api, claims, isAuthenticated, logout, onAuthChange, refreshSession } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';

const ACCOUNT = '/api/account/v1';
const bar = document.querySelector('[data-account-bar]');
const CACHE = 'civitas-nom';
let shown = null; // the user id shown, so a token refresh does not redraw the bar

// The token's subject (the API checks the token; here it only keys the cached name).
function subject() {
  return claims().sub || '';
}

// The name is kept for the tab's life, so each page does not ask /me again (nor leave the
// request hanging when the person moves on at once).
function cachedName(sub) {
  try {
    const c = JSON.parse(sessionStorage.getItem(CACHE) || 'null');
    return c && sub && c.sub === sub ? c.name : '';
  } catch {
    return '';
  }
}

async function signOut() {
  forgetName();
  await logout();
  location.assign('/');
}

function forgetName() {
  try { sessionStorage.removeItem(CACHE); } catch { /* nothing kept */ }
}

function signedOut() {
  shown = null;
  // Signed out here or in another page of the tab (Mon espace): the cached name goes too.
  forgetName();
  const back = `${location.pathname}${location.search}`;
  replaceChildren(bar,
    h('a', { href: '/contact.html' }, 'Nous contacter'),
    h('a', { href: back.startsWith('/connexion') ? '/connexion.html' : `/connexion.html?retour=${encodeURIComponent(back)}`, dataset: { accountSignin: '' } }, 'Se connecter'));
}

/** Keep the signed-in person's name for the header (from the login answer: no /me needed). */
export function rememberName(user) {
  if (!user?.id) return;
  try {
    sessionStorage.setItem(CACHE, JSON.stringify({ sub: user.id, name: `${user.given_name} ${user.family_name}` }));
  } catch {
    /* the header asks /me instead */
  }
}

async function signedIn() {
  const sub = subject();
  let name = cachedName(sub);
  if (sub && shown === sub) return;
  if (!name) {
    let me;
    try {
      me = await api.get(`${ACCOUNT}/me`);
    } catch {
      return;
    }
    name = `${me.given_name} ${me.family_name}`;
    try { sessionStorage.setItem(CACHE, JSON.stringify({ sub: me.id, name })); } catch { /* shown anyway */ }
  }
  shown = sub;
  replaceChildren(bar,
    h('span', { class: 'account-name', dataset: { accountName: '' } }, h('span', { class: 'visually-hidden' }, 'Connecté·e : '), name),
    h('a', { href: '/mes-demandes.html' }, 'Mes demandes'),
    h('a', { href: '/mon-espace.html' }, 'Mon espace'),
    h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Se déconnecter'));
}

export async function setupAccountBar() {
  if (!bar) return;
  onAuthChange((on) => (on ? signedIn() : signedOut()));
  if (isAuthenticated() || (await refreshSession())) await signedIn();
}
