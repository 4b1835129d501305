// Shared by the content screens of the agent SPA: the caller's rank (from the in-memory access
// token), the content API base, status labels, a stylesheet, small form helpers.

import { claims } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';

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

/** Labelled input/select/textarea with its error slot. */
export function field({ id, name, label, hint, type = 'text', value = '', options, rows, required = false, attrs = {} }) {
  const hintId = hint ? `${id}-aide` : null;
  const common = { id, name, required, 'aria-describedby': hintId, ...attrs };
  let input;
  if (options) input = h('select', common, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  else if (rows) input = h('textarea', { ...common, rows: String(rows) }, value);
  else input = h('input', { ...common, type, value });
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    input,
    h('span', { class: 'field-error', id: `${id}-erreur` }));
}

/** Shows an ApiError next to its fields and in the summary element. */
export function showErrors(form, summary, err) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const items = [];
  for (const f of err.fields || []) {
    const wrap = form.querySelector(`[data-field="${CSS.escape(f.field)}"]`);
    const input = wrap?.querySelector('input, select, textarea');
    if (!input) continue;
    wrap.querySelector('.field-error').textContent = f.message;
    input.setAttribute('aria-invalid', 'true');
    items.push(h('li', {}, h('a', { href: `#${input.id}` }, `${wrap.querySelector('label').textContent} : ${f.message}`)));
  }
  replaceChildren(summary, h('p', {}, err.message), items.length ? h('ul', {}, items) : null);
  summary.focus();
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
