// « Chiffres de l'ancien portail » (editors and admins): the town imports the daily figures its
// previous statistics tool exported (CSV date;metric;value) so that the dashboard can compare the
// new portal with the old one (POST /api/stats/v1/admin/reference-figures, all or nothing).

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field, showErrors } from '/lib/forms.js';
import { formatNumber } from './charts.js';
import { subnav } from './stats.js';

const STATS = '/api/stats/v1';
const MAX_BYTES = 1024 * 1024; // the route's body limit

// The metrics an old tool usually gives, with their French names (the API accepts every daily
// metric of /timeseries; these are the ones worth explaining).
const METRICS = [
  ['page_views', 'pages vues'],
  ['visitors', 'visiteurs (par jour)'],
  ['visits', 'visites'],
  ['bounces', 'visites d’une seule page'],
  ['accounts_created', 'comptes créés'],
  ['requests_submitted', 'démarches déposées'],
  ['payments', 'paiements en ligne'],
];

// The server's reason for a bad line (field, code) in French.
const REASONS = {
  'header:invalid': 'la première ligne doit être « date;metric;value »',
  'line:invalid': 'trois colonnes sont attendues : date, indicateur, valeur',
  'line:too_many': 'un fichier contient au plus 20 000 lignes',
  'date:invalid': 'une date au format AAAA-MM-JJ, qui n’est pas dans le futur',
  'date:duplicate': 'ce jour et cet indicateur figurent déjà plus haut dans le fichier',
  'date:taken': 'Civitas a déjà compté cet indicateur ce jour-là : le chiffre de l’ancien portail ne peut pas s’y ajouter',
  'metric:invalid': 'indicateur inconnu (voir la liste ci-dessus)',
  'value:invalid': 'un nombre positif ou nul (12 ou 12,5)',
};

function lineItems(err) {
  const lines = Array.isArray(err.problem?.errors) ? err.problem.errors : [];
  return lines.map((x) => ({
    message: x.line ? `Ligne ${x.line} : ${REASONS[`${x.field}:${x.code}`] || x.message}` : (REASONS[`${x.field}:${x.code}`] || x.message),
  }));
}

export function renderStatsImport(main) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true, id: 'import-errors' });
  const status = h('div', { role: 'status', id: 'import-status' });
  const file = h('input', { type: 'file', accept: '.csv,text/csv', required: true });
  const source = h('input', { type: 'text', maxlength: '100', value: 'ancien portail' });
  const form = h('form', { class: 'admin-panel', novalidate: true, 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, 'Importer un fichier'),
    summary,
    field({ id: 'import-file', label: 'Fichier CSV exporté par l’ancien outil de statistiques', control: file,
      hint: 'Une ligne par jour et par indicateur ; 1 Mo au plus.' }),
    field({ id: 'import-source', label: 'Origine des chiffres', control: source, hint: 'Par exemple « ancien portail » ou le nom de l’outil.' }),
    h('button', { type: 'submit', class: 'btn' }, 'Importer les chiffres'));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(summary, form);
    replaceChildren(status);
    const f = file.files[0];
    const local = !f ? { id: 'import-file', message: 'Choisissez le fichier CSV à importer.' }
      : f.size > MAX_BYTES ? { id: 'import-file', message: 'Le fichier dépasse 1 Mo : découpez-le par année.' }
        : !source.value.trim() ? { id: 'import-source', message: 'Indiquez l’origine des chiffres.' } : null;
    if (local) {
      showErrors(summary, form, { title: 'Rien n’a été importé', items: [local] });
      return;
    }
    try {
      const r = await api.post(`${STATS}/admin/reference-figures?source=${encodeURIComponent(source.value.trim())}`,
        await f.text(), { headers: { 'Content-Type': 'text/csv' } });
      const period = `${r.from}..${r.to}`;
      replaceChildren(status, h('p', { class: 'admin-flash' },
        `${formatNumber(r.imported)} chiffre(s) importé(s) (« ${r.source} »), du ${r.from} au ${r.to}. `,
        h('a', { href: `/admin/statistiques?comparer=${encodeURIComponent(period)}`, dataset: { link: '' } },
          'Comparer une période à ces chiffres')));
      form.reset();
      source.value = 'ancien portail';
    } catch (err) {
      const items = lineItems(err);
      showErrors(summary, form, {
        title: 'Rien n’a été importé',
        intro: items.length ? `Corrigez ${items.length > 1 ? `ces ${items.length} lignes` : 'cette ligne'} puis importez de nouveau le fichier entier :` : err.message,
        items,
      });
    }
  });

  replaceChildren(main, h('h1', {}, 'Chiffres de l’ancien portail'), subnav('/admin/statistiques/import'),
    h('p', { class: 'admin-lead' }, 'Importez les chiffres quotidiens de l’ancien site pour les comparer à ceux du nouveau portail dans le tableau de bord (« Comparer à : une période choisie »).'),
    h('div', { class: 'admin-panel' },
      h('h2', {}, 'Le fichier attendu'),
      h('p', {}, 'Un fichier CSV dont la première ligne est ', h('code', {}, 'date;metric;value'), ' (séparateur « ; » ou « , ») puis une ligne par jour et par indicateur, par exemple :'),
      h('pre', {}, 'date;metric;value\n2025-03-01;page_views;1480\n2025-03-01;visitors;512'),
      h('p', {}, 'Indicateurs les plus courants :'),
      h('ul', {}, METRICS.map(([k, label]) => h('li', {}, h('code', {}, k), ` : ${label}`))),
      h('p', {}, 'Tout ou rien : si une ligne est fausse, rien n’est importé et chaque ligne à corriger est indiquée. Importer de nouveau un jour le remplace. Un jour déjà compté par Civitas est refusé.')),
    status, form);
}
