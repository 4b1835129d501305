// Agent SPA: the quotient familial verification queue. Lists the households whose quotient is
// declared (or verified / expired), opens the certificate (the view is audited by the account
// service) and verifies it with the value read on the certificate and its end of validity.

import { api, openFile } from '/lib/api.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field, showApiError } from '/lib/forms.js';

const ACCOUNT = '/api/account/v1';
const STATES = { declared: 'À vérifier', verified: 'Vérifiés', expired: 'Expirés' };

function day(ymd) {
  return ymd ? formatDate(`${ymd}T12:00:00Z`, { day: 'numeric', month: 'long', year: 'numeric' }) : '';
}

/** End of next year: the usual validity of a CAF certificate. */
function defaultValidUntil() {
  return `${new Date().getFullYear() + 1}-12-31`;
}

async function openCertificate(householdId, status) {
  try {
    await openFile(`${ACCOUNT}/agent/households/${householdId}/quotient/certificate`);
  } catch {
    status.textContent = 'L’attestation n’a pas pu être ouverte.';
    return;
  }
  status.textContent = 'Attestation ouverte dans un nouvel onglet.';
}

function verifyForm(item, onDone) {
  const id = item.id.slice(0, 8);
  const q = item.quotient_familial;
  const errors = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true });
  const value = h('input', { type: 'number', id: `qf-${id}-valeur`, min: '0', max: '100000', step: '1', required: true, value: String(q.value) });
  const until = h('input', { type: 'date', id: `qf-${id}-fin`, required: true, value: q.valid_until || defaultValidUntil() });
  const form = h('form', { class: 'qf-verify', novalidate: true },
    errors,
    field({ id: value.id, name: 'value', label: 'Quotient lu sur l’attestation (€)', control: value }),
    field({ id: until.id, name: 'valid_until', label: 'Valable jusqu’au', control: until }),
    h('button', { type: 'submit', class: 'btn' }, 'Valider le quotient', h('span', { class: 'visually-hidden' }, ` de ${item.adults}`)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    errors.hidden = true;
    try {
      await api.post(`${ACCOUNT}/agent/households/${item.id}/quotient`, { value: Number(value.value), valid_until: until.value });
      onDone(`Quotient familial de ${item.adults} vérifié : ${value.value} €.`);
    } catch (err) {
      showApiError(errors, form, err, { title: 'Le quotient n’a pas été validé', withLabels: true });
    }
  });
  return form;
}

export function renderQuotient(main) {
  const status = document.getElementById('admin-status');
  const filter = h('select', { id: 'qf-filtre' }, Object.entries(STATES).map(([v, label]) => h('option', { value: v }, label)));
  const list = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn btn-secondary', hidden: true }, 'Afficher la suite');
  let cursor = null;
  let items = [];

  async function load(reset) {
    if (reset) {
      cursor = null;
      items = [];
    }
    try {
      const page = await api.get(`${ACCOUNT}/agent/households?quotient=${filter.value}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } catch (err) {
      replaceChildren(list, h('p', { class: 'error-summary' }, err.message));
      return;
    }
    more.hidden = !cursor;
    if (!items.length) {
      replaceChildren(list, h('p', { class: 'empty-state' }, filter.value === 'declared' ? 'Aucun quotient familial en attente de vérification.' : 'Aucun foyer dans cette liste.'));
      return;
    }
    replaceChildren(list, h('div', { class: 'qf-queue' }, items.map((item) => {
      const q = item.quotient_familial;
      const a = item.address;
      const open = h('button', { type: 'button', class: 'btn btn-secondary', disabled: !item.certificate },
        'Ouvrir l’attestation', h('span', { class: 'visually-hidden' }, ` de ${item.adults}`));
      open.addEventListener('click', () => openCertificate(item.id, status));
      return h('article', { class: 'kpi qf-item' },
        h('h2', {}, item.adults || 'Foyer sans adulte nommé'),
        h('p', {}, a ? `${a.line1}${a.line2 ? `, ${a.line2}` : ''}, ${a.postcode} ${a.city}` : 'Adresse non renseignée'),
        h('p', {}, `Déclaré : ${q.value} €${q.declared_at ? ` le ${formatDate(q.declared_at, { day: 'numeric', month: 'long', year: 'numeric' })}` : ''}`
          + `${q.valid_until ? ` — valable jusqu’au ${day(q.valid_until)}` : ''}`),
        item.certificate ? h('p', {}, `Attestation : ${item.certificate.filename}`) : h('p', {}, 'Aucune attestation jointe.'),
        open,
        verifyForm(item, (text) => {
          status.textContent = text;
          load(true);
        }));
    })));
  }

  filter.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  replaceChildren(main,
    h('h1', {}, 'Quotient familial'),
    h('p', { class: 'admin-lead' }, 'Vérifiez les quotients familiaux déclarés par les familles : ouvrez l’attestation, contrôlez le montant et la date de fin de validité, puis validez. Chaque consultation d’attestation est enregistrée dans le journal d’audit.'),
    h('div', { class: 'field' }, h('label', { for: 'qf-filtre' }, 'Afficher'), filter),
    list, more);
  load(true);
}
