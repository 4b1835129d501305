// Media library: upload PNG, JPEG or WebP images (5 Mo at most; the server checks the bytes,
// SVG is refused) with their alternative text, and edit that text later.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field, showApiError } from '/lib/forms.js';
import { API, backLink, statusLine, useStyles } from './content-common.js';

const MAX = 5 * 1024 * 1024;

export async function renderMedia(main) {
  useStyles();
  const status = statusLine();
  const grid = h('ul', { class: 'media-grid' });
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-envoi' },
    h('h2', { id: 'titre-envoi' }, 'Ajouter une image'), summary,
    field({ id: 'm-fichier', name: 'file', label: 'Image (PNG, JPEG ou WebP, 5 Mo au plus)', type: 'file', attrs: { accept: 'image/png,image/jpeg,image/webp' } }),
    field({ id: 'm-alt', name: 'alt', label: 'Texte alternatif', hint: 'Décrivez ce que montre l’image ; obligatoire pour une image de couverture.' }),
    h('button', { class: 'btn', type: 'submit' }, 'Envoyer'));
  async function load() {
    try {
      const data = await api.get(`${API}/media?limit=100`);
      replaceChildren(grid, data.items.map((m, i) => {
        const alt = field({ id: `m-${i}-alt`, name: 'alt', label: 'Texte alternatif', value: m.alt });
        const save = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Enregistrer le texte', h('span', { class: 'visually-hidden' }, ` de l’image ${i + 1}`));
        save.addEventListener('click', async () => {
          try { await api.patch(`${API}/media/${m.id}`, { alt: alt.querySelector('input').value }); status.say('Texte alternatif enregistré.'); } catch (err) { status.say(err.message); }
        });
        return h('li', { class: 'mod-card' }, h('img', { src: m.url, alt: m.alt || '' }), h('p', {}, `${m.filename || m.id} — ${Math.round(m.size / 1024)} Ko`), alt, save);
      }));
      if (!data.items.length) replaceChildren(grid, h('li', { class: 'empty-state' }, 'Aucune image.'));
    } catch (err) { status.say(err.message); }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) { showApiError(summary, form, { message: 'Choisissez une image.', fields: [{ field: 'file', message: 'Choisissez une image.' }] }, { withLabels: true }); return; }
    if (file.size > MAX) { showApiError(summary, form, { message: 'Image trop lourde.', fields: [{ field: 'file', message: 'L’image dépasse 5 Mo.' }] }, { withLabels: true }); return; }
    const q = new URLSearchParams({ filename: file.name.slice(0, 200) });
    if (form.elements.alt.value.trim()) q.set('alt', form.elements.alt.value.trim());
    try {
      await api.post(`${API}/media?${q}`, file, { headers: { 'Content-Type': file.type || 'application/octet-stream' } });
      form.reset();
      status.say('Image ajoutée.');
      load();
    } catch (err) { showApiError(summary, form, err, { withLabels: true }); }
  });
  replaceChildren(main, h('h1', {}, 'Médiathèque'), backLink('/admin/contenus', 'Retour aux contenus'), status, form, h('h2', {}, 'Images'), grid);
  load();
}
