// System tests of civitas-content through the gateway: the demo site is there, public reads are
// cacheable (ETag, 304, Cache-Control survive nginx), feeds have their types, search ignores
// accents, editorial routes need a token, internal routes are not routed, the job form works.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const BASE = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const API = `${BASE}/api/content/v1`;

async function get(path, headers = {}) {
  const res = await fetch(API + path, { headers });
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  return { res, body };
}

describe('civitas-content through the gateway', () => {
  it('the demo site is seeded: sections, news, events, an alert, the directory, offers', async () => {
    const sections = await get('/sections');
    assert.equal(sections.res.status, 200);
    const slugs = sections.body.flat.map((s) => s.slug);
    for (const s of ['mairie', 'demarches', 'enfance-jeunesse', 'culture-loisirs', 'conservatoire', 'emploi',
      'associations', 'urbanisme', 'vie-pratique', 'contact']) assert.ok(slugs.includes(s), s);
    assert.ok(!('contributor_ids' in sections.body.flat[0]), 'contributor lists are not public');
    const news = await get('/articles?kind=news&limit=100');
    assert.ok(news.body.items.length >= 10);
    const pages = await get('/articles?kind=page&limit=100');
    assert.ok(pages.body.items.length + news.body.items.length >= 30);
    const events = await get('/events?limit=100');
    assert.ok(events.body.items.length >= 10);
    for (const e of events.body.items) assert.ok(Date.parse(e.ends_at) >= Date.now() - 1000, 'only upcoming events');
    const alerts = await get('/alerts/active');
    assert.ok(alerts.body.items.length >= 1);
    const dir = await get('/directory?limit=100');
    assert.ok(dir.body.items.length >= 15);
    assert.ok(!('owner_user_ids' in dir.body.items[0]), 'owners are not public');
    const jobs = await get('/jobs?limit=100');
    assert.ok(jobs.body.items.length >= 6);
  });

  it('an article is cacheable: ETag, Cache-Control and 304 through nginx', async () => {
    const { res, body } = await get('/articles/le-conseil-municipal');
    assert.equal(res.status, 200);
    assert.match(body.body_html, /<h2>Les séances<\/h2>/);
    assert.deepEqual(body.breadcrumb.map((b) => b.slug), ['mairie']);
    const etag = res.headers.get('etag');
    assert.ok(etag);
    assert.match(res.headers.get('cache-control'), /public/);
    const again = await fetch(`${API}/articles/le-conseil-municipal`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const missing = await get('/articles/cette-page-n-existe-pas');
    assert.equal(missing.res.status, 404);
    assert.equal(missing.body.code, 'not_found');
  });

  it('search is accent-insensitive and marks the matches', async () => {
    const { res, body } = await get('/search?q=ecole');
    assert.equal(res.status, 200);
    assert.ok(body.items.length >= 2);
    assert.ok(body.items.some((i) => /<mark>[ÉEée]coles?<\/mark>/.test(i.snippet_html)));
    const prefix = await get('/search?q=mediath');
    assert.ok(prefix.body.items.some((i) => /médiathèque/i.test(i.title)));
    const types = new Set((await get('/search?q=loire&limit=50')).body.items.map((i) => i.type));
    assert.ok(types.size >= 2, `several kinds of results: ${[...types]}`);
  });

  it('feeds: Atom, sitemap and iCalendar with their types', async () => {
    const atom = await get('/feed.atom');
    assert.match(atom.res.headers.get('content-type'), /^application\/atom\+xml/);
    assert.match(atom.body, /<entry>/);
    const sitemap = await get('/sitemap.xml');
    assert.match(sitemap.res.headers.get('content-type'), /^application\/xml/);
    // An index of parts (fixed pages, sections, events, directory; then one per year of articles):
    // every part is XML and, together, they list the town's pages and sections.
    assert.match(sitemap.body, /<sitemapindex /);
    const parts = [...sitemap.body.matchAll(/<loc>[^<]*\/api\/content\/v1(\/sitemap\/[^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.ok(parts.includes('/sitemap/pages.xml') && parts.length >= 2, `parts: ${parts}`);
    let urls = '';
    for (const part of parts) {
      const r = await get(part);
      assert.equal(r.res.status, 200, part);
      assert.match(r.res.headers.get('content-type'), /^application\/xml/);
      urls += r.body;
    }
    assert.match(urls, /page\.html\?slug=le-conseil-municipal/);
    assert.match(urls, /page\.html\?rubrique=/);
    const ics = await get('/events.ics');
    assert.match(ics.res.headers.get('content-type'), /^text\/calendar/);
    assert.match(ics.body, /^BEGIN:VCALENDAR\r\n/);
    assert.ok((ics.body.match(/BEGIN:VEVENT/g) || []).length >= 10);
    for (const line of ics.body.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
  });

  it('editorial routes need a token; internal ones are never routed', async () => {
    const post = await fetch(`${API}/articles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 401);
    const review = await fetch(`${API}/review`);
    assert.equal(review.status, 401);
    const preview = await fetch(`${API}/articles/le-conseil-municipal?preview=1`);
    assert.equal(preview.status, 401);
    const demo = await fetch(`${BASE}/internal/v1/demo`, { method: 'POST' });
    assert.equal(demo.status, 404);
  });

  it('the job form: honeypot refused, a real offer waits for moderation', async () => {
    const offer = {
      title: 'Agent ou agente d’accueil', employer: 'Test système', contract: 'cdd', location: 'Beaulieu-sur-Loire',
      description_md: 'Accueil du public et standard téléphonique, 35 heures par semaine.',
      contact_email: 'rh@test-systeme.example', expires_at: new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const bot = await fetch(`${API}/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...offer, website: 'http://spam.example' }) });
    assert.equal(bot.status, 422);
    const res = await fetch(`${API}/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(offer) });
    assert.equal(res.status, 201);
    const created = await res.json();
    assert.equal(created.status, 'pending');
    assert.match(res.headers.get('location'), new RegExp(`/jobs/${created.id}$`));
    const pub = await fetch(`${API}/jobs/${created.id}`);
    assert.equal(pub.status, 404, 'not public before an editor publishes it');
    // The employer gets the edit link by e-mail: content's outbox → account → SMTP catcher.
    const folder = process.env.CIVITAS_TEST_MAIL;
    if (folder) {
      let mail = null;
      for (let i = 0; i < 100 && !mail; i++) {
        for (const name of readdirSync(folder).filter((n) => n.endsWith('.eml'))) {
          let text = '';
          try { text = readFileSync(path.join(folder, name), 'utf8'); } catch { continue; }
          if (text.includes('rh@test-systeme.example') && text.includes(created.id)) mail = text;
        }
        if (!mail) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(mail, 'an e-mail with the edit link reached the employer');
      assert.match(mail, /#cle=/, 'the secret is in the fragment of the link');
    }
  });
});
