// Audit trail (admins): who did what, on what, when and from where — logins, failures, role
// changes, document views by agents, from every service. Filters: actor, action, period; and
// the whole trail of a period exported as CSV (the export is itself audited).
import { api } from '/lib/api.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

const ACCOUNT = '/api/account/v1';

/** « 2026-12-31 » → « 2027-01-01 »: the export's end is exclusive, the form's « au » inclusive. */
function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function exportForm() {
  const from = h('input', { id: 'export-from', name: 'from', type: 'date', required: true });
  const to = h('input', { id: 'export-to', name: 'to', type: 'date', required: true });
  const status = h('p', { role: 'status', id: 'export-status' });
  const form = h('form', { class: 'admin-panel', id: 'export-form', novalidate: true, 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Exporter le journal (CSV)'),
    h('p', {}, 'Toutes les entrées de la période, dates incluses, dans un fichier CSV lisible par un tableur.'),
    h('div', { class: 'field' }, h('label', { for: 'export-from' }, 'Du'), from),
    h('div', { class: 'field' }, h('label', { for: 'export-to' }, 'Au (inclus)'), to),
    h('button', { class: 'btn', type: 'submit' }, 'Exporter en CSV'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of [from, to]) el.removeAttribute('aria-invalid');
    const missing = [from, to].filter((el) => !el.value);
    if (missing.length) {
      for (const el of missing) el.setAttribute('aria-invalid', 'true');
      status.textContent = 'Indiquez le début et la fin de la période.';
      missing[0].focus();
      return;
    }
    if (to.value < from.value) {
      to.setAttribute('aria-invalid', 'true');
      status.textContent = 'La fin de la période doit suivre son début.';
      to.focus();
      return;
    }
    status.textContent = 'Export en cours…';
    try {
      const params = new URLSearchParams({ from: from.value, to: nextDay(to.value) });
      const csv = await api.get(`${ACCOUNT}/admin/audit/export?${params}`);
      const link = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })),
        download: `journal-audit-${from.value}-${to.value}.csv` }, 'télécharger');
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      const lines = Math.max(0, String(csv).split('\r\n').length - 2);
      status.textContent = `Export prêt : ${lines} entrée(s) du ${from.value} au ${to.value}.`;
    } catch (err) {
      status.textContent = err.message;
    }
  });
  return form;
}

export function renderAudit(main) {
  const actor = h('input', { id: 'audit-actor', name: 'actor', type: 'text' });
  const action = h('input', { id: 'audit-action', name: 'action', type: 'text', 'aria-describedby': 'audit-action-hint' });
  const from = h('input', { id: 'audit-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'audit-to', name: 'to', type: 'date' });
  // A scrolling box on a phone: focusable so that keyboard users can scroll it too.
  const list = h('div', { id: 'audit-list', class: 'admin-table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Entrées du journal' });
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
  replaceChildren(main, h('h1', {}, 'Journal d’audit'), form, list, exportForm());
  load();
}
