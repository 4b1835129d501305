// Shared by the account pages of the public site: their forms (the shared form layer with the
// account's French messages), the session restored from the refresh cookie, and the account API
// base path. Every text shown comes from the API's codes mapped to French.

import { api, refreshSession } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { bindForm as bindFormWith } from '/lib/forms.js';
import { fieldMessage } from '/lib/messages-fr.js';

export const ACCOUNT = '/api/account/v1';
export { api };

/**
 * Wires an account form (forms.js bindForm): the summary and field messages in French, empty
 * required fields named before anything is sent.
 */
export function bindForm(form, work, options = {}) {
  bindFormWith(form, work, { ...options, requiredMessage: (el) => fieldMessage(el.name, 'required') });
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
