// Agents' queue: the requests of their services, late ones first, with filters.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { days, myServices, SERVICE_LABELS, spaLink, STATUS_LABELS, subnav, TS, when } from './ts-common.js';

export function renderQueue(main) {
  const services = myServices();
  const service = h('select', { id: 'q-service' }, h('option', { value: '' }, 'Tous mes services'),
    services.map((s) => h('option', { value: s }, SERVICE_LABELS[s] || s)));
  const status = h('select', { id: 'q-status' }, h('option', { value: '' }, 'À traiter'), h('option', { value: 'all' }, 'Toutes'),
    ['received', 'in_progress', 'incomplete', 'accepted', 'rejected', 'cancelled'].map((s) => h('option', { value: s }, STATUS_LABELS[s])));
  const late = h('input', { type: 'checkbox', id: 'q-late' });
  const mine = h('input', { type: 'checkbox', id: 'q-mine' });
  const q = h('input', { type: 'search', id: 'q-text' });
  const results = h('div', { id: 'q-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'ts-filters', role: 'search', 'aria-label': 'Filtrer les demandes' },
    h('div', { class: 'field' }, h('label', { for: 'q-service' }, 'Service'), service),
    h('div', { class: 'field' }, h('label', { for: 'q-status' }, 'Statut'), status),
    h('div', { class: 'field' }, h('label', { for: 'q-text' }, 'Référence ou nom'), q),
    h('div', { class: 'field ts-check' }, late, h('label', { for: 'q-late' }, 'En retard seulement')),
    h('div', { class: 'field ts-check' }, mine, h('label', { for: 'q-mine' }, 'Qui me sont attribuées')),
    h('button', { type: 'submit', class: 'btn' }, 'Filtrer'));
  async function load() {
    const p = new URLSearchParams({ limit: '50' });
    if (service.value) p.set('service', service.value);
    if (status.value) p.set('status', status.value);
    if (late.checked) p.set('late', 'true');
    if (mine.checked) p.set('assignee', 'me');
    if (q.value.trim()) p.set('q', q.value.trim());
    try {
      const data = await api.get(`${TS}/queue?${p}`);
      if (!data.items.length) {
        replaceChildren(results, h('p', { class: 'empty-state' }, 'Aucune demande ne correspond.'));
        return;
      }
      replaceChildren(results, h('table', { class: 'ts-table' },
        h('caption', {}, `${data.items.length} demande(s), en retard d’abord`),
        h('thead', {}, h('tr', {}, ['Référence', 'Démarche', 'Pour', 'Statut', 'Reçue le', 'Délai', 'Retard'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, data.items.map((r) => h('tr', { class: r.late ? 'late' : null },
          h('td', {}, spaLink(`/admin/demarches/demande?id=${r.id}`, r.reference || r.id.slice(0, 8))),
          h('td', {}, r.procedure.title),
          h('td', {}, r.beneficiaries.map((b) => `${b.given_name} ${b.family_name}`).join(', ') || '—'),
          h('td', {}, STATUS_LABELS[r.status] || r.status),
          h('td', {}, when(r.received_at)),
          h('td', {}, `${days(r.processing_seconds)} / ${r.procedure.sla_days} j`),
          h('td', {}, r.late ? h('strong', {}, 'En retard') : 'Non'))))));
    } catch (err) {
      replaceChildren(results, h('p', { class: 'error-summary', role: 'alert' }, err.message));
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  replaceChildren(main, h('h1', {}, 'Démarches : file des demandes'), subnav('/admin/demarches'), form, results);
  load();
}
