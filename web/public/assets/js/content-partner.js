// « Ma structure »: a partner (association) edits its own directory entry. Each change waits
// for the town's validation; the page shows what is public, what is pending and the last decision.

import { api } from '/lib/api.js';
import { CONTENT_API, categoryLabel } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field, showApiError } from '/lib/forms.js';
import { values } from './content-form.js';
import { requireSession } from './session-gate.js';

const zone = document.getElementById('zone');
const status = document.getElementById('etat');

const FIELDS = [
  ['name', 'Nom de la structure', {}],
  ['description_md', 'Présentation', { rows: 8, hint: 'Activités, public, modalités d’inscription. Mise en forme Markdown possible.' }],
  ['address', 'Adresse', { attrs: { autocomplete: 'street-address' } }],
  ['phone', 'Téléphone', { type: 'tel', attrs: { autocomplete: 'tel' } }],
  ['email', 'Courriel', { type: 'email', attrs: { autocomplete: 'email' } }],
  ['website', 'Site internet', { type: 'url', hint: 'Adresse complète, commençant par https://' }],
  ['opening_hours', 'Horaires et permanences', {}],
];

function pendingBox(o) {
  if (o.pending) {
    return h('div', { class: 'pending-box' },
      h('p', {}, h('strong', {}, 'Modification en attente de validation'), ` (envoyée le ${formatDate(o.pending.submitted_at)}).`),
      h('p', {}, 'Le public voit la version validée tant que la mairie n’a pas examiné votre demande.'));
  }
  if (o.last_decision?.status === 'rejected') {
    return h('div', { class: 'notice' }, h('p', {}, 'Votre dernière demande a été refusée',
      o.last_decision.comment ? ` : « ${o.last_decision.comment} »` : '.'));
  }
  if (o.last_decision?.status === 'approved') return h('p', { class: 'success-box' }, 'Votre dernière modification a été validée et publiée.');
  return null;
}

function orgForm(o, index) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const shown = { ...o, ...(o.pending?.changes || {}) };
  const form = h('form', { novalidate: true },
    summary,
    FIELDS.map(([name, label, opts]) => field({ id: `s${index}-${name}`, mark: true, name, label, value: shown[name] || '', required: name === 'name', ...opts })),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn', type: 'submit' }, 'Envoyer pour validation')));
  // The entry's ETag as the list gave it. After a 412 it stays the one read: the message asks to
  // reload, and sending it again is refused again rather than overwriting the other change.
  const etag = o.etag;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const v = values(form);
    for (const [name] of FIELDS) if (!(name in v) && name !== 'name') v[name] = '';
    try {
      await api.patch(`${CONTENT_API}/directory/${encodeURIComponent(o.id)}`, v, { headers: { 'If-Match': etag } });
      status.textContent = 'Votre modification a été envoyée. Elle sera publiée après validation par la mairie.';
      await show();
    } catch (err) {
      showApiError(summary, form, err, { withLabels: true });
    }
  });
  return h('section', { class: 'form-card', 'aria-labelledby': `s${index}-titre` },
    h('h2', { id: `s${index}-titre` }, o.name),
    h('p', { class: 'meta' }, categoryLabel(o.category), ' — ', h('a', { href: o.url }, 'voir la fiche publique')),
    pendingBox(o),
    form);
}

async function show() {
  try {
    const data = await api.get(`${CONTENT_API}/directory/mine`);
    replaceChildren(zone, data.items.length
      ? data.items.map(orgForm)
      : h('p', { class: 'notice' }, 'Aucune structure n’est rattachée à votre compte. Contactez la mairie pour être référencé.'));
  } catch (err) {
    if (err.status === 401 || err.status === 404) return askLogin();
    status.textContent = `Votre fiche ne peut pas être affichée : ${err.message}`;
  }
}

(async () => {
  if (await requireSession(zone, 'Connectez-vous avec le compte partenaire de votre association pour mettre à jour sa fiche.')) show();
})();
