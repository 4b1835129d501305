// Audit trail (admins): who did what, on what, when and from where — logins, failures, role
// changes, document views by agents, from every service. Filters: actor, action, period.
import { api } from '/lib/api.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

const ACCOUNT = '/api/account/v1';

export function renderAudit(main) {
  const actor = h('input', { id: 'audit-actor', name: 'actor', type: 'text' });
  const action = h('input', { id: 'audit-action', name: 'action', type: 'text', 'aria-describedby': 'audit-action-hint' });
  const from = h('input', { id: 'audit-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'audit-to', name: 'to', type: 'date' });
  const list = h('div', { id: 'audit-list' });
  let cursor = null;
  async function load(more = false) {
    const params = new URLSearchParams({ limit: '50' });
    for (const [k, el] of Object.entries({ actor, action, from, to })) if (el.value.trim()) params.set(k, el.value.trim());
    if (more && cursor) params.set('cursor', cursor);
    try {
      const data = await api.get(`${ACCOUNT}/admin/audit?${params}`);
      cursor = data.next_cursor;
      const rows = data.items.map((e) => h('tr', {},
        h('td', {}, formatDate(e.at, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })),
        h('td', {}, e.actor_email || e.actor_id || '—', e.actor_role ? ` (${e.actor_role})` : ''),
        h('td', {}, e.action),
        h('td', {}, [e.target_type, e.target_id].filter(Boolean).join(' ') || '—'),
        h('td', {}, e.service),
        h('td', {}, e.ip || '—')));
      const tbody = more ? list.querySelector('tbody') : null;
      if (tbody) tbody.append(...rows);
      else {
        replaceChildren(list, h('table', { class: 'admin-table' }, h('caption', {}, 'Journal d’audit, le plus récent d’abord'),
          h('thead', {}, h('tr', {}, ['Date', 'Auteur', 'Action', 'Objet', 'Service', 'Adresse IP'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows)));
      }
      list.querySelector('.audit-more')?.remove();
      if (cursor) list.append(h('button', { class: 'btn btn-secondary audit-more', type: 'button', onclick: () => load(true) }, 'Afficher plus'));
    } catch (err) {
      replaceChildren(list, h('p', {}, err.message));
    }
  }
  const form = h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('div', { class: 'field' }, h('label', { for: 'audit-actor' }, 'Auteur (adresse électronique ou identifiant)'), actor),
    h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'Action'),
      h('span', { class: 'hint', id: 'audit-action-hint' }, 'Par exemple login.failed, user.role_change ou document'), action),
    h('div', { class: 'field' }, h('label', { for: 'audit-from' }, 'Du'), from),
    h('div', { class: 'field' }, h('label', { for: 'audit-to' }, 'Au (exclu)'), to),
    h('button', { class: 'btn', type: 'submit' }, 'Filtrer'));
  replaceChildren(main, h('h1', {}, 'Journal d’audit'), form, list);
  load();
}
