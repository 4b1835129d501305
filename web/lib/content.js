// Read-only calls to civitas-content used by the public pages (news, agenda, alert banner).
// Each feed stays switched off until its endpoint exists, so pages never request a missing URL.

import { api } from './api.js';

// Flip a flag to true in the issue that ships the endpoint. While false the page keeps its
// static empty state and makes no request: Chromium logs every 404 as a console error.
export const FEEDS = Object.freeze({
  articles: false, // GET /api/content/v1/articles?limit=N → { items: [{ id, title, summary, published_at, url, image_url }] }
  events: false,   // GET /api/content/v1/events?limit=N   → { items: [{ id, title, starts_at, ends_at, location, url }] }
  alert: false,    // GET /api/content/v1/alert            → { title, message, level, url } or 204 when none
});

async function list(feed, path, limit) {
  if (!FEEDS[feed]) return [];
  const data = await api.get(`${path}?limit=${encodeURIComponent(limit)}`);
  return Array.isArray(data?.items) ? data.items : [];
}

/** Latest published news, newest first; [] while the feed is off. */
export function latestArticles(limit = 3) {
  return list('articles', '/api/content/v1/articles', limit);
}

/** Next events of the agenda, soonest first; [] while the feed is off. */
export function upcomingEvents(limit = 3) {
  return list('events', '/api/content/v1/events', limit);
}

/** The current alert banner, or null when there is none (or the feed is off). */
export async function currentAlert() {
  if (!FEEDS.alert) return null;
  const data = await api.get('/api/content/v1/alert');
  return data && typeof data === 'object' && data.title ? data : null;
}
