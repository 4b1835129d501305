// Read-only calls to civitas-content used by the public pages (news, agenda, alert banner),
// and small helpers the content pages share (rendered Markdown, dates, query parameters).

import { api } from './api.js';

// Every feed of civitas-content is served: the home page asks for each of them.
export const FEEDS = Object.freeze({
  articles: true, // GET /api/content/v1/articles?kind=news&limit=N → { items: [{ id, title, summary, published_at, url, cover }] }
  events: true,   // GET /api/content/v1/events?limit=N   → { items: [{ id, title, starts_at, ends_at, location, url }] }
  alert: true,    // GET /api/content/v1/alerts/active    → { items: [{ level, message, link }] }
});

export const CONTENT_API = '/api/content/v1';

async function list(feed, path, limit) {
  if (!FEEDS[feed]) return [];
  const sep = path.includes('?') ? '&' : '?';
  const data = await api.get(`${path}${sep}limit=${encodeURIComponent(limit)}`);
  return Array.isArray(data?.items) ? data.items : [];
}

/** Latest published news, newest first. */
export function latestArticles(limit = 3) {
  return list('articles', `${CONTENT_API}/articles?kind=news`, limit);
}

/** Next events of the agenda, soonest first. */
export function upcomingEvents(limit = 3) {
  return list('events', `${CONTENT_API}/events`, limit);
}

const LEVEL_TITLES = { critical: 'Alerte', warning: 'Information importante', info: 'Information' };

/** The most urgent active alert as { title, message, level, url }, or null when there is none. */
export async function currentAlert() {
  if (!FEEDS.alert) return null;
  const data = await api.get(`${CONTENT_API}/alerts/active`);
  const a = Array.isArray(data?.items) ? data.items[0] : null;
  if (!a) return null;
  return { title: LEVEL_TITLES[a.level] || 'Information', message: a.message, level: a.level, url: a.link || null };
}

/**
 * Puts HTML rendered by civitas-content into el. The server renders Markdown with raw HTML
 * omitted and only http/https/mailto/relative links, so this markup is inert; the page's CSP
 * (script-src 'self') is the second lock. Never use this for anything else.
 */
export function setRenderedHtml(el, html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = typeof html === 'string' ? html : '';
  // External links open normally but do not hand over the page (no window.opener).
  for (const a of tpl.content.querySelectorAll('a[href^="http"]')) a.setAttribute('rel', 'noopener');
  el.replaceChildren(tpl.content);
}

/** A query parameter of the current URL, or ''. */
export function param(name) {
  return new URL(location.href).searchParams.get(name) || '';
}

export const CONTRACTS = Object.freeze({
  cdi: 'CDI', cdd: 'CDD', interim: 'Intérim', stage: 'Stage', apprentissage: 'Apprentissage',
  saisonnier: 'Saisonnier', benevolat: 'Bénévolat', autre: 'Autre',
});

export const CATEGORIES = Object.freeze({
  culture: 'Culture', sport: 'Sport', solidarite: 'Solidarité', seniors: 'Seniors', enfance: 'Enfance',
  environnement: 'Environnement', animation: 'Animation', emploi: 'Emploi', 'services-publics': 'Services publics',
});

export function categoryLabel(c) {
  return CATEGORIES[c] || (c ? c.charAt(0).toUpperCase() + c.slice(1).replace(/-/g, ' ') : '');
}

