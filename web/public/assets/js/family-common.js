// Shared by the family pages of « Mon espace » (ma famille, mes documents, mes données): French
// labels of the API's codes and form errors.

import { ApiError } from '/lib/api.js';
import { formatDate, h } from '/lib/dom.js';
import { showApiError } from '/lib/forms.js';
import { KIND_LABELS } from '/lib/teleservices-labels.js';

export const ACCOUNT = '/api/account/v1';

export const RELATIONS = { adult: 'Adulte', child: 'Enfant', other: 'Autre personne du foyer' };
export const SEXES = { F: 'Féminin', M: 'Masculin' };
export const CLASSES = {
  tps: 'Toute petite section', ps: 'Petite section', ms: 'Moyenne section', gs: 'Grande section',
  cp: 'CP', ce1: 'CE1', ce2: 'CE2', cm1: 'CM1', cm2: 'CM2',
  '6e': 'Sixième', '5e': 'Cinquième', '4e': 'Quatrième', '3e': 'Troisième',
  '2nde': 'Seconde', '1re': 'Première', tle: 'Terminale',
};
// The kinds of document, as the procedures name them; the vault says what a health record holds.
export const KINDS = { ...KIND_LABELS, health_record: 'Carnet de santé (vaccinations)' };
export const QF_STATES = {
  declared: 'Déclaré, en attente de vérification par la mairie',
  verified: 'Vérifié par la mairie',
  expired: 'Expiré : déposez une nouvelle attestation',
};

// Field names of the API → French sentence when the generic one is not precise enough.
const FIELD_TEXT = {
  'birth_date:out_of_range': 'La date de naissance ne correspond pas à ce type de membre (un adulte a au moins 18 ans, un enfant au plus 25 ans) ou est dans le futur.',
  'school_class:not_allowed': 'Seul un enfant peut avoir une classe.',
  'address.postcode:invalid_format': 'Le code postal comporte 5 chiffres, par exemple 45630.',
  'document_id:not_allowed': 'Choisissez une attestation de quotient familial déposée dans vos documents.',
  'member_id:not_allowed': 'Ce membre ne fait pas partie de votre foyer.',
  'given_name:not_allowed': 'Un adulte qui a son propre compte modifie son nom dans son profil.',
  'family_name:not_allowed': 'Un adulte qui a son propre compte modifie son nom dans son profil.',
};

const PROBLEM_TEXT = {
  payload_too_large: 'Le fichier est trop volumineux : 10 Mo au plus par fichier et 100 Mo pour l’ensemble des documents du foyer.',
  unsupported_media_type: 'Ce fichier n’est pas accepté : déposez un PDF, une image JPEG ou PNG dont le contenu correspond bien au format.',
  invalid_credentials: 'Le mot de passe saisi n’est pas celui de votre compte.',
};

/** « 12 mars 2031 » from YYYY-MM-DD (no time-zone shift). */
export function formatDay(ymd) {
  if (!ymd) return '';
  return formatDate(`${ymd}T12:00:00Z`, { day: 'numeric', month: 'long', year: 'numeric' });
}

/** Where a document stands against its end of validity: expired, soon (30 days) or fine. */
export function expiry(validUntil, today = new Date()) {
  if (!validUntil) return { state: 'none', text: 'Pas de date de fin de validité' };
  const end = Date.parse(`${validUntil}T23:59:59Z`);
  const days = Math.floor((end - today.getTime()) / 86400000);
  if (days < 0) return { state: 'expired', text: `Expiré depuis le ${formatDay(validUntil)}` };
  if (days <= 30) return { state: 'soon', text: `Expire bientôt : le ${formatDay(validUntil)}` };
  return { state: 'ok', text: `Valable jusqu’au ${formatDay(validUntil)}` };
}

/**
 * Shows an API error with the family pages' wording: the summary box (focused, with links to the
 * fields) and, next to each field the API named, its message (controls carry data-field="<api field>").
 */
export function showError(summary, form, err) {
  const apiErr = err instanceof ApiError ? err : new ApiError({ status: 0, code: 'internal', message: String(err) });
  showApiError(summary, form, apiErr, {
    title: 'Votre demande n’a pas abouti',
    intro: PROBLEM_TEXT[apiErr.code] || apiErr.message,
    text: (f) => FIELD_TEXT[`${f.field}:${f.code}`],
  });
}

/** Polite announcement in the page's status region. */
export function announce(text) {
  const status = document.getElementById('statut');
  if (status) status.textContent = text;
}

/** A <select> from a {value: label} map, with an optional empty first choice. */
export function select(map, { empty, value, ...attrs } = {}) {
  return h('select', attrs,
    empty !== undefined ? h('option', { value: '' }, empty) : null,
    Object.entries(map).map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}
