// Alert banner (editors): the alerts, active or scheduled, a form to publish one at once (or
// from a date), and removal.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field, showApiError } from '/lib/forms.js';
import { API, backLink, dateTime, fromLocalInput, statusLine, useStyles } from './content-common.js';

const LEVELS = [['warning', 'Important'], ['critical', 'Urgent'], ['info', 'Information']];

export async function renderAlerts(main) {
  useStyles();
  const status = statusLine();
  const list = h('div');
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-nouvelle' },
    h('h2', { id: 'titre-nouvelle' }, 'Nouvelle alerte'), summary,
    field({ id: 'al-niveau', name: 'level', label: 'Niveau', options: LEVELS, value: 'warning' }),
    field({ id: 'al-message', name: 'message', label: 'Message', rows: 3, required: true, hint: '500 caractères au plus.' }),
    field({ id: 'al-lien', name: 'link', label: 'Lien « En savoir plus » (facultatif)', hint: 'Une page du site (/page.html?slug=…) ou une adresse https://' }),
    field({ id: 'al-debut', name: 'starts_at', label: 'Début (vide : tout de suite)', type: 'datetime-local' }),
    field({ id: 'al-fin', name: 'ends_at', label: 'Fin (vide : jusqu’à son retrait)', type: 'datetime-local' }),
    h('button', { class: 'btn', type: 'submit' }, 'Publier l’alerte'));
  async function load() {
    try {
      const data = await api.get(`${API}/alerts`);
      replaceChildren(list, data.items.length ? h('ul', { class: 'revisions' }, data.items.map((a) => {
        const del = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Retirer', h('span', { class: 'visually-hidden' }, ` l’alerte « ${a.message} »`));
        del.addEventListener('click', async () => {
          try {
            await api.delete(`${API}/alerts/${a.id}`);
            status.say('Alerte retirée.');
            load();
          } catch (err) { status.say(err.message); }
        });
        return h('li', {}, h('span', {}, `${a.active ? 'En ligne' : 'Hors ligne'} — ${a.message} (du ${dateTime(a.starts_at)}${a.ends_at ? ` au ${dateTime(a.ends_at)}` : ''})`), del);
      })) : h('p', { class: 'empty-state' }, 'Aucune alerte.'));
    } catch (err) { status.say(err.message); }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const body = { level: v.level, message: v.message.trim() };
    if (v.link.trim()) body.link = v.link.trim();
    if (v.starts_at) body.starts_at = fromLocalInput(v.starts_at);
    if (v.ends_at) body.ends_at = fromLocalInput(v.ends_at);
    try {
      await api.post(`${API}/alerts`, body);
      form.reset();
      status.say('Alerte publiée : elle apparaît en haut du site.');
      load();
    } catch (err) { showApiError(summary, form, err, { withLabels: true }); }
  });
  replaceChildren(main, h('h1', {}, 'Bandeau d’alerte'), backLink('/admin/contenus', 'Retour aux contenus'), status,
    h('h2', {}, 'Alertes'), list, form);
  load();
}
