// The one form layer of the public site and the agent SPA: a labelled field with its hint and
// error slot, and the error summary (heading, message, links to the fields, focused) that every
// form shows the same way, whether the error comes from a check in the page or from the API.

import { h, replaceChildren } from './dom.js';

/**
 * <div class="field" data-field="name"> with its label, optional hint (id-hint), the control and
 * its error slot (id-error). The control is given (`control`) or built: a <select> from
 * `options` ([[value, label]]), a <textarea> when `rows`, an <input type> otherwise. `mark`
 * adds a visual « * » to the label of a required field (the control carries `required`).
 */
export function field({ id, name, label, hint, type = 'text', value = '', options, rows, required = false, mark = false, attrs = {}, control }) {
  const hintId = hint ? `${id}-hint` : null;
  let input = control;
  if (!input) {
    const common = { name, required, ...attrs };
    if (options) input = h('select', common, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
    else if (rows) input = h('textarea', { ...common, rows: String(rows) }, value);
    else input = h('input', { ...common, type, value });
  }
  input.id = id;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field', dataset: name ? { field: name } : {} },
    h('label', { for: id }, label, mark && required ? h('span', { 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    input,
    h('span', { class: 'field-error', id: `${id}-error` }));
}

/** The values of a form's named controls: strings trimmed (passwords as typed), checkboxes as booleans. */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'submit' || el.type === 'button') continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.type === 'password' ? el.value : el.value.trim();
  }
  return out;
}

/**
 * An ApiError as summary items [{ field?, message }]: one a field error, or its French message
 * (with when to try again after too many attempts). text(fieldError) may give a more precise
 * sentence for a field, falsy to keep the generic one.
 */
export function errorItems(err, { text } = {}) {
  if (err.fields && err.fields.length) {
    return err.fields.map((f) => ({ field: f.field, message: (text && text(f)) || f.message }));
  }
  return [{ message: retryText(err) }];
}

/** The error's French message, with when to try again after too many attempts. */
export function retryText(err) {
  if (err.code === 'rate_limited' && err.retryAfter) {
    return `${err.message} Nouvel essai possible dans ${Math.max(1, Math.ceil(err.retryAfter / 60))} minute(s).`;
  }
  return err.message;
}

/** « Le formulaire contient une erreur » / « … N erreurs ». */
export function countTitle(n) {
  return n > 1 ? `Le formulaire contient ${n} erreurs` : 'Le formulaire contient une erreur';
}

// The control an item designates: by id, or by API field name ([data-field] on the control or
// its wrapper, else [name]).
function controlFor(form, { id, field: name }) {
  if (!form) return null;
  if (id) return form.querySelector(`[id="${CSS.escape(id)}"]`);
  if (!name) return null;
  const tagged = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (tagged) return tagged.matches('input, select, textarea') ? tagged : tagged.querySelector('input, select, textarea');
  return form.querySelector(`[name="${CSS.escape(name)}"]`);
}

// The control's error slot, made when the markup has none: under the legend of a group of
// choices, after the label of a lone checkbox, else right after the control.
function errorSlot(control) {
  let slot = document.getElementById(`${control.id}-error`);
  if (slot) return slot;
  slot = h('span', { class: 'field-error', id: `${control.id}-error` });
  const legend = control.closest('fieldset')?.querySelector('legend');
  if (legend) legend.after(slot);
  else if ((control.type === 'checkbox' || control.type === 'radio') && control.labels?.[0]) control.labels[0].after(slot);
  else control.after(slot);
  return slot;
}

function labelText(control) {
  const label = control.labels?.[0];
  return label ? (label.firstChild?.textContent || label.textContent).trim() : '';
}

function describedBy(control) {
  return (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
}

function setDescribedBy(control, ids) {
  if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
  else control.removeAttribute('aria-describedby');
}

/** Removes every error shown in form (marks, messages under the fields) and empties its summary. */
export function clearErrors(summary, form) {
  if (summary) summary.replaceChildren();
  for (const el of form?.querySelectorAll('[aria-invalid]') || []) {
    el.removeAttribute('aria-invalid');
    setDescribedBy(el, describedBy(el).filter((x) => x !== `${el.id}-error`));
  }
  for (const el of form?.querySelectorAll('.field-error') || []) el.textContent = '';
}

/**
 * Shows errors in summary (an element with role=alert and tabindex=-1) and next to the fields of
 * form: title (heading), intro (a paragraph), items [{ field? | id?, message }]. An item naming a
 * field (API name) or a control (id) marks the control invalid, writes the message under it (the control is described by it)
 * and becomes a link in the summary that moves the focus to the control; withLabels starts
 * that link with the field's label. The summary takes the focus (unless focus is false) so
 * that it is read at once.
 */
export function showErrors(summary, form, { title, intro, items = [], withLabels = false, focus = true }) {
  clearErrors(null, form);
  const list = items.map((it) => {
    const control = controlFor(form, it);
    if (!control || !control.id) return h('li', {}, it.message);
    control.setAttribute('aria-invalid', 'true');
    setDescribedBy(control, [...new Set([...describedBy(control), `${control.id}-error`])]);
    errorSlot(control).textContent = it.message;
    const text = withLabels && labelText(control) ? `${labelText(control)} : ${it.message}` : it.message;
    return h('li', {}, h('a', { href: `#${control.id}`, onclick: (e) => { e.preventDefault(); control.focus(); } }, text));
  });
  replaceChildren(summary,
    title ? h('h2', {}, title) : null,
    intro ? h('p', {}, intro) : null,
    list.length ? h('ul', {}, list) : null);
  summary.hidden = false;
  if (focus) summary.focus();
}

/** Shows an ApiError: its field errors linked to the fields, or its message; intro defaults to the message when fields are named. */
export function showApiError(summary, form, err, { title = 'Le formulaire n’a pas pu être envoyé', intro, text, withLabels = false } = {}) {
  const items = err.fields && err.fields.length ? errorItems(err, { text }) : [];
  showErrors(summary, form, { title, intro: intro ?? retryText(err), items, withLabels });
}

/** Items for the required controls of form left empty (checked before anything is sent). */
export function requiredItems(form, message) {
  const items = [];
  for (const el of form.querySelectorAll('[required]')) {
    if (el.closest('[hidden]')) continue;
    const empty = el.type === 'checkbox' ? !el.checked : !el.value.trim();
    if (empty) items.push({ field: el.name, message: message(el) });
  }
  return items;
}

/**
 * Wires a form whose summary is its .error-summary: on submit, clears the errors, checks the
 * required fields (requiredMessage(control) says what is missing), then calls work(values) with
 * the button busy. An ApiError thrown by work lands in the summary; anything else propagates.
 */
export function bindForm(form, work, { title = 'Le formulaire contient une erreur', requiredMessage, busyText = 'Envoi en cours…' } = {}) {
  const summary = form.querySelector('.error-summary');
  const button = form.querySelector('button[type="submit"]');
  const label = button ? button.textContent : '';
  const titleFor = (n) => (n > 1 ? countTitle(n) : title);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const missing = requiredMessage ? requiredItems(form, requiredMessage) : [];
    if (missing.length) {
      showErrors(summary, form, { title: titleFor(missing.length), items: missing });
      return;
    }
    if (button) {
      button.disabled = true;
      button.textContent = busyText;
    }
    form.setAttribute('aria-busy', 'true');
    try {
      await work(formValues(form));
    } catch (err) {
      if (!err || typeof err.status !== 'number') throw err;
      const items = errorItems(err);
      showErrors(summary, form, { title: titleFor(items.length), items });
    } finally {
      if (button) {
        button.disabled = false;
        button.textContent = label;
      }
      form.removeAttribute('aria-busy');
    }
  });
}
