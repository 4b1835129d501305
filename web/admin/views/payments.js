// Agents' « Paiements » (treasury: admins and agents of the régie): invoices (create, cancel,
// refund), price grids, ticketing per event with sales so far, the door check (any agent), and
// the transactions with the reconciliation export and its daily totals.

import { api, download } from '/lib/api.js';
import { formatCents, h, replaceChildren, townDay } from '/lib/dom.js';
import { clearErrors, field, retryText, showErrors } from '/lib/forms.js';
import { mayUse } from '../access.js';

const PAY = '/api/payment/v1';
const LATE = { to_refund: 'à rembourser par la régie', refunded: 'remboursé' };
const STATUS = { open: 'À payer', paid: 'Payée', cancelled: 'Annulée', refunded: 'Remboursée', partially_refunded: 'Remboursée en partie' };
const TABS = [
  ['/admin/paiements', 'Factures'], ['/admin/paiements/grilles', 'Grilles tarifaires'],
  ['/admin/paiements/billetterie', 'Billetterie'], ['/admin/paiements/controle', 'Contrôle des billets'],
  ['/admin/paiements/transactions', 'Transactions et export'],
];

function subnav(current) {
  return h('nav', { class: 'ts-subnav', 'aria-label': 'Paiements' },
    h('ul', {}, ...TABS.filter(([href]) => mayUse(href.slice('/admin'.length))).map(([href, label]) => h('li', {}, h('a', { href, 'data-link': '', 'aria-current': href === current ? 'page' : null }, label)))));
}

function errorBox() {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
}

// An API error in the form's summary (forms.js): a field error goes next to the control whose
// wrapper names that API field (field({ name })), one with no such control is listed with the
// field's name.
function showError(box, form, err) {
  const named = (f) => form.querySelector(`[data-field="${CSS.escape(f.field)}"]`);
  const items = (err.fields || []).map((f) => ({ field: f.field, message: named(f) ? f.message : `${f.field} : ${f.message}` }));
  showErrors(box, form, { title: 'Le formulaire n’a pas pu être envoyé', intro: retryText(err), items, withLabels: true });
}

// Lines of a refused file (their number, column, message: the problem's errors member) in its
// form's summary.
function showLineErrors(box, form, err) {
  const lines = Array.isArray(err.problem?.errors) ? err.problem.errors : [];
  if (!lines.length) { showError(box, form, err); return; }
  showErrors(box, form, { title: 'Rien n’a été importé', intro: retryText(err),
    items: lines.map((x) => ({ message: `ligne ${x.line} (${x.field || 'ligne'}) : ${x.message}` })) });
}

function euros(input) {
  const m = /^\s*(\d+)(?:[,.](\d{1,2}))?\s*$/.exec(input);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

function page(main, current, title, lead, ...content) {
  if (!document.querySelector('link[data-ts-css]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/admin/views/ts.css', dataset: { tsCss: '' } }));
  }
  replaceChildren(main, h('h1', {}, title), subnav(current), h('p', { class: 'admin-lead' }, lead), ...content);
}

/* --- invoices --- */
export function renderInvoices(main) {
  // Invoices are the treasury's (admins, régie agents); other agents come here for the door check
  // only, so they are not offered a list the payment service would refuse them.
  if (!mayUse('/paiements/transactions')) {
    page(main, '/admin/paiements', 'Paiements', 'Les factures sont gérées par la régie et les administrateurs.',
      h('p', {}, h('a', { href: '/admin/paiements/controle', 'data-link': '' }, 'Contrôler un billet à l’entrée')));
    return;
  }
  const status = h('select', {}, h('option', { value: '' }, 'Tous'), ...Object.entries(STATUS).map(([v, l]) => h('option', { value: v }, l)));
  const q = h('input', { type: 'search' });
  const out = h('div', { 'aria-live': 'polite' });
  const filters = h('form', { class: 'ts-filters' }, field({ id: 'pay-status', label: 'Statut', control: status }), field({ id: 'pay-q', label: 'Numéro ou libellé', control: q }),
    h('button', { type: 'submit', class: 'btn' }, 'Filtrer'));
  const msg = h('p', { role: 'status' });
  async function refund(inv) {
    const amount = window.prompt(`Montant à rembourser (en euros, au plus ${formatCents(inv.paid_cents - inv.refunded_cents)})`);
    if (amount === null) return;
    const cents = euros(amount);
    const reason = cents ? window.prompt('Motif du remboursement') : null;
    if (!cents || !reason) { msg.textContent = 'Remboursement abandonné : montant ou motif manquant.'; return; }
    try {
      await api.post(`${PAY}/invoices/${inv.id}/refunds`, { amount_cents: cents, reason });
      msg.textContent = `Facture ${inv.number} : ${formatCents(cents)} remboursés.`;
      load();
    } catch (err) { msg.textContent = err.message; }
  }
  async function cancel(inv) {
    if (!window.confirm(`Annuler la facture ${inv.number} ?`)) return;
    try {
      await api.post(`${PAY}/invoices/${inv.id}/cancel`, {});
      msg.textContent = `Facture ${inv.number} annulée.`;
      load();
    } catch (err) { msg.textContent = err.message; }
  }
  async function load() {
    try {
      const params = new URLSearchParams({ limit: '100' });
      if (status.value) params.set('status', status.value);
      if (q.value.trim()) params.set('q', q.value.trim());
      const { items } = await api.get(`${PAY}/invoices?${params}`);
      if (!items.length) { replaceChildren(out, h('p', { class: 'empty-state' }, 'Aucune facture.')); return; }
      replaceChildren(out, h('table', { class: 'ts-table' }, h('caption', {}, 'Factures'),
        h('thead', {}, h('tr', {}, ...['Numéro', 'Libellé', 'Montant', 'Statut', 'Échéance', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...items.map((inv) => {
          const actions = h('div', { class: 'ts-actions' });
          if (inv.status === 'open') {
            const b = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Annuler', h('span', { class: 'visually-hidden' }, ` la facture ${inv.number}`));
            b.addEventListener('click', () => cancel(inv));
            actions.append(b);
          }
          if (inv.status === 'paid' || inv.status === 'partially_refunded') {
            const b = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Rembourser', h('span', { class: 'visually-hidden' }, ` la facture ${inv.number}`));
            b.addEventListener('click', () => refund(inv));
            actions.append(b);
          }
          return h('tr', {}, h('th', { scope: 'row' }, inv.number), h('td', {}, inv.label), h('td', {}, formatCents(inv.total_cents)),
            h('td', {}, STATUS[inv.status] || inv.status, inv.refunded_cents ? ` (${formatCents(inv.refunded_cents)} remboursés)` : ''),
            h('td', {}, inv.due_date), h('td', {}, actions));
        }))));
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, err.message));
    }
  }
  filters.addEventListener('submit', (e) => { e.preventDefault(); load(); });

  // creation: one line, priced by hand or by a grid
  const hh = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const label = h('input', { type: 'text' });
  const lineLabel = h('input', { type: 'text' });
  const qty = h('input', { type: 'number', min: '1', max: '1000', value: '1' });
  const price = h('input', { type: 'text', inputmode: 'decimal', placeholder: '12,50' });
  const grid = h('input', { type: 'text', placeholder: 'cantine' });
  const due = h('input', { type: 'date' });
  const createErr = errorBox();
  const create = h('form', {}, h('h2', {}, 'Nouvelle facture'), createErr,
    field({ id: 'inv-hh', name: 'household_id', label: 'Identifiant du foyer', control: hh }), field({ id: 'inv-label', name: 'label', label: 'Libellé', control: label }),
    field({ id: 'inv-line', name: 'lines[0].label', label: 'Prestation', control: lineLabel }), field({ id: 'inv-qty', name: 'lines[0].quantity', label: 'Quantité', control: qty }),
    field({ id: 'inv-price', name: 'lines[0].unit_cents', label: 'Prix unitaire en euros (ou une grille ci-dessous)', control: price }),
    field({ id: 'inv-grid', name: 'lines[0].grid', label: 'Grille tarifaire (prix selon le quotient familial)', control: grid }), field({ id: 'inv-due', name: 'due_date', label: 'Échéance', control: due }),
    h('button', { type: 'submit', class: 'btn' }, 'Créer la facture'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(createErr, create);
    createErr.hidden = true;
    const line = { label: lineLabel.value, quantity: Number(qty.value) };
    if (grid.value.trim()) line.grid = grid.value.trim();
    else line.unit_cents = euros(price.value) ?? -1;
    try {
      const inv = await api.post(`${PAY}/invoices`, { household_id: hh.value.trim(), label: label.value, due_date: due.value, lines: [line] });
      msg.textContent = `Facture ${inv.number} créée : ${formatCents(inv.total_cents)}.`;
      create.reset();
      load();
    } catch (err) { showError(createErr, create, err); }
  });
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const importErr = errorBox();
  const importForm = h('form', {}, h('h2', {}, 'Importer un fichier CSV'),
    h('p', {}, 'Colonnes : household_id;reference;label;line_label;quantity;unit_price;due_date. Une seule ligne fausse et rien n’est importé : toutes les lignes à corriger sont listées.'),
    importErr, field({ id: 'inv-csv', label: 'Fichier CSV', control: file }), h('button', { type: 'submit', class: 'btn' }, 'Importer'));
  importForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(importErr, importForm);
    importErr.hidden = true;
    if (!file.files[0]) return;
    try {
      const body = await api.post(`${PAY}/invoices/import`, await file.files[0].text(), { headers: { 'Content-Type': 'text/csv' } });
      msg.textContent = `${body.imported} facture(s) importée(s).`;
      load();
    } catch (err) { showLineErrors(importErr, importForm, err); }
  });
  page(main, '/admin/paiements', 'Paiements : factures', 'Créer, annuler, rembourser ; les familles paient en ligne depuis « Mes factures ».',
    msg, filters, out, create, importForm);
  load();
}

/* --- grids --- */
export function renderGrids(main) {
  const out = h('div', { 'aria-live': 'polite' });
  const service = h('input', { type: 'text', placeholder: 'cantine' });
  const label = h('input', { type: 'text' });
  const brackets = h('textarea', { rows: 4, placeholder: '500:1,20\n800:2,50\n1200:3,80' });
  const def = h('input', { type: 'text', inputmode: 'decimal' });
  const err = errorBox();
  const msg = h('p', { role: 'status' });
  async function load() {
    const { items } = await api.get(`${PAY}/grids`);
    replaceChildren(out, items.length ? h('table', { class: 'ts-table' }, h('caption', {}, 'Grilles en vigueur'),
      h('thead', {}, h('tr', {}, ...['Service', 'Libellé', 'Tranches (QF ≤ … : prix)', 'Prix par défaut'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...items.map((g) => h('tr', {}, h('th', { scope: 'row' }, g.service), h('td', {}, g.label),
        h('td', {}, g.brackets.map((b) => `≤ ${b.qf_max} : ${formatCents(b.price_cents)}`).join(' · ')), h('td', {}, formatCents(g.default_price_cents))))))
      : h('p', { class: 'empty-state' }, 'Aucune grille.'));
  }
  const form = h('form', {}, h('h2', {}, 'Créer ou remplacer une grille'), err,
    field({ id: 'g-service', label: 'Service (ex. cantine)', control: service }), field({ id: 'g-label', name: 'label', label: 'Libellé', control: label }),
    field({ id: 'g-brackets', name: 'brackets', label: 'Tranches, une par ligne « QF maximum:prix en euros »', control: brackets }),
    field({ id: 'g-default', name: 'default_price_cents', label: 'Prix par défaut (le plus élevé), en euros', control: def }),
    h('button', { type: 'submit', class: 'btn' }, 'Enregistrer'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(err, form);
    err.hidden = true;
    const list = brackets.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [qf, p] = l.split(':');
      return { qf_max: Number(qf), price_cents: euros(p || '') ?? -1 };
    });
    try {
      await api.put(`${PAY}/grids/${encodeURIComponent(service.value.trim())}`, { label: label.value, brackets: list, default_price_cents: euros(def.value) ?? -1 });
      msg.textContent = 'Grille enregistrée.';
      load();
    } catch (x) { showError(err, form, x); }
  });
  page(main, '/admin/paiements/grilles', 'Paiements : grilles tarifaires',
    'Le prix dépend du quotient familial vérifié ; un quotient déclaré, expiré ou absent paie le prix par défaut.', msg, out, form);
  load().catch((x) => replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, x.message)));
}

/* --- ticketing --- */
export function renderTicketing(main) {
  const out = h('div', { 'aria-live': 'polite' });
  const msg = h('p', { role: 'status' });
  async function load() {
    const { items } = await api.get(`${PAY}/ticketing`);
    replaceChildren(out, items.length ? h('div', {}, ...items.map((ev) => h('table', { class: 'ts-table' },
      h('caption', {}, `${ev.title} — ventes du ${ev.sales_open_at.slice(0, 10)} au ${ev.sales_close_at.slice(0, 10)}`),
      h('thead', {}, h('tr', {}, ...['Catégorie', 'Prix', 'Capacité', 'Vendues', 'Réservées', 'Disponibles', 'Liste d’attente'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...ev.categories.map((c) => h('tr', {}, h('th', { scope: 'row' }, c.label), h('td', {}, formatCents(c.price_cents)),
        h('td', {}, String(c.capacity)), h('td', {}, String(c.sold)), h('td', {}, String(c.held)), h('td', {}, String(c.available)), h('td', {}, String(c.waiting))))))))
      : h('p', { class: 'empty-state' }, 'Aucun événement avec billetterie.'));
  }
  const ev = h('input', { type: 'text', placeholder: 'identifiant de l’événement' });
  const open = h('input', { type: 'datetime-local' });
  const close = h('input', { type: 'datetime-local' });
  const limit = h('input', { type: 'number', min: '1', max: '50', value: '6' });
  const cats = h('textarea', { rows: 3, placeholder: 'Plein tarif:12,00:80\nTarif réduit:6,00:40' });
  const err = errorBox();
  const form = h('form', {}, h('h2', {}, 'Ouvrir ou modifier une billetterie'), err,
    field({ id: 't-event', name: 'event_id', label: 'Identifiant de l’événement de l’agenda', control: ev }),
    field({ id: 't-open', name: 'sales_open_at', label: 'Début des ventes', control: open }), field({ id: 't-close', name: 'sales_close_at', label: 'Fin des ventes', control: close }),
    field({ id: 't-limit', name: 'per_order_limit', label: 'Places au plus par commande', control: limit }),
    field({ id: 't-cats', name: 'categories', label: 'Catégories, une par ligne « libellé:prix en euros:capacité »', control: cats }),
    h('button', { type: 'submit', class: 'btn' }, 'Enregistrer'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(err, form);
    err.hidden = true;
    const categories = cats.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [label, p, c] = l.split(':');
      return { label, price_cents: euros(p || '') ?? -1, capacity: Number(c) };
    });
    try {
      await api.put(`${PAY}/ticketing/${encodeURIComponent(ev.value.trim())}`, {
        sales_open_at: new Date(open.value).toISOString(), sales_close_at: new Date(close.value).toISOString(),
        per_order_limit: Number(limit.value), categories,
      });
      msg.textContent = 'Billetterie enregistrée.';
      load();
    } catch (x) { showError(err, form, x); }
  });
  page(main, '/admin/paiements/billetterie', 'Paiements : billetterie', 'Les ventes en cours ; la capacité n’est jamais dépassée.', msg, out, form);
  load().catch((x) => replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, x.message)));
}

/* --- door check --- */
export function renderDoorCheck(main) {
  const code = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const verdict = h('div', { role: 'status', 'aria-live': 'assertive' });
  const form = h('form', {}, field({ id: 'door-code', label: 'Code du billet (tapez-le ou collez-le)', control: code }),
    h('button', { type: 'submit', class: 'btn' }, 'Vérifier'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api.post(`${PAY}/tickets/verify`, { code: code.value.trim() });
      const t = r.ticket;
      const text = r.result === 'valid' ? `Billet valable : ${t.holder_name}, ${t.category}, ${t.event_title}. Entrée enregistrée.`
        : r.result === 'already_used' ? `Billet déjà utilisé (${t.used_at}). Refusez l’entrée.` : 'Billet invalide. Refusez l’entrée.';
      replaceChildren(verdict, h('p', { class: r.result === 'valid' ? 'notice' : 'error-summary' }, h('strong', {}, text)));
      code.value = '';
      code.focus();
    } catch (err) {
      replaceChildren(verdict, h('p', { class: 'error-summary' }, err.message));
    }
  });
  page(main, '/admin/paiements/controle', 'Paiements : contrôle des billets', 'Chaque billet n’est accepté qu’une fois.', form, verdict);
}

/* --- transactions and export --- */
export function renderTransactions(main) {
  const today = townDay();
  const from = h('input', { type: 'date', value: today.slice(0, 8) + '01' });
  const to = h('input', { type: 'date', value: today });
  const out = h('div', { 'aria-live': 'polite' });
  const totals = h('div', { 'aria-live': 'polite' });
  const late = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'ts-filters' }, field({ id: 'tx-from', label: 'Du', control: from }), field({ id: 'tx-to', label: 'au', control: to }),
    h('button', { type: 'submit', class: 'btn' }, 'Afficher les totaux'),
    h('button', { type: 'button', class: 'btn btn-secondary', id: 'tx-export' }, 'Télécharger l’export CSV'));
  async function load() {
    try {
      const [{ items }, daily, lates] = await Promise.all([api.get(`${PAY}/transactions?limit=50`), api.get(`${PAY}/exports/daily-totals?from=${from.value}&to=${to.value}`),
        api.get(`${PAY}/late-payments`)]);
      renderLate(lates.items);
      replaceChildren(totals, daily.items.length ? h('table', { class: 'ts-table' }, h('caption', {}, 'Totaux par jour et par prestataire'),
        h('thead', {}, h('tr', {}, ...['Jour', 'Prestataire', 'Encaissé', 'Remboursé', 'Net'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...daily.items.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.date), h('td', {}, d.provider), h('td', {}, formatCents(d.payments_cents)),
          h('td', {}, formatCents(d.refunds_cents)), h('td', {}, formatCents(d.net_cents)))))) : h('p', { class: 'empty-state' }, 'Aucun mouvement sur la période.'));
      replaceChildren(out, h('table', { class: 'ts-table' }, h('caption', {}, 'Derniers paiements'),
        h('thead', {}, h('tr', {}, ...['Date', 'Statut', 'Montant', 'Factures', 'Remboursé', 'Paiement tardif'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...items.map((t) => h('tr', {}, h('th', { scope: 'row' }, (t.paid_at || t.created_at || '').replace('T', ' ').slice(0, 16)), h('td', {}, t.status),
          h('td', {}, formatCents(t.amount_cents)), h('td', {}, t.invoice_numbers.join(', ')), h('td', {}, formatCents(t.refunded_cents)),
          h('td', {}, (t.late_payments || []).map((l) => `${formatCents(l.amount_cents)} ${LATE[l.status]}`).join(' ; ')))))));
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, err.message));
    }
  }
  // Money that came after its checkout ended: refunded through the provider at once when it can;
  // otherwise the régie refunds it in the provider's back office and records the reference here.
  function renderLate(list) {
    if (!list.length) { replaceChildren(late); return; }
    replaceChildren(late, h('table', { class: 'ts-table' }, h('caption', {}, 'Paiements reçus après la fin de la commande (remboursés au payeur)'),
      h('thead', {}, h('tr', {}, ...['Reçu le', 'Prestataire', 'Montant', 'État', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...list.map((l) => h('tr', {}, h('th', { scope: 'row' }, l.created_at.replace('T', ' ').slice(0, 16)), h('td', {}, `${l.provider} ${l.provider_ref}`),
        h('td', {}, formatCents(l.amount_cents)),
        h('td', {}, l.status === 'to_refund' ? h('strong', {}, `${LATE.to_refund}${l.note ? ` (${l.note})` : ''}`)
          : `${LATE.refunded}${l.manual ? ' par la régie' : ' automatiquement'} (réf. ${l.refund_ref})`),
        h('td', {}, l.status === 'to_refund' ? resolveForm(l) : ''))))));
  }
  function resolveForm(l) {
    const ref = h('input', { type: 'text', maxlength: 128, required: true });
    const box = errorBox();
    const f = h('form', { class: 'ts-filters' }, box, field({ id: `late-${l.id}`, name: 'refund_ref', label: 'Référence du remboursement', control: ref }), h('button', { type: 'submit', class: 'btn' }, 'Marquer remboursé'));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(box, f);
      try {
        await api.post(`${PAY}/late-payments/${l.id}/resolve`, { refund_ref: ref.value.trim() });
        load();
      } catch (err) { showError(box, f, err); }
    });
    return f;
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  form.querySelector('#tx-export').addEventListener('click', async () => {
    try {
      await download(`${PAY}/exports/transactions.csv?from=${from.value}&to=${to.value}`, `transactions-${from.value}-${to.value}.csv`);
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, err.message));
    }
  });
  page(main, '/admin/paiements/transactions', 'Paiements : transactions et export', 'Le total du jour par prestataire est la somme des lignes de l’export.', form, totals, late, out);
  load();
}
