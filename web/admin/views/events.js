// Agenda (editors): the upcoming events, a form to create one, and the same form to edit one
// (PATCH with If-Match on the ETag each listed event carries, so two editors never overwrite each
// other silently).

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field, showApiError } from '/lib/forms.js';
import { API, backLink, dateTime, fromLocalInput, statusLine, toLocalInput, useStyles } from './content-common.js';

const FIELDS = ['title', 'starts_at', 'ends_at', 'location', 'summary', 'body_md', 'audience', 'registration_url'];

function eventForm(onSaved, status) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const heading = h('h2', { id: 'ev-form-title', tabindex: '-1' }, 'Nouvel événement');
  const submit = h('button', { class: 'btn', type: 'submit' }, 'Publier l’événement');
  const cancel = h('button', { class: 'btn btn-secondary', type: 'button', hidden: true }, 'Annuler la modification');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'ev-form-title' },
    heading, summary,
    field({ id: 'ev-titre', name: 'title', label: 'Titre', required: true, hint: '200 caractères au plus.' }),
    field({ id: 'ev-debut', name: 'starts_at', label: 'Début', type: 'datetime-local', required: true }),
    field({ id: 'ev-fin', name: 'ends_at', label: 'Fin', type: 'datetime-local', required: true }),
    field({ id: 'ev-lieu', name: 'location', label: 'Lieu' }),
    field({ id: 'ev-resume', name: 'summary', label: 'Résumé', rows: 2, hint: 'Une ou deux phrases, affichées dans la liste.' }),
    field({ id: 'ev-texte', name: 'body_md', label: 'Description', rows: 5, hint: 'Markdown : **gras**, listes, liens.' }),
    field({ id: 'ev-public', name: 'audience', label: 'Public (facultatif)', hint: 'Par exemple : tous, familles, seniors.' }),
    field({ id: 'ev-inscription', name: 'registration_url', label: 'Lien d’inscription (facultatif)', type: 'url' }),
    h('div', { class: 'ts-actions' }, submit, cancel));
  let editing = null; // { id, etag, title }: etag as the list gave it (each item carries its own)
  const reset = () => {
    editing = null;
    form.reset();
    heading.textContent = 'Nouvel événement';
    submit.textContent = 'Publier l’événement';
    cancel.hidden = true;
  };
  cancel.addEventListener('click', reset);
  form.edit = (ev) => {
    editing = { id: ev.id, etag: ev.etag, title: ev.title };
    for (const name of FIELDS) {
      const el = form.elements[name];
      if (!el) continue;
      el.value = name.endsWith('_at') ? toLocalInput(ev[name]) : ev[name] ?? '';
    }
    heading.textContent = `Modifier « ${ev.title} »`;
    submit.textContent = 'Enregistrer les modifications';
    cancel.hidden = false;
    heading.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const body = { title: v.title.trim(), starts_at: fromLocalInput(v.starts_at), ends_at: fromLocalInput(v.ends_at) };
    for (const name of ['location', 'summary', 'body_md', 'audience', 'registration_url']) {
      if (v[name].trim() || editing) body[name] = v[name].trim() || null;
    }
    try {
      if (editing) {
        await api.patch(`${API}/events/${editing.id}`, body, { headers: { 'If-Match': editing.etag } });
        status.say(`« ${body.title} » est modifié ; l’agenda public le montre déjà.`);
      } else {
        await api.post(`${API}/events`, body);
        status.say(`« ${body.title} » est publié dans l’agenda.`);
      }
      reset();
      onSaved();
    } catch (err) { showApiError(summary, form, err, { withLabels: true }); }
  });
  return form;
}

export async function renderEvents(main) {
  useStyles();
  const status = statusLine();
  const list = h('div');
  const form = eventForm(() => load(), status);
  async function load() {
    try {
      const data = await api.get(`${API}/events?limit=100`);
      replaceChildren(list, data.items.length ? h('ul', { class: 'revisions' }, data.items.map((ev) => {
        const edit = h('button', { class: 'btn btn-secondary', type: 'button', onclick: () => form.edit(ev) },
          'Modifier', h('span', { class: 'visually-hidden' }, ` « ${ev.title} »`));
        const del = h('button', { class: 'btn btn-secondary', type: 'button', onclick: async () => {
          if (!window.confirm(`Retirer « ${ev.title} » de l’agenda ?`)) return;
          try {
            await api.delete(`${API}/events/${ev.id}`);
            status.say(`« ${ev.title} » est retiré de l’agenda.`);
            load();
          } catch (err) { status.say(err.message); }
        } }, 'Retirer', h('span', { class: 'visually-hidden' }, ` « ${ev.title} »`));
        return h('li', { dataset: { id: ev.id } }, h('span', {}, `${ev.title} — ${dateTime(ev.starts_at)}${ev.location ? `, ${ev.location}` : ''}`), edit, del);
      })) : h('p', { class: 'empty-state' }, 'Aucun événement à venir.'));
    } catch (err) { status.say(err.message); }
  }
  replaceChildren(main, h('h1', {}, 'Agenda'), backLink('/admin/contenus', 'Retour aux contenus'), status,
    h('h2', {}, 'Événements à venir'), list, form);
  load();
}
