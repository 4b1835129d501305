// Statistics dashboard (editors and admins): audience against a reference period, visits and
// time per visit, returning visitors, top pages, satisfaction per question, the six-day quality
// index per service, accounts and procedures used; and the review queue of readers' comments
// (also open to the agents who contribute to a section, for that section's pages).

import { api } from '/lib/api.js';
import { h, replaceChildren, townDay } from '/lib/dom.js';
import { barChart, csvLink, formatNumber, lineChart } from './charts.js';

const STATS = '/api/stats/v1';
const QUESTIONS = {
  useful: 'Cette information vous a-t-elle été utile ?',
  relevant: 'Cet article vous a-t-il paru pertinent ?',
  easy_to_find: 'L’information recherchée a-t-elle été facile d’accès ?',
};
const SERVICE_LABELS = { 'etat-civil': 'État civil', scolaire: 'Scolaire', jeunesse: 'Jeunesse', conservatoire: 'Conservatoire' };

if (!document.querySelector('link[data-stats-css]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: '/admin/views/stats.css', dataset: { statsCss: '' } }));
}

const day = (d) => townDay(d);
const pct = (v) => (v === null || v === undefined ? '—' : `${formatNumber(v * 100)} %`);
const duration = (s) => {
  if (s === null || s === undefined) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${formatNumber(s / 86400)} j`;
};

/** The sub-menu of the statistics pages, current marked. */
export function subnav(current) {
  const links = [['/admin/statistiques', 'Tableau de bord'], ['/admin/statistiques/avis', 'Avis des lecteurs'],
    ['/admin/statistiques/import', 'Chiffres de l’ancien portail']];
  return h('nav', { class: 'stats-subnav', 'aria-label': 'Statistiques' }, h('ul', {}, links.map(([href, label]) =>
    h('li', {}, h('a', { href, dataset: { link: '' }, 'aria-current': href === current ? 'page' : null }, label)))));
}

// The figures shown as cards: key in figures, label, how to show the value.
const CARDS = [
  ['page_views', 'Pages vues', formatNumber],
  ['visitors', 'Visiteurs (comptés par jour)', formatNumber],
  ['visits', 'Visites', formatNumber],
  ['avg_visit_seconds', 'Temps moyen par visite', duration],
  ['returning_share', 'Visiteurs revenus', pct],
  ['useful_share', 'Pages jugées utiles', pct],
  ['requests_submitted', 'Démarches en ligne déposées', formatNumber],
  ['within_sla_share', 'Décidées dans le délai (6 jours)', pct],
  ['processing_median_seconds', 'Délai médian de traitement', duration],
  ['requests_late', 'Décisions en retard', formatNumber],
  ['accounts_created', 'Comptes créés', formatNumber],
  ['jobs_posted', 'Offres d’emploi déposées', formatNumber],
  ['partners_updated', 'Partenaires ayant mis à jour leur fiche', formatNumber],
  ['payments', 'Paiements en ligne', formatNumber],
  ['tickets_sold', 'Billets vendus', formatNumber],
  ['rating_average', 'Note moyenne des démarches (sur 5)', formatNumber],
];

function change(c) {
  if (c === null || c === undefined) return h('span', { class: 'stats-change' }, 'pas de comparaison possible');
  const sign = c > 0 ? '+' : c < 0 ? '−' : '';
  return h('span', { class: `stats-change ${c > 0 ? 'up' : c < 0 ? 'down' : ''}` },
    `${sign}${formatNumber(Math.abs(c))} % par rapport à la période de référence`);
}

function cards(figures) {
  return h('ul', { class: 'kpis stats-cards' }, CARDS.map(([key, label, show]) => {
    const f = figures[key] || {};
    return h('li', { class: 'kpi' },
      h('h3', {}, label),
      h('p', { class: 'kpi-value' }, show(f.value)),
      h('p', { class: 'stats-ref' }, `Référence : ${show(f.reference)}`),
      h('p', {}, change(f.change_pct)));
  }));
}

async function series(metric, from, to, interval) {
  const r = await api.get(`${STATS}/timeseries?metric=${metric}&interval=${interval}&from=${from}&to=${to}`);
  return r.points;
}

function interval(from, to) {
  const days = (Date.parse(to) - Date.parse(from)) / 86400e3 + 1;
  return days > 180 ? 'month' : days > 45 ? 'week' : 'day';
}

async function overTime(d) {
  const iv = interval(d.period.from, d.period.to);
  const [pv, rpv, vi, vms] = await Promise.all([
    series('page_views', d.period.from, d.period.to, iv),
    series('page_views', d.reference.from, d.reference.to, iv),
    series('visits', d.period.from, d.period.to, iv),
    series('visit_ms', d.period.from, d.period.to, iv),
  ]);
  const labels = pv.map((p) => p.start);
  const audience = lineChart({
    id: 'graphe-audience', title: `Pages vues par ${iv === 'day' ? 'jour' : iv === 'week' ? 'semaine' : 'mois'}, comparées à la période de référence (${d.reference.from} au ${d.reference.to})`,
    labels, filename: `pages-vues_${d.period.from}_${d.period.to}.csv`,
    series: [{ label: 'Période', values: pv.map((p) => p.value) },
      { label: 'Référence', values: labels.map((_, i) => (rpv[i] ? rpv[i].value : null)) }],
  });
  const visits = lineChart({
    id: 'graphe-visites', title: 'Visites et temps moyen par visite (secondes)', labels,
    filename: `visites_${d.period.from}_${d.period.to}.csv`,
    series: [{ label: 'Visites', values: vi.map((p) => p.value) },
      { label: 'Temps moyen par visite (s)', values: vi.map((p, i) => (p.value ? Math.round(vms[i].value / 1000 / p.value) : null)) }],
  });
  return [audience, visits];
}

function qualityChart(d) {
  const items = d.services.map((s) => ({
    label: SERVICE_LABELS[s.service] || s.service,
    value: s.within_sla_share === null ? 0 : s.within_sla_share * 100,
    extra: { 'Décidées': s.requests_decided, 'En retard': s.requests_late, 'Déposées': s.requests_submitted },
  }));
  if (!items.length) return h('p', { class: 'empty-state' }, 'Aucune demande décidée sur la période.');
  return barChart({ id: 'graphe-qualite', title: 'Indice de qualité : part des demandes décidées en moins de 6 jours, par service',
    items, valueLabel: 'Décidées dans le délai (%)', filename: `qualite_${d.period.from}_${d.period.to}.csv`,
    format: (v) => `${formatNumber(v)} %`, max: 100 });
}

function satisfactionChart(d) {
  const items = Object.entries(QUESTIONS).map(([k, label]) => {
    const q = d.satisfaction[k] || {};
    return { label, value: q.yes_share === null || q.yes_share === undefined ? 0 : q.yes_share * 100, extra: { Oui: q.yes || 0, Non: q.no || 0 } };
  });
  return barChart({ id: 'graphe-satisfaction', title: 'Satisfaction : part de « oui » à chaque question', items,
    valueLabel: 'Oui (%)', filename: `satisfaction_${d.period.from}_${d.period.to}.csv`, format: (v) => `${formatNumber(v)} %`, max: 100 });
}

function returningChart(d) {
  const f = d.figures.returning_share || {};
  const items = [
    { label: 'Période', value: f.value === null || f.value === undefined ? 0 : f.value * 100 },
    { label: 'Référence', value: f.reference === null || f.reference === undefined ? 0 : f.reference * 100 },
  ];
  return barChart({ id: 'graphe-retour', title: 'Part des visiteurs déjà venus un autre jour', items, valueLabel: 'Visiteurs revenus (%)',
    filename: `visiteurs-revenus_${d.period.from}_${d.period.to}.csv`, format: (v) => `${formatNumber(v)} %`, max: 100 });
}

function proceduresChart(d) {
  const items = d.procedures.map((p) => ({ label: p.procedure, value: p.value }));
  items.unshift({ label: 'Comptes créés', value: d.figures.accounts_created?.value || 0 });
  return barChart({ id: 'graphe-demarches', title: 'Comptes créés et démarches en ligne déposées, par démarche', items,
    valueLabel: 'Nombre', filename: `demarches_${d.period.from}_${d.period.to}.csv` });
}

async function pagesChart(d) {
  const r = await api.get(`${STATS}/pages?from=${d.period.from}&to=${d.period.to}&limit=10`);
  if (!r.items.length) return h('p', { class: 'empty-state' }, 'Aucune page vue sur la période.');
  const items = r.items.map((p) => ({ label: p.path, value: p.views,
    extra: { 'Entrées': p.entries, 'Temps moyen (s)': p.avg_visible_seconds === null ? '—' : Math.round(p.avg_visible_seconds),
      'Utile (oui / non)': p.satisfaction.useful ? `${p.satisfaction.useful.yes} / ${p.satisfaction.useful.no}` : '—' } }));
  return barChart({ id: 'graphe-pages', title: 'Pages les plus vues', items, valueLabel: 'Pages vues',
    filename: `pages_${d.period.from}_${d.period.to}.csv` });
}

export function renderStats(main) {
  const to = h('input', { type: 'date', id: 'stats-to', value: day(new Date()) });
  const from = h('input', { type: 'date', id: 'stats-from', value: day(new Date(Date.now() - 27 * 86400e3)) });
  const compare = h('select', { id: 'stats-compare' },
    h('option', { value: 'previous' }, 'la période précédente'),
    h('option', { value: 'last_year' }, 'la même période l’an dernier'),
    h('option', { value: 'custom' }, 'une période choisie (ancien portail…)'));
  const refFrom = h('input', { type: 'date', id: 'stats-ref-from' });
  const refTo = h('input', { type: 'date', id: 'stats-ref-to' });
  const custom = h('div', { class: 'stats-custom', hidden: true },
    h('div', { class: 'field' }, h('label', { for: 'stats-ref-from' }, 'Référence du'), refFrom),
    h('div', { class: 'field' }, h('label', { for: 'stats-ref-to' }, 'au'), refTo));
  compare.addEventListener('change', () => { custom.hidden = compare.value !== 'custom'; });
  // ?comparer=FROM..TO (the link shown after an import of the old portal's figures).
  const preset = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(new URLSearchParams(location.search).get('comparer') || '');
  if (preset) {
    [compare.value, refFrom.value, refTo.value, custom.hidden] = ['custom', preset[1], preset[2], false];
  }
  const out = h('div', { 'aria-live': 'polite', 'aria-busy': 'false', id: 'stats-resultats' });
  const form = h('form', { class: 'ts-filters stats-filters' },
    h('div', { class: 'field' }, h('label', { for: 'stats-from' }, 'Du'), from),
    h('div', { class: 'field' }, h('label', { for: 'stats-to' }, 'au'), to),
    h('div', { class: 'field' }, h('label', { for: 'stats-compare' }, 'Comparer à'), compare),
    custom,
    h('button', { type: 'submit', class: 'btn' }, 'Afficher'));

  async function load() {
    out.setAttribute('aria-busy', 'true');
    const mode = compare.value === 'custom' ? `${refFrom.value}..${refTo.value}` : compare.value;
    try {
      const d = await api.get(`${STATS}/dashboard?from=${from.value}&to=${to.value}&compare=${encodeURIComponent(mode)}`);
      const [audience, visits] = await overTime(d);
      const pages = await pagesChart(d);
      const figRows = CARDS.map(([k, label]) => [label, d.figures[k]?.value ?? '', d.figures[k]?.reference ?? '', d.figures[k]?.change_pct ?? '']);
      replaceChildren(out,
        d.demo ? h('p', { class: 'stats-demo', role: 'note' }, 'Chiffres de démonstration : ces données ont été générées au premier démarrage pour montrer le tableau de bord.') : null,
        h('p', { class: 'stats-note' }, `Période du ${d.period.from} au ${d.period.to}, comparée à la période du ${d.reference.from} au ${d.reference.to}. `,
          'Les visiteurs uniques sont comptés par jour : sur une période, le nombre de visiteurs est la somme des visiteurs de chaque jour (la mesure sans cookie ne permet pas de reconnaître une personne d’un jour à l’autre).'),
        h('h2', {}, 'Chiffres clés'),
        cards(d.figures),
        csvLink(`chiffres-cles_${d.period.from}_${d.period.to}.csv`, ['Indicateur', 'Période', 'Référence', 'Évolution (%)'], figRows, 'Télécharger les chiffres clés (CSV)'),
        h('h2', {}, 'Audience'), audience, visits, returningChart(d), pages,
        h('h2', {}, 'Satisfaction'), satisfactionChart(d),
        h('h2', {}, 'Démarches et comptes'), qualityChart(d), proceduresChart(d));
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' },
        err.status === 404 ? 'Le tableau de bord est réservé aux éditeurs et aux administrateurs.' : `Les statistiques ne peuvent pas être affichées : ${err.message}`));
    } finally {
      out.setAttribute('aria-busy', 'false');
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  replaceChildren(main, h('h1', {}, 'Statistiques'), subnav('/admin/statistiques'),
    h('p', { class: 'admin-lead' }, 'Fréquentation du site (mesure sans cookie), satisfaction des lecteurs, démarches en ligne et délais de traitement.'),
    form, out);
  load();
}

export function renderComments(main) {
  const status = h('select', { id: 'avis-etat' },
    h('option', { value: 'pending' }, 'à lire'), h('option', { value: 'read' }, 'lus'), h('option', { value: 'dismissed' }, 'écartés'));
  const out = h('div', { 'aria-live': 'polite' });
  const live = h('p', { role: 'status', class: 'visually-hidden' });
  async function load() {
    try {
      const r = await api.get(`${STATS}/feedback/comments?status=${status.value}&limit=50`);
      if (!r.items.length) {
        replaceChildren(out, h('p', { class: 'empty-state' }, 'Aucun commentaire dans cette liste.'));
        return;
      }
      replaceChildren(out, h('ul', { class: 'stats-comments' }, r.items.map((c) => h('li', { class: 'stats-comment' },
        h('p', {}, h('strong', {}, QUESTIONS[c.question] || c.question), ` — réponse : ${c.answer ? 'oui' : 'non'}`, c.demo ? ' (démonstration)' : ''),
        h('blockquote', {}, c.comment),
        h('p', { class: 'stats-ref' }, `Page ${c.path}, le ${new Date(c.at).toLocaleDateString('fr-FR')}`),
        status.value === 'pending' ? h('p', { class: 'stats-actions' },
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => review(c.id, 'read') }, 'Marquer comme lu'),
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => review(c.id, 'dismissed') }, 'Écarter')) : null))));
    } catch (err) {
      replaceChildren(out, h('p', { class: 'error-summary', role: 'alert' }, `Les avis ne peuvent pas être affichés : ${err.message}`));
    }
  }
  async function review(id, to) {
    try {
      await api.post(`${STATS}/feedback/comments/${id}/review`, { status: to });
      live.textContent = to === 'read' ? 'Commentaire marqué comme lu.' : 'Commentaire écarté.';
      load();
    } catch (err) {
      live.textContent = `Action impossible : ${err.message}`;
    }
  }
  status.addEventListener('change', load);
  replaceChildren(main, h('h1', {}, 'Avis des lecteurs'), subnav('/admin/statistiques/avis'),
    h('p', { class: 'admin-lead' }, 'Les commentaires laissés sous les pages de vos rubriques et les démarches de votre service. Les adresses électroniques et numéros de téléphone sont masqués.'),
    h('div', { class: 'field' }, h('label', { for: 'avis-etat' }, 'Afficher les commentaires'), status), live, out);
  load();
}
