// Shared by the content screens of the agent SPA: the caller's rank (from the in-memory access
// token), the content API base, status labels, a stylesheet, date helpers (forms: /lib/forms.js).

import { claims } from '/lib/api.js';
import { h } from '/lib/dom.js';

export const API = '/api/content/v1';

export const STATUS_LABELS = Object.freeze({
  draft: 'Brouillon', in_review: 'En relecture', published: 'Publié', archived: 'Archivé',
  pending: 'En attente', rejected: 'Refusé', withdrawn: 'Retiré',
});

const RANK = { citizen: 0, partner: 1, agent: 2, editor: 3, admin: 4 };
export function isEditor() {
  return (RANK[claims().role] ?? -1) >= RANK.editor;
}

/** Loads the content screens' stylesheet once. */
export function useStyles() {
  if (document.getElementById('content-admin-css')) return;
  document.head.append(h('link', { id: 'content-admin-css', rel: 'stylesheet', href: '/admin/views/content.css' }));
}

/** A polite status line: say(text) updates it for screen readers too. */
export function statusLine() {
  const el = h('p', { class: 'content-status', role: 'status', 'aria-live': 'polite' });
  el.say = (text) => { el.textContent = text; };
  return el;
}

/** datetime-local value (Paris wall time as the browser shows it) ↔ RFC 3339 UTC. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(v) {
  return v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : null;
}

export function dateTime(iso) {
  return iso ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(iso)) : '—';
}

/** Breadcrumb-like back link inside the SPA. */
export function backLink(href, text) {
  return h('p', {}, h('a', { href, dataset: { link: '' } }, text));
}
