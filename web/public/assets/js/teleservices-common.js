// Shared by the online procedures pages: French labels of statuses, kinds and services, the
// messages of a refused request, small helpers. The session: ./session-gate.js.

import { h } from '/lib/dom.js';
import { fieldMessage } from '/lib/messages-fr.js';
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
