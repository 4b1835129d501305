// Directory moderation (editors): each change a partner proposed, the published value next to
// the proposed one, approve or reject with a comment sent back to the partner's page.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field } from '/lib/forms.js';
import { API, backLink, dateTime, statusLine, useStyles } from './content-common.js';

const LABELS = { name: 'Nom', description_md: 'Présentation', address: 'Adresse', phone: 'Téléphone', email: 'Courriel', website: 'Site internet', opening_hours: 'Horaires', logo_media_id: 'Logo' };

export async function renderDirectoryModeration(main) {
  useStyles();
  const status = statusLine();
  const list = h('div');
  replaceChildren(main, h('h1', {}, 'Annuaire : modifications à valider'), backLink('/admin/contenus', 'Retour aux contenus'), status, list);
  async function load() {
    try {
      const data = await api.get(`${API}/moderation?limit=100`);
      replaceChildren(list, data.items.length ? data.items.map((c, i) => {
        const comment = field({ id: `m-${i}-commentaire`, name: 'comment', label: 'Motif du refus', rows: 2 });
        const ok = h('button', { class: 'btn', type: 'button' }, 'Valider', h('span', { class: 'visually-hidden' }, ` : ${c.organisation.name}`));
        const ko = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Refuser', h('span', { class: 'visually-hidden' }, ` : ${c.organisation.name}`));
        ok.addEventListener('click', async () => {
          try { await api.post(`${API}/moderation/${c.id}/approve`); status.say('Modification validée et publiée.'); load(); } catch (err) { status.say(err.message); }
        });
        ko.addEventListener('click', async () => {
          const text = comment.querySelector('textarea').value.trim();
          if (!text) { comment.querySelector('.field-error').textContent = 'Indiquez le motif du refus.'; return; }
          try { await api.post(`${API}/moderation/${c.id}/reject`, { comment: text }); status.say('Modification refusée.'); load(); } catch (err) { status.say(err.message); }
        });
        return h('section', { class: 'mod-card', 'aria-labelledby': `m-${i}` },
          h('h2', { id: `m-${i}` }, c.organisation.name), h('p', {}, `Proposée le ${dateTime(c.submitted_at)}`),
          h('dl', {}, Object.entries(c.changes).map(([k, v]) => [
            h('dt', {}, LABELS[k] || k),
            h('dd', {}, h('span', { class: 'visually-hidden' }, 'Actuellement : '), h('del', {}, String(c.organisation[k] ?? '') || '(vide)'), ' → ',
              h('span', { class: 'visually-hidden' }, 'proposé : '), h('ins', {}, String(v ?? '') || '(vide)'))])),
          comment, h('div', { class: 'workflow' }, ok, ko));
      }) : h('p', { class: 'empty-state' }, 'Aucune modification en attente.'));
    } catch (err) { status.say(err.message); }
  }
  load();
}
