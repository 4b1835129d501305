// The ticket box of an event page (agenda.html?evenement=<slug>): categories with price and seats
// left, a quantity per category, then a hold (15 minutes) and the checkout — or the tickets at once
// for a free event; the waiting list when a category is sold out.

import { api, isAuthenticated, refreshSession } from '/lib/api.js';
import { formatCents, h, replaceChildren } from '/lib/dom.js';
import { PAYMENT, newKey, payBasket } from './payment-common.js';
import { signInHref } from './session-gate.js';

const slug = new URLSearchParams(location.search).get('evenement');
const box = document.getElementById('billetterie');

function row(event, cat, onBuy, onWait) {
  const qid = `q-${cat.id}`;
  const qty = h('input', { type: 'number', id: qid, min: 1, max: Math.max(1, Math.min(event.per_order_limit, cat.available)), value: 1, inputmode: 'numeric' });
  const free = cat.price_cents === 0;
  const action = cat.available > 0
    ? h('button', { type: 'button', class: 'btn' }, free ? 'Réserver' : 'Acheter', h('span', { class: 'visually-hidden' }, ` — ${cat.label}`))
    : h('button', { type: 'button', class: 'btn btn-secondary' }, 'Liste d’attente', h('span', { class: 'visually-hidden' }, ` — ${cat.label}`));
  action.addEventListener('click', () => (cat.available > 0 ? onBuy : onWait)(cat, Number(qty.value) || 1, action));
  return h('tr', {},
    h('th', { scope: 'row' }, cat.label),
    h('td', {}, free ? 'Gratuit' : formatCents(cat.price_cents)),
    h('td', {}, cat.available > 0 ? `${cat.available} place(s)` : 'Complet'),
    h('td', {}, h('label', { for: qid, class: 'visually-hidden' }, `Nombre de places, ${cat.label}`), qty),
    h('td', {}, action));
}

async function render(event) {
  const msg = h('p', { role: 'status', 'aria-live': 'polite' });
  const session = isAuthenticated() || (await refreshSession());
  const needLogin = () => {
    msg.textContent = '';
    replaceChildren(msg, 'Connectez-vous pour réserver : ',
      h('a', { href: signInHref() }, 'me connecter'), '.');
  };
  const buy = async (cat, quantity, btn) => {
    if (!session) return needLogin();
    btn.disabled = true;
    try {
      const hold = await api.post(`${PAYMENT}/holds`, { event_id: event.event_id, category: cat.label, quantity });
      if (hold.tickets) {
        msg.textContent = `C’est réservé : ${hold.tickets.length} billet(s) dans « Mes billets ».`;
        return;
      }
      msg.textContent = 'Places réservées pour 15 minutes : redirection vers le paiement…';
      await payBasket({ holds: [hold.id] }, newKey());
    } catch (err) {
      msg.textContent = err.status === 409 ? 'Il ne reste pas assez de places : inscrivez-vous sur la liste d’attente.' : err.message;
      btn.disabled = false;
    }
  };
  const wait = async (cat, quantity, btn) => {
    if (!session) return needLogin();
    btn.disabled = true;
    try {
      const w = await api.post(`${PAYMENT}/waiting-list`, { event_id: event.event_id, category: cat.label, quantity });
      msg.textContent = `Vous êtes inscrit(e) sur la liste d’attente (position ${w.position}). Si une place se libère, elle vous sera proposée par message.`;
    } catch (err) {
      msg.textContent = err.message;
      btn.disabled = false;
    }
  };
  replaceChildren(box,
    h('h2', { id: 'titre-billetterie' }, 'Billetterie'),
    h('table', { 'aria-labelledby': 'titre-billetterie' },
      h('thead', {}, h('tr', {}, ...['Catégorie', 'Prix', 'Disponibilité', 'Nombre', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...event.categories.map((c) => row(event, c, buy, wait)))),
    h('p', {}, `${event.per_order_limit} place(s) au plus par commande. `, h('a', { href: '/billets.html' }, 'Mes billets')),
    msg);
  box.hidden = false;
}

(async () => {
  if (!slug || !box) return;
  try {
    const ev = await api.get(`/api/content/v1/events/${encodeURIComponent(slug)}`);
    const ticketing = await api.get(`${PAYMENT}/ticketing/${ev.id}`);
    await render(ticketing);
  } catch {
    // no ticketing for this event: nothing to show
  }
})();
