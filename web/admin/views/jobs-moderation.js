// Job offers (editors): offers waiting for validation (or any state), read in full, published
// or refused with a reason the employer sees on the page of its e-mail link.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field } from '/lib/forms.js';
import { API, STATUS_LABELS, backLink, dateTime, statusLine, useStyles } from './content-common.js';

export async function renderJobsModeration(main) {
  useStyles();
  const status = statusLine();
  const list = h('div');
  const filter = field({ id: 'j-statut', name: 'status', label: 'État', options: [['pending', 'En attente'], ['published', 'Publiées'], ['rejected', 'Refusées'], ['withdrawn', 'Retirées'], ['', 'Toutes']], value: 'pending' });
  replaceChildren(main, h('h1', {}, 'Offres d’emploi'), backLink('/admin/contenus', 'Retour aux contenus'),
    h('div', { class: 'toolbar' }, filter), status, list);
  // done: what the agent just did (« Offre publiée. »), kept in front of the new count so the
  // confirmation does not vanish when the list is read again.
  async function load(done = '') {
    const s = filter.querySelector('select').value;
    try {
      const data = await api.get(`${API}/admin/jobs?limit=100${s ? `&status=${s}` : ''}`);
      replaceChildren(list, data.items.length ? data.items.map((j, i) => {
        const comment = field({ id: `j-${i}-motif`, name: 'comment', label: 'Motif du refus', rows: 2 });
        const buttons = [];
        if (j.status === 'pending') {
          const ok = h('button', { class: 'btn', type: 'button' }, 'Publier', h('span', { class: 'visually-hidden' }, ` : ${j.title}`));
          const ko = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Refuser', h('span', { class: 'visually-hidden' }, ` : ${j.title}`));
          ok.addEventListener('click', async () => {
            try { await api.post(`${API}/jobs/${j.id}/publish`); load('Offre publiée.'); } catch (err) { status.say(err.message); }
          });
          ko.addEventListener('click', async () => {
            const text = comment.querySelector('textarea').value.trim();
            if (!text) { comment.querySelector('.field-error').textContent = 'Indiquez le motif du refus.'; return; }
            try { await api.post(`${API}/jobs/${j.id}/reject`, { comment: text }); load('Offre refusée.'); } catch (err) { status.say(err.message); }
          });
          buttons.push(ok, ko);
        }
        const desc = h('div', { class: 'prose' });
        const tpl = document.createElement('template');
        tpl.innerHTML = j.description_html; // server-rendered Markdown, raw HTML omitted
        desc.replaceChildren(tpl.content);
        return h('section', { class: 'mod-card', 'aria-labelledby': `j-${i}` },
          h('h2', { id: `j-${i}` }, j.title),
          h('p', {}, `${j.employer} — ${j.location} — ${STATUS_LABELS[j.status] || j.status}${j.expired ? ' (expirée)' : ''} — jusqu’au ${dateTime(j.expires_at)}`),
          h('p', {}, `Contact : ${j.contact_email} — déposée le ${dateTime(j.created_at)}`),
          desc, j.status === 'pending' ? comment : null, h('div', { class: 'workflow' }, buttons));
      }) : h('p', { class: 'empty-state' }, 'Aucune offre dans cet état.'));
      status.say(`${done ? `${done} ` : ''}${data.items.length} offre${data.items.length > 1 ? 's' : ''} dans cet état.`);
    } catch (err) { status.say(err.message); }
  }
  filter.querySelector('select').addEventListener('change', () => load());
  load();
}
