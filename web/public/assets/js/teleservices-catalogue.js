// Démarches en ligne: the catalogue of published procedures, by life event and by service.

import { api } from '/lib/api.js';
import { h, replaceChildren, formatCents } from '/lib/dom.js';
import { LIFE_EVENTS, serviceLabel, TS } from './teleservices-common.js';
import { basket } from './teleservices-basket.js';

const root = document.getElementById('ts-catalogue');

function card(p) {
  return h('li', { class: 'ts-card' },
    h('h3', {}, h('a', { href: `/demarche.html?slug=${encodeURIComponent(p.slug)}` }, p.title)),
    h('p', {}, p.description_md.length > 220 ? `${p.description_md.slice(0, 217)}…` : p.description_md),
    h('p', { class: 'ts-meta' }, `${serviceLabel(p.service)} · réponse sous ${p.sla_days} jours ouvrés`
      + (p.fee_cents ? ` · ${formatCents(p.fee_cents)}` : ' · gratuit')));
}

async function start() {
  if (!root) return;
  let list;
  try {
    list = (await api.get(`${TS}/procedures`)).items;
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
    return;
  }
  if (!list.length) {
    replaceChildren(root, h('p', { class: 'empty-state' }, 'Aucune démarche en ligne n’est disponible pour le moment.'));
    return;
  }
  const byEvent = new Map();
  for (const p of list) {
    const key = p.life_event || 'autres';
    if (!byEvent.has(key)) byEvent.set(key, []);
    byEvent.get(key).push(p);
  }
  const services = [...new Set(list.map((p) => p.service))];
  const waiting = basket();
  replaceChildren(root,
    waiting.length ? h('div', { class: 'notice', role: 'status' },
      h('p', {}, `Envoi groupé en préparation : ${waiting.map((b) => b.title).join(', ')}.`),
      h('p', {}, 'Choisissez la démarche à ajouter (pour la même personne ou une autre) : vous relirez et enverrez tout en une fois.'),
      h('p', {}, h('a', { href: `/demarche.html?slug=${encodeURIComponent(waiting[waiting.length - 1].slug)}&draft=${waiting[waiting.length - 1].id}` }, 'Revenir à ma démarche sans en ajouter'))) : null,
    h('h2', {}, 'Par moment de vie'),
    [...byEvent.entries()].map(([key, items]) => h('section', { class: 'ts-group', 'aria-labelledby': `ev-${key}` },
      h('h3', { id: `ev-${key}`, class: 'ts-group-title' }, LIFE_EVENTS[key] || 'Autres démarches'),
      h('ul', { class: 'ts-cards' }, items.map(card)))),
    h('h2', {}, 'Par service'),
    h('ul', { class: 'ts-services' }, services.map((s) => h('li', {},
      h('strong', {}, serviceLabel(s)), ' : ',
      list.filter((p) => p.service === s).map((p, i) => [i ? ', ' : '', h('a', { href: `/demarche.html?slug=${encodeURIComponent(p.slug)}` }, p.title)])))),
    h('p', {}, h('a', { href: '/mes-demandes.html' }, 'Suivre mes demandes')));
}

start();
