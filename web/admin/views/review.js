// Review queue (editors): what contributors submitted, oldest first, with a link to the editor
// where the editor reads the preview, publishes or sends it back with a comment. The queue lists
// items (title, section, author, date), not whole articles: the editor loads the body.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { API, backLink, dateTime, statusLine, useStyles } from './content-common.js';

// ", rubrique Vie municipale › Conseil" — where the article will appear, from its breadcrumb.
function rubrique(a) {
  const path = (a.breadcrumb || []).map((c) => c.title).join(' › ');
  return path ? `, rubrique ${path}` : '';
}

export async function renderReview(main) {
  useStyles();
  const status = statusLine();
  const list = h('div');
  replaceChildren(main, h('h1', {}, 'Relecture'), backLink('/admin/contenus', 'Retour aux contenus'),
    h('p', { class: 'admin-lead' }, 'Les contenus soumis par les contributeurs, du plus ancien au plus récent.'), status, list);
  try {
    const data = await api.get(`${API}/review?limit=100`);
    replaceChildren(list, data.items.length
      ? h('ul', { class: 'revisions' }, data.items.map((a) => h('li', {},
        h('a', { href: `/admin/articles/edition?id=${a.id}`, dataset: { link: '' } }, a.title),
        h('span', {}, ` — ${a.author?.name || 'contributeur'}, soumis le ${dateTime(a.updated_at)}${rubrique(a)}`))))
      : h('p', { class: 'empty-state' }, 'Rien à relire pour le moment.'));
    status.say(`${data.items.length} contenu${data.items.length > 1 ? 's' : ''} en attente de relecture.`);
  } catch (err) {
    status.say(err.message);
  }
}
