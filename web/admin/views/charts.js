// Charts of the statistics dashboard, drawn as SVG by this file (no library, no other host).
// Every chart comes with the table of its numbers (for screen readers, and for anyone who wants
// the figures) and a CSV download of that same table.

import { h } from '/lib/dom.js';

const NS = 'http://www.w3.org/2000/svg';
// Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by shape too.
const COLOURS = ['#1f4e99', '#b34700', '#2e7d32', '#6a1b9a'];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fmt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
export const formatNumber = (v) => (v === null || v === undefined || Number.isNaN(v) ? '—' : fmt.format(v));

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function csvCell(v) {
  const t = String(v ?? '');
  const safe = /^[=+\-@]/.test(t) ? `'${t}` : t; // a spreadsheet must not run a formula from data
  return /[",\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A link that downloads headers + rows as a CSV file (made in the browser, nothing sent). */
export function csvLink(filename, headers, rows, label = 'Télécharger les données (CSV)') {
  const text = [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n');
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }));
  return h('a', { href: url, download: filename, class: 'chart-csv' }, label);
}

/** figure = SVG (hidden from screen readers, who get the table) + table + CSV link. */
function figure(id, title, svg, headers, rows, filename) {
  return h('figure', { class: 'chart', 'aria-labelledby': `${id}-titre` },
    h('figcaption', { id: `${id}-titre` }, title),
    svg,
    h('details', { class: 'chart-data' },
      h('summary', {}, 'Tableau des données'),
      h('table', { class: 'chart-table' },
        h('caption', { class: 'visually-hidden' }, title),
        h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r[0])),
          r.slice(1).map((c) => h('td', {}, typeof c === 'number' ? formatNumber(c) : String(c ?? '—')))))))),
    csvLink(filename, headers, rows));
}

/**
 * Lines over time. series: [{ label, values: [numbers] }] aligned on labels (x axis).
 * The second series (the reference period) is dashed.
 */
export function lineChart({ id, title, labels, series, filename }) {
  const W = 640, H = 240, L = 48, R = 12, T = 12, B = 32;
  const max = niceMax(Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v !== null))));
  const x = (i) => L + (labels.length <= 1 ? 0 : (i * (W - L - R)) / (labels.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'aria-hidden': 'true', focusable: 'false' });
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'chart-grid' }),
      s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-axis' }, formatNumber(v)));
  }
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((lab, i) => {
    if (i % step === 0) svg.append(s('text', { x: x(i), y: H - 10, 'text-anchor': 'middle', class: 'chart-axis' }, lab));
  });
  series.forEach((ser, k) => {
    const pts = ser.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
    svg.append(s('polyline', { points: pts.join(' '), fill: 'none', stroke: COLOURS[k], 'stroke-width': 2.5,
      'stroke-dasharray': k === 1 ? '6 4' : null }));
  });
  const legend = h('ul', { class: 'chart-legend', 'aria-hidden': 'true' }, series.map((ser, k) =>
    h('li', {}, h('span', { class: `chart-key chart-key-${k}` }), ser.label)));
  const headers = ['Période', ...series.map((x) => x.label)];
  const rows = labels.map((lab, i) => [lab, ...series.map((ser) => ser.values[i])]);
  const fig = figure(id, title, svg, headers, rows, filename);
  fig.insertBefore(legend, fig.querySelector('details'));
  return fig;
}

/** Horizontal bars: items [{ label, value, note? }], values formatted by format (default number). */
export function barChart({ id, title, items, valueLabel, filename, format = formatNumber, max: fixedMax }) {
  const W = 640, rowH = 28, L = 220, R = 70;
  const H = Math.max(rowH, items.length * rowH) + 8;
  const max = fixedMax || niceMax(Math.max(0, ...items.map((i) => i.value || 0)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'aria-hidden': 'true', focusable: 'false' });
  items.forEach((it, i) => {
    const yy = 4 + i * rowH;
    const w = ((it.value || 0) / max) * (W - L - R);
    const label = it.label.length > 34 ? `${it.label.slice(0, 33)}…` : it.label;
    svg.append(s('text', { x: L - 8, y: yy + 18, 'text-anchor': 'end', class: 'chart-axis' }, label),
      s('rect', { x: L, y: yy + 4, width: Math.max(0, w), height: rowH - 10, fill: COLOURS[0] }),
      s('text', { x: L + w + 6, y: yy + 18, class: 'chart-axis' }, format(it.value)));
  });
  const headers = ['Élément', valueLabel, ...(items.some((i) => i.extra) ? Object.keys(items.find((i) => i.extra).extra) : [])];
  const rows = items.map((it) => [it.label, it.value, ...(it.extra ? Object.values(it.extra) : [])]);
  return figure(id, title, svg, headers, rows, filename);
}
