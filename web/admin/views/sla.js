// Quality index: per service, processing time from reception to decision (time spent waiting
// for the citizen not counted), share decided within the SLA, late and open late requests.

import { api } from '/lib/api.js';
import { formatDate, h, replaceChildren, townDay } from '/lib/dom.js';
import { days, SERVICE_LABELS, subnav, TS } from './ts-common.js';

export function renderSla(main) {
  const today = townDay();
  const monthAgo = townDay(Date.now() - 30 * 86400e3);
  const from = h('input', { type: 'date', id: 'sla-from', value: monthAgo });
  const to = h('input', { type: 'date', id: 'sla-to', value: today });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'ts-filters' },
    h('div', { class: 'field' }, h('label', { for: 'sla-from' }, 'Reçues du'), from),
    h('div', { class: 'field' }, h('label', { for: 'sla-to' }, 'au'), to),
    h('button', { type: 'submit', class: 'btn' }, 'Afficher'));
  async function load() {
    try {
      const data = await api.get(`${TS}/sla?from=${from.value}&to=${to.value}`);
      // The service keeps the figures up to a minute (exact medians over a year are dear): say when.
      const computed = data.computed_at
        ? h('p', { class: 'hint' }, `Chiffres calculés à ${formatDate(data.computed_at, { hour: '2-digit', minute: '2-digit' })}.`)
        : null;
      if (!data.services.length) {
        replaceChildren(out, h('p', { class: 'empty-state' }, 'Aucune demande reçue sur la période.'), computed);
        return;
      }
      replaceChildren(out, computed, h('table', { class: 'ts-table' },
        h('caption', {}, 'Délais de traitement par service (de la réception à la décision, hors attente du demandeur)'),
        h('thead', {}, h('tr', {}, ['Service', 'Reçues', 'Décidées', 'Délai médian', '90 % en moins de', 'Dans le délai', 'Décidées en retard', 'En cours', 'En cours en retard'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, data.services.map((s) => h('tr', {},
          h('th', { scope: 'row' }, SERVICE_LABELS[s.service] || s.service),
          h('td', {}, String(s.count)), h('td', {}, String(s.decided)),
          h('td', {}, days(s.median_seconds)), h('td', {}, days(s.p90_seconds)),
          h('td', {}, s.within_sla_share === null ? '—' : `${Math.round(s.within_sla_share * 100)} %`),
          h('td', {}, String(s.late)), h('td', {}, String(s.open)), h('td', {}, String(s.open_late)))))));
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, err.message));
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  replaceChildren(main, h('h1', {}, 'Démarches : indice de qualité'), subnav('/admin/demarches/qualite'),
    h('p', { class: 'admin-lead' }, 'Objectif de la ville : traiter chaque demande dans le délai de sa procédure (6 jours par défaut).'), form, out);
  load();
}
