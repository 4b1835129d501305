// « Mes factures »: the household's open invoices with checkboxes to pay several at once (one
// checkout, then the provider's page), and the paid ones with their receipt.

import { api, openFile } from '/lib/api.js';
import { formatCents, h, replaceChildren } from '/lib/dom.js';
import { announce, formatDay } from './family-common.js';
import { requireSession } from './session-gate.js';
import { INVOICE_STATUS, PAYMENT, newKey, payBasket } from './payment-common.js';

const app = document.getElementById('paiement-app');

function pricingText(inv) {
  const basis = inv.pricing && inv.pricing.basis;
  if (basis === 'verified_qf') return `Tarif calculé selon votre quotient familial (${inv.pricing.qf}).`;
  if (basis === 'default_declared') return 'Tarif plein : votre quotient familial n’est pas encore vérifié par la mairie.';
  if (basis === 'default_expired') return 'Tarif plein : votre attestation de quotient familial a expiré.';
  if (basis === 'default_missing') return 'Tarif plein : aucun quotient familial n’est enregistré pour votre foyer.';
  return '';
}

function lines(inv) {
  return h('ul', {}, ...inv.lines.map((l) => h('li', {}, `${l.label} : ${l.quantity} × ${formatCents(l.unit_cents)}`)));
}

function openItem(inv, onChange) {
  const id = `f-${inv.id}`;
  const box = h('input', { type: 'checkbox', id, value: inv.id, checked: true });
  box.addEventListener('change', onChange);
  return h('li', { class: 'pay-item' },
    h('label', { for: id }, box, h('span', {}, `${inv.label} — facture n° ${inv.number}`)),
    h('p', { class: 'pay-amount' }, formatCents(inv.total_cents)),
    h('p', {}, `À payer avant le ${formatDay(inv.due_date)}.`),
    lines(inv),
    pricingText(inv) ? h('p', {}, pricingText(inv)) : '');
}

function paidItem(inv) {
  const receipt = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Voir le reçu',
    h('span', { class: 'visually-hidden' }, ` de la facture ${inv.number}`));
  receipt.addEventListener('click', () => openFile(`${PAYMENT}/invoices/${inv.id}/receipt`)
    .catch(() => announce('Le reçu n’a pas pu être ouvert.')));
  return h('li', { class: 'pay-item' },
    h('p', {}, h('strong', {}, `${inv.label} — facture n° ${inv.number}`)),
    h('p', {}, h('span', { class: `pay-status pay-status-${inv.status === 'paid' ? 'paid' : 'other'}` }, INVOICE_STATUS[inv.status] || inv.status),
      ` ${formatCents(inv.total_cents)}`, inv.paid_at ? `, le ${formatDay(inv.paid_at.slice(0, 10))}` : ''),
    inv.refunded_cents > 0 ? h('p', {}, `Remboursé : ${formatCents(inv.refunded_cents)}`) : '',
    ['paid', 'refunded', 'partially_refunded'].includes(inv.status) ? receipt : '');
}

async function render() {
  const { items } = await api.get(`${PAYMENT}/me/invoices`);
  const open = items.filter((i) => i.status === 'open');
  const done = items.filter((i) => i.status !== 'open');
  const total = h('strong', { id: 'total', 'aria-live': 'polite' });
  const error = h('p', { id: 'erreur-paiement', class: 'error-summary', role: 'alert', hidden: true });
  const payBtn = h('button', { type: 'submit', class: 'btn' }, 'Payer la sélection');
  let key = newKey();
  const update = () => {
    const chosen = open.filter((i) => document.getElementById(`f-${i.id}`).checked);
    total.textContent = `Total sélectionné : ${formatCents(chosen.reduce((s, i) => s + i.total_cents, 0))}`;
    payBtn.disabled = chosen.length === 0;
    key = newKey(); // another basket: another key
  };
  const form = h('form', { 'aria-labelledby': 'titre-a-payer' },
    h('ul', { class: 'pay-list' }, ...open.map((i) => openItem(i, update))),
    h('div', { class: 'pay-total' }, total, payBtn), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ids = open.filter((i) => document.getElementById(`f-${i.id}`).checked).map((i) => i.id);
    if (ids.length === 0) return;
    payBtn.disabled = true;
    error.hidden = true;
    try {
      announce('Redirection vers la page de paiement sécurisée…');
      await payBasket({ invoice_ids: ids }, key);
    } catch (err) {
      error.textContent = err.status === 409
        ? 'Une des factures a déjà été payée ou annulée : la liste va être mise à jour.'
        : err.message;
      error.hidden = false;
      payBtn.disabled = false;
      if (err.status === 409) setTimeout(() => render().catch(() => {}), 1500);
    }
  });
  replaceChildren(app,
    h('h2', { id: 'titre-a-payer' }, 'À payer'),
    open.length ? form : h('p', { class: 'empty-state' }, 'Vous n’avez aucune facture à payer.'),
    h('h2', {}, 'Factures réglées'),
    done.length ? h('ul', { class: 'pay-list' }, ...done.map(paidItem)) : h('p', { class: 'empty-state' }, 'Aucune facture réglée pour le moment.'));
  if (open.length) update();
}

(async () => {
  if (!(await requireSession(app))) return;
  try {
    await render();
  } catch (err) {
    replaceChildren(app, h('p', { class: 'error-summary', role: 'alert' }, err.message));
  }
})();
