// The header's account bar on every public page: signed out, « Se connecter »; signed in, the
// person's name, « Mes demandes », « Mon espace » and « Se déconnecter ». The session comes from
// the refresh cookie (the one shared, de-duplicated refresh of /lib/api.js) or from a sign-in
// made by the page itself (onAuthChange).

import { api, isAuthenticated, onAuthChange, refreshSession, setAccessToken } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';

const ACCOUNT = '/api/account/v1';
const bar = document.querySelector('[data-account-bar]');
let shown = null; // the user id shown, so a token refresh does not redraw the bar

async function logout() {
  try {
    await fetch(`${ACCOUNT}/session/logout`, { method: 'POST', headers: { 'X-Requested-With': 'civitas' }, credentials: 'same-origin' });
  } finally {
    setAccessToken(null);
    location.assign('/');
  }
}

function signedOut() {
  shown = null;
  const back = `${location.pathname}${location.search}`;
  replaceChildren(bar,
    h('a', { href: '/contact.html' }, 'Nous contacter'),
    h('a', { href: back.startsWith('/connexion') ? '/connexion.html' : `/connexion.html?retour=${encodeURIComponent(back)}`, dataset: { accountSignin: '' } }, 'Se connecter'));
}

async function signedIn() {
  let me;
  try {
    me = await api.get(`${ACCOUNT}/me`);
  } catch {
    return;
  }
  if (shown === me.id) return;
  shown = me.id;
  replaceChildren(bar,
    h('span', { class: 'account-name', dataset: { accountName: '' } }, h('span', { class: 'visually-hidden' }, 'Connecté·e : '), `${me.given_name} ${me.family_name}`),
    h('a', { href: '/mes-demandes.html' }, 'Mes demandes'),
    h('a', { href: '/mon-espace.html' }, 'Mon espace'),
    h('button', { type: 'button', class: 'link-button', onclick: logout }, 'Se déconnecter'));
}

export async function setupAccountBar() {
  if (!bar) return;
  onAuthChange((on) => (on ? signedIn() : signedOut()));
  if (isAuthenticated() || (await refreshSession())) await signedIn();
}
