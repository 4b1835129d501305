// « Mes billets »: the citizen's tickets with their QR code (SVG drawn by civitas-payment from the
// signed code), the event, the category and the holder's name.

import { api } from '/lib/api.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';
import { requireSession } from './session-gate.js';
import { PAYMENT, protectedImage } from './payment-common.js';

const app = document.getElementById('paiement-app');

function ticket(t) {
  const img = h('img', { alt: `Code QR du billet ${t.category || ''} pour ${t.event_title || 'l’événement'}`, width: 240, height: 240 });
  protectedImage(`${PAYMENT}/tickets/${t.id}/qr.svg`).then((url) => { img.src = url; }).catch(() => { img.alt = 'Code QR indisponible'; });
  const state = t.status === 'refunded' ? 'Remboursé' : t.used_at ? 'Déjà utilisé' : 'Valable';
  return h('li', { class: 'ticket' },
    h('h2', { class: 'h3' }, t.event_title || 'Événement'),
    t.starts_at ? h('p', {}, formatDate(t.starts_at, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })) : '',
    h('p', {}, `${t.category || ''} — ${t.holder_name}`),
    h('p', {}, h('strong', {}, state)),
    t.status === 'valid' ? img : '',
    h('p', { class: 'ticket-code' }, 'Code : ', t.code));
}

(async () => {
  if (!(await requireSession(app))) return;
  try {
    const { items } = await api.get(`${PAYMENT}/me/tickets`);
    replaceChildren(app, items.length
      ? h('ul', { class: 'ticket-list' }, ...items.map(ticket))
      : h('p', { class: 'empty-state' }, 'Vous n’avez pas encore de billet. Les événements avec billetterie sont dans l’', h('a', { href: '/agenda.html' }, 'agenda'), '.'));
  } catch (err) {
    replaceChildren(app, h('p', { class: 'error-summary', role: 'alert' }, err.message));
  }
})();
