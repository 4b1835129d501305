// The payment result (paiement.html?commande=<id>): the browser's return proves nothing, so the
// page asks civitas-payment for the checkout's state — which only a verified notification from
// the provider changes — until it is final, then says it in plain French.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { requireSession } from './session-gate.js';
import { CHECKOUT_STATUS, PAYMENT } from './payment-common.js';

const app = document.getElementById('paiement-app');
const id = new URLSearchParams(location.search).get('commande') || '';

function outcome(c) {
  const links = h('p', {}, h('a', { href: '/factures.html' }, 'Mes factures'), ' · ', h('a', { href: '/billets.html' }, 'Mes billets'));
  if (c.status === 'succeeded') {
    return [h('p', { role: 'status' }, h('strong', {}, 'Votre paiement est accepté. '),
      c.tickets.length ? `Vos ${c.tickets.length} billet(s) sont dans « Mes billets ».` : 'Vos reçus sont dans « Mes factures ».'), links];
  }
  if (c.status === 'failed') return [h('p', { role: 'alert' }, 'Votre paiement a été refusé par la banque : aucun montant n’a été débité. Vous pouvez réessayer depuis « Mes factures ».'), links];
  if (c.status === 'cancelled') return [h('p', { role: 'status' }, 'Le paiement a été annulé : aucun montant n’a été débité.'), links];
  if (c.status === 'expired') return [h('p', { role: 'alert' }, 'Le délai de 20 minutes est dépassé : le paiement a expiré et les places réservées ont été libérées.'), links];
  return null;
}

(async () => {
  if (!(await requireSession(app))) return;
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    replaceChildren(app, h('p', { role: 'alert' }, 'Ce lien de paiement n’est pas valable.'));
    return;
  }
  for (let i = 0; i < 60; i++) {
    try {
      const c = await api.get(`${PAYMENT}/checkouts/${id}`);
      const done = outcome(c);
      if (done) {
        replaceChildren(app, ...done);
        return;
      }
      replaceChildren(app, h('p', { role: 'status' }, `${CHECKOUT_STATUS[c.status] || c.status}…`));
    } catch (err) {
      replaceChildren(app, h('p', { role: 'alert' }, err.message));
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  replaceChildren(app, h('p', { role: 'status' }, 'La confirmation tarde : vous recevrez un message dès que la banque aura répondu.'));
})();
