// « Mes données » (RGPD): download everything the portal holds about the person and their
// household as JSON, or erase the account after confirming with the password.

import { api, setAccessToken } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field } from '/lib/forms.js';
import { ACCOUNT, announce, showError } from './family-common.js';
import { requireSession } from './session-gate.js';

const app = document.getElementById('famille-app');

function exportSection() {
  const summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert' });
  const btn = h('button', { type: 'button', class: 'btn' }, 'Télécharger mes données (JSON)');
  btn.addEventListener('click', async () => {
    clearErrors(summary, null);
    btn.disabled = true;
    try {
      const data = await api.get(`${ACCOUNT}/me/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `mes-donnees-${data.exported_at.slice(0, 10)}.json`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      announce('Vos données ont été téléchargées.');
    } catch (err) {
      showError(summary, null, err);
    } finally {
      btn.disabled = false;
    }
  });
  return h('section', { class: 'family-section', 'aria-labelledby': 'export-titre' },
    h('h2', { id: 'export-titre' }, 'Télécharger mes données'),
    h('p', {}, 'Un fichier au format JSON réunit votre profil, votre foyer (adresse, membres, quotient familial), la liste de vos documents, vos sessions, vos notifications et l’historique des actions sur votre compte.'),
    summary, btn);
}

function deleteSection() {
  const summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, dataset: { field: 'password' } });
  const sure = h('input', { type: 'checkbox', name: 'confirm', id: 'suppression-confirmer', required: true });
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    h('div', { class: 'notice notice-danger' },
      h('p', {}, 'La suppression est définitive. Vos données personnelles, votre foyer (s’il n’est partagé avec aucun autre adulte) et vos documents sont effacés. Seules restent, anonymisées, les traces que la loi impose de conserver (factures, demandes traitées, journal de sécurité).')),
    field({ id: 'suppression-mdp', label: 'Mot de passe', control: password, hint: 'Pour confirmer qu’il s’agit bien de vous.' }),
    h('div', { class: 'field field-check' }, sure, h('label', { for: 'suppression-confirmer' }, 'Je comprends que la suppression de mon compte est définitive.')),
    h('button', { type: 'submit', class: 'btn btn-danger' }, 'Supprimer mon compte'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    if (!sure.checked || !password.value) {
      summary.replaceChildren(h('h2', {}, 'Votre demande n’a pas abouti'),
        h('p', {}, !password.value ? 'Saisissez votre mot de passe.' : 'Cochez la case pour confirmer la suppression.'));
      summary.focus();
      return;
    }
    try {
      await api.delete(`${ACCOUNT}/me`, { body: { password: password.value } });
      setAccessToken(null);
      replaceChildren(app, h('div', { class: 'notice', role: 'status', tabindex: '-1', id: 'suppression-faite' },
        h('h2', {}, 'Votre compte a été supprimé'),
        h('p', {}, 'Vos données personnelles ont été effacées. Merci d’avoir utilisé le portail.'),
        h('p', {}, h('a', { href: '/' }, 'Retour à l’accueil'))));
      document.getElementById('suppression-faite').focus();
    } catch (err) {
      showError(summary, form, err);
    }
  });
  return h('section', { class: 'family-section', 'aria-labelledby': 'suppression-titre' },
    h('h2', { id: 'suppression-titre' }, 'Supprimer mon compte'), form);
}

if (await requireSession(app)) replaceChildren(app, exportSection(), deleteSection());
