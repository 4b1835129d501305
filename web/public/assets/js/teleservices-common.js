// Shared by the online procedures pages: the citizen's session (refresh cookie, or a sign-in
// form calling account's login), French labels of statuses, kinds and services, small helpers.

import { api, ApiError, isAuthenticated, refreshSession, setAccessToken } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { fieldMessage } from '/lib/messages-fr.js';
import { rememberName } from './header-session.js';
import { KIND_LABELS, SERVICE_LABELS, STATUS_LABELS } from '/lib/teleservices-labels.js';

export const TS = '/api/teleservices/v1';
export const ACCOUNT = '/api/account/v1';

export { KIND_LABELS, SERVICE_LABELS, STATUS_LABELS };

export const LIFE_EVENTS = Object.freeze({
  naissance: 'Naissance et état civil',
  scolarite: 'Scolarité',
  loisirs: 'Loisirs des enfants',
  culture: 'Culture et pratique artistique',
});

export function serviceLabel(s) {
  return SERVICE_LABELS[s] || s;
}

export function statusBadge(status) {
  return h('span', { class: `ts-badge ts-badge-${status}` }, STATUS_LABELS[status] || status);
}

/** A French message for one errors[] entry of a teleservices problem. */
export function tsFieldMessage(e, labels = {}) {
  const [root, name, member] = e.field.split('.');
  if (root === 'documents') {
    const who = member && labels.members?.[member] ? ` (${labels.members[member]})` : '';
    const what = KIND_LABELS[name] || name;
    if (e.code === 'document_too_old') return `${what}${who} : le document joint est trop ancien.`;
    if (e.code === 'document_changed') return `${what}${who} : le document a changé dans votre espace, joignez-le à nouveau.`;
    return `${what}${who} : pièce manquante.`;
  }
  if (root === 'answers') {
    const label = labels.fields?.[name] || name;
    return `${label} : ${fieldMessage(name, e.code)}`;
  }
  if (root === 'member_ids') return 'Choisissez la ou les personnes concernées par la demande.';
  return `${e.field} : ${fieldMessage(e.field, e.code)}`;
}

/**
 * Resolves when the citizen is signed in: with the refresh cookie, or after the sign-in form
 * shown in container (e-mail + password through account's login).
 */
export async function ensureSignedIn(container, intro) {
  if (isAuthenticated()) return true;
  if (await refreshSession()) return true;
  return new Promise((resolve) => {
    const errors = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    const email = h('input', { id: 'ts-login-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
    const password = h('input', { id: 'ts-login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', { class: 'ts-login', novalidate: true },
      h('h2', {}, 'Connectez-vous'),
      h('p', {}, intro || 'Pour faire une démarche en ligne et suivre vos demandes, connectez-vous à votre espace.'),
      errors,
      h('div', { class: 'field' }, h('label', { for: 'ts-login-email' }, 'Adresse électronique'), email),
      h('div', { class: 'field' }, h('label', { for: 'ts-login-password' }, 'Mot de passe'), password),
      h('button', { type: 'submit', class: 'btn' }, 'Se connecter'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.hidden = true;
      try {
        const data = await api.post(`${ACCOUNT}/login`, { email: email.value.trim(), password: password.value }, { retry: false });
        rememberName(data.user);
        setAccessToken(data.access_token);
        resolve(true);
      } catch (err) {
        replaceChildren(errors, h('p', {}, err instanceof ApiError && err.status === 401
          ? 'Adresse électronique ou mot de passe incorrect.' : err.message));
        errors.hidden = false;
        errors.focus();
      }
    });
    replaceChildren(container, form);
  });
}

/** A random key for Idempotency-Key. */
export function randomKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function formatDateTime(value) {
  if (!value) return '';
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' }).format(new Date(value));
}

export function params() {
  return new URLSearchParams(location.search);
}
