// Shared by the account pages of the public site: accessible form errors (summary linked to
// each field + per-field messages), the session restored from the refresh cookie, and the
// account API base path. Every text shown comes from the API's codes mapped to French.

import { api, refreshSession } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { fieldMessage } from '/lib/messages-fr.js';

export const ACCOUNT = '/api/account/v1';
export { api };

/** Values of a form's named inputs (trimmed, except passwords). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'submit') continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else out[el.name] = el.type === 'password' ? el.value : el.value.trim();
  }
  return out;
}

function errorSlot(input) {
  let slot = document.getElementById(`${input.id}-error`);
  if (!slot) {
    slot = h('span', { class: 'field-error', id: `${input.id}-error` });
    input.insertAdjacentElement('afterend', slot);
  }
  return slot;
}

/** Removes every error of the form and empties its summary. */
export function clearErrors(form) {
  const summary = form.querySelector('.error-summary');
  if (summary) summary.replaceChildren();
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== `${el.id}-error`);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
    errorSlot(el).textContent = '';
  }
}

/**
 * Shows errors: items [{ field?, message }]. Field items mark their input invalid, get a message
 * under it and a link in the summary; the summary takes the focus (it has role=alert).
 */
export function showErrors(form, title, items) {
  const summary = form.querySelector('.error-summary');
  const list = h('ul', {}, items.map((it) => {
    const input = it.field && form.querySelector(`[name="${it.field}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
      ids.add(`${input.id}-error`);
      input.setAttribute('aria-describedby', [...ids].join(' '));
      errorSlot(input).textContent = it.message;
      return h('li', {}, h('a', { href: `#${input.id}`, onclick: (e) => { e.preventDefault(); input.focus(); } }, it.message));
    }
    return h('li', {}, it.message);
  }));
  replaceChildren(summary, h('h2', {}, title), list);
  summary.focus();
}

/** An ApiError as summary items: its field errors, or its French message. */
export function errorItems(err) {
  if (err.fields && err.fields.length) return err.fields.map((f) => ({ field: f.field, message: f.message }));
  let msg = err.message;
  if (err.code === 'rate_limited' && err.retryAfter) {
    msg += ` Nouvel essai possible dans ${Math.max(1, Math.ceil(err.retryAfter / 60))} minute(s).`;
  }
  return [{ message: msg }];
}

/** Client-side check of required fields: items for the empty ones. */
export function requiredItems(form) {
  const items = [];
  for (const el of form.querySelectorAll('[required]')) {
    if (!el.value.trim()) items.push({ field: el.name, message: fieldMessage(el.name, 'required') });
  }
  return items;
}

/**
 * Wires a form: on submit, clears errors, checks required fields, calls work(values) with the
 * button busy; an ApiError lands in the summary. work may return false to keep the form as is.
 */
export function bindForm(form, work, { title = 'Le formulaire contient une erreur' } = {}) {
  const button = form.querySelector('button[type="submit"]');
  const label = button ? button.textContent : '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const missing = requiredItems(form);
    if (missing.length) {
      showErrors(form, missing.length === 1 ? title : `Le formulaire contient ${missing.length} erreurs`, missing);
      return;
    }
    if (button) {
      button.disabled = true;
      button.textContent = 'Envoi en cours…';
    }
    form.setAttribute('aria-busy', 'true');
    try {
      await work(formValues(form));
    } catch (err) {
      if (!err || typeof err.status !== 'number') throw err;
      const items = errorItems(err);
      showErrors(form, items.length > 1 ? `Le formulaire contient ${items.length} erreurs` : title, items);
    } finally {
      if (button) {
        button.disabled = false;
        button.textContent = label;
      }
      form.removeAttribute('aria-busy');
    }
  });
}

/** Replaces a form by a confirmation message that takes the focus. */
export function confirm(container, title, ...paragraphs) {
  const box = h('div', { class: 'notice', role: 'status', tabindex: '-1' },
    h('h2', {}, title), paragraphs.map((p) => (typeof p === 'string' ? h('p', {}, p) : p)));
  replaceChildren(container, box);
  box.focus();
}

/** The token of a link (?token=), removed from the address bar at once. */
export function takeToken() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search);
  }
  return token;
}

/** Restores the session from the refresh cookie; resolves true when signed in. */
export function restoreSession() {
  return refreshSession();
}
