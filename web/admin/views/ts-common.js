// Shared by the agents' online-procedures views: the caller's services (from the token),
// labels, a raw fetch with the in-memory token (downloads, ETags) and small formatters.

import { getAccessToken } from '/lib/api.js';
import { h } from '/lib/dom.js';

export const TS = '/api/teleservices/v1';

export const STATUS_LABELS = Object.freeze({
  draft: 'Brouillon', submitted: 'Envoyée', received: 'Reçue', in_progress: 'En cours',
  incomplete: 'Incomplète', accepted: 'Acceptée', rejected: 'Refusée', cancelled: 'Annulée',
});
export const KIND_LABELS = Object.freeze({
  identity: 'Pièce d’identité', family_record_book: 'Livret de famille', proof_of_address: 'Justificatif de domicile',
  qf_certificate: 'Attestation de quotient familial', health_record: 'Carnet de santé', other: 'Autre document',
});
export const SERVICE_LABELS = Object.freeze({
  'etat-civil': 'État civil', scolaire: 'Affaires scolaires', jeunesse: 'Enfance et jeunesse', conservatoire: 'Conservatoire',
});

/** Claims of the current access token (not verified here: the API does that). */
export function claims() {
  const t = getAccessToken();
  if (!t) return {};
  try {
    const part = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return {};
  }
}

export function myServices() {
  return Array.isArray(claims().services) ? claims().services : [];
}

export function authFetch(path, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('Authorization', `Bearer ${getAccessToken()}`);
  headers.set('X-Requested-With', 'civitas');
  return fetch(path, { ...init, headers, credentials: 'same-origin' });
}

export function days(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return `${(Number(seconds) / 86400).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} j`;
}

export function when(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(new Date(value));
}

export function subnav(current) {
  const items = [['/admin/demarches', 'File des demandes'], ['/admin/demarches/procedures', 'Procédures'], ['/admin/demarches/qualite', 'Indice de qualité']];
  return h('nav', { class: 'ts-subnav', 'aria-label': 'Démarches' }, h('ul', {}, items.map(([href, label]) =>
    h('li', {}, h('a', { href, dataset: { link: '' }, 'aria-current': href === current ? 'page' : null }, label)))));
}

/** A link inside the SPA that keeps its query string (the shared router drops it). */
export function spaLink(href, ...children) {
  return h('a', {
    href,
    dataset: { link: '' },
    onclick: async (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const { navigate } = await import('../app.js');
      navigate(href.replace(/^\/admin/, ''));
    },
  }, ...children);
}

// The views' own stylesheet, added once (the shared admin.css stays untouched).
if (!document.querySelector('link[data-ts-css]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: '/admin/views/ts.css', dataset: { tsCss: '' } }));
}
