// Form helpers of the content pages: labelled fields with their error slot, and an error
// summary that lists what the API refused (French messages from messages-fr.js), linked to
// each field, focused so that keyboard and screen reader users hear it.

import { h, replaceChildren } from '/lib/dom.js';

/** A field: { id, name, label, hint?, type?, required?, options? (select), rows? (textarea), value? }. */
export function field({ id, name, label, hint, type = 'text', required = false, options, rows, value = '', attrs = {} }) {
  const hintId = hint ? `${id}-aide` : null;
  const common = { id, name, required, 'aria-describedby': hintId, ...attrs };
  let input;
  if (options) {
    input = h('select', common, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  } else if (rows) {
    input = h('textarea', { ...common, rows: String(rows) }, value);
  } else {
    input = h('input', { ...common, type, value });
  }
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, required ? h('span', { 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    input,
    h('span', { class: 'field-error', id: `${id}-erreur` }));
}

/** Clears every error shown in form and its summary. */
export function clearErrors(form, summary) {
  replaceChildren(summary);
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-erreur'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/** Shows an ApiError (or a list of { field, message }) in the summary and next to the fields. */
export function showErrors(form, summary, err) {
  clearErrors(form, summary);
  const fields = err.fields || [];
  const items = [];
  for (const f of fields) {
    const wrap = form.querySelector(`[data-field="${CSS.escape(f.field)}"]`);
    const input = wrap?.querySelector('input, select, textarea');
    if (!wrap || !input) continue;
    wrap.querySelector('.field-error').textContent = f.message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${input.id}-erreur`.trim());
    items.push(h('li', {}, h('a', { href: `#${input.id}` }, `${wrap.querySelector('label').firstChild.textContent} : ${f.message}`)));
  }
  replaceChildren(summary, h('h2', {}, 'Le formulaire n’a pas pu être envoyé'), h('p', {}, err.message),
    items.length ? h('ul', {}, items) : null);
  summary.focus();
}

/** The form's fields as an object of trimmed strings (empty ones left out). */
export function values(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    const s = String(v).trim();
    if (s !== '') out[k] = s;
  }
  return out;
}

/** yyyy-mm-dd (a date input) → the end of that day in Paris, as RFC 3339 UTC. */
export function endOfDayUtc(date) {
  const [y, m, d] = date.split('-').map(Number);
  // 23:59 in Paris is 21:59 or 22:59 UTC; 21:59 UTC stays within the day in both seasons.
  return new Date(Date.UTC(y, m - 1, d, 21, 59, 0)).toISOString().replace(/\.\d+Z$/, 'Z');
}
