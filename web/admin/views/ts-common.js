// Shared by the agents' online-procedures views: the caller's services (from the token),
// labels, small formatters and the section's sub-navigation.

import { claims } from '/lib/api.js';
import { h } from '/lib/dom.js';
import { KIND_LABELS, SERVICE_LABELS, STATUS_LABELS } from '/lib/teleservices-labels.js';

export const TS = '/api/teleservices/v1';

export { KIND_LABELS, SERVICE_LABELS, STATUS_LABELS };

/** The services the agent works for (from the token's claims; the API checks them again). */
export function myServices() {
  const services = claims().services;
  return Array.isArray(services) ? services : [];
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

/** A link inside the SPA (the router keeps its query string, which the view reads). */
export function spaLink(href, ...children) {
  return h('a', { href, dataset: { link: '' } }, ...children);
}

// The views' own stylesheet, added once (the shared admin.css stays untouched).
if (!document.querySelector('link[data-ts-css]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: '/admin/views/ts.css', dataset: { tsCss: '' } }));
}
