// Plan du site: the sections tree of civitas-content under « Pages de la commune ».

import { api } from '/lib/api.js';
import { CONTENT_API } from '/lib/content.js';
import { h, replaceChildren } from '/lib/dom.js';

const zone = document.getElementById('rubriques-contenu');

function tree(nodes) {
  return h('ul', {}, nodes.map((n) => h('li', {},
    h('a', { href: `/page.html?rubrique=${encodeURIComponent(n.slug)}` }, n.title),
    n.children?.length ? tree(n.children) : null)));
}

api.get(`${CONTENT_API}/sections`).then((data) => {
  replaceChildren(zone, h('h2', {}, 'Pages de la commune'),
    data.items?.length ? tree(data.items) : h('p', { class: 'empty-state' }, 'Aucune rubrique pour le moment.'));
}).catch(() => {
  replaceChildren(zone, h('h2', {}, 'Pages de la commune'), h('p', {}, 'Les rubriques ne peuvent pas être affichées pour le moment.'));
});
