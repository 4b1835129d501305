// Statistics in the browser: three public pages visited by an ordinary browser and one
// satisfaction answer reach the editors' dashboard (beacon → queue → daily figures → SVG charts
// with their tables); the widget and the dashboard pass axe-core.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, BASE_URL, DESKTOP, launch, PHONE, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const ACCOUNT_DIRECT = BASE_URL.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 22}`);
// Headless Chromium calls itself HeadlessChrome, which the robot filter drops: this test is a person.
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function tokenOf(email) {
  const res = await fetch(`${ACCOUNT_DIRECT}/api/account/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).access_token;
}
const editorToken = () => tokenOf('editeur@mairie.example');

async function today(token) {
  const day = new Date().toISOString().slice(0, 10);
  const res = await fetch(`${BASE_URL}/api/stats/v1/dashboard?from=${day}&to=${day}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const d = await res.json();
  return { views: d.figures.page_views.value, useful: d.satisfaction.useful.yes };
}

describe('statistics in the browser', () => {
  it('three pages visited and one answer show on the dashboard; axe clean', { timeout: budget(240_000) }, async () => {
    let token = await editorToken();
    const before0 = await today(token);
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'fr-FR', userAgent: UA });
    const page = await context.newPage();
    const tag = randomUUID().slice(0, 8);
    const beacons = [];
    page.on('request', (r) => { if (r.url().includes('/api/stats/v1/hits')) beacons.push(r.url()); });
    try {
      for (const p of [`/contact.html?slug=btest-${tag}`, `/mentions-legales.html?slug=btest-${tag}`, `/page.html?slug=btest-${tag}`]) {
        await page.goto(BASE_URL + p, { waitUntil: 'networkidle' });
        await page.waitForFunction((n) => performance.getEntriesByType('resource').some((e) => e.name.includes('/api/stats/v1/hits')), null, { timeout: budget(15_000) });
      }
      assert.ok(beacons.length >= 3, `three beacons sent (${beacons.length})`);
      // The widget under the article: answer « utile : oui ».
      const widget = page.locator('#avis-page');
      await widget.waitFor();
      await assertAccessible(page, 'page with the satisfaction widget');
      const q = page.getByRole('group', { name: 'Cette information vous a-t-elle été utile ?' });
      await q.getByLabel('Oui').check();
      await page.locator('#avis-useful-commentaire').fill('Très clair, merci.');
      await page.locator('form[aria-labelledby="avis-useful-titre"] button[type="submit"]').click();
      await page.getByText('Merci pour votre réponse.').waitFor();

      // The personal-data page offers the objection switch.
      await page.goto(`${BASE_URL}/donnees-personnelles.html`, { waitUntil: 'networkidle' });
      await page.getByRole('switch', { name: 'Refuser la mesure d’audience' }).waitFor();
      await assertAccessible(page, 'personal-data page with the switch');

      // The scheduler recomputes today's figures every minute.
      let now = before0;
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        now = await today(token);
        if (now.views >= before0.views + 3 && now.useful >= before0.useful + 1) break;
        await new Promise((r) => setTimeout(r, 3000));
      }
      assert.ok(now.views >= before0.views + 3, `page views ${before0.views} → ${now.views}`);
      assert.ok(now.useful >= before0.useful + 1, `useful answers ${before0.useful} → ${now.useful}`);

      // The editor's dashboard in the admin SPA shows it, with SVG charts and their tables.
      await page.goto(`${BASE_URL}/admin/statistiques`, { waitUntil: 'networkidle' });
      await page.getByLabel('Adresse électronique').fill('editeur@mairie.example');
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('heading', { name: 'Statistiques', level: 1 }).waitFor();
      const day = new Date().toISOString().slice(0, 10);
      await page.locator('#stats-from').fill(day);
      await page.locator('#stats-to').fill(day);
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.getByText('Les visiteurs uniques sont comptés par jour', { exact: false }).waitFor();
      const card = page.locator('.stats-cards li', { hasText: 'Pages vues' }).locator('.kpi-value');
      const shown = Number((await card.innerText()).replace(/\s/g, '').replace(',', '.'));
      assert.ok(shown >= before0.views + 3, `dashboard card shows ${shown}`);
      assert.ok(await page.locator('figure.chart svg').count() >= 5, 'charts drawn as SVG');
      assert.ok(await page.locator('figure.chart table').count() >= 5, 'each chart has its table');
      assert.ok(await page.locator('a[download$=".csv"]').count() >= 5, 'CSV downloads');
      const sat = page.locator('#graphe-satisfaction-titre');
      await sat.waitFor();
      await assertAccessible(page, '/admin/statistiques');
    } finally {
      await context.close();
    }
  });

  it('a decided request offers its rating to its author, once; axe clean on a phone', { timeout: budget(180_000) }, async (t) => {
    const token = await tokenOf('citoyen@example.org');
    const mine = await (await fetch(`${BASE_URL}/api/teleservices/v1/me/requests`, { headers: { Authorization: `Bearer ${token}` } })).json();
    const decided = mine.items.find((r) => r.status === 'accepted' || r.status === 'rejected');
    if (!decided) return t.skip('the demo citizen has no decided request');
    const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', userAgent: UA });
    const page = await context.newPage();
    try {
      await page.goto(`${BASE_URL}/mes-demandes.html?id=${decided.id}`, { waitUntil: 'networkidle' });
      // Signed out, the page invites to sign in on connexion.html, which comes back here.
      await page.getByRole('link', { name: 'Me connecter' }).click();
      await page.getByLabel('Adresse électronique').fill('citoyen@example.org');
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('heading', { name: 'Votre avis sur cette démarche' }).waitFor();
      await assertAccessible(page, 'decided request with its rating form (360 px)');
      await page.getByLabel('4').check();
      await page.getByRole('button', { name: 'Envoyer mon avis' }).click();
      await page.getByText(/Merci pour votre avis|déjà donné votre avis/).waitFor();
      // Once only, and only its author.
      const again = await fetch(`${BASE_URL}/api/stats/v1/ratings`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ request_id: decided.id, rating: 5 }),
      });
      assert.equal(again.status, 409);
      const other = await fetch(`${BASE_URL}/api/stats/v1/ratings`, {
        method: 'POST', headers: { Authorization: `Bearer ${await editorToken()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ request_id: decided.id, rating: 1 }),
      });
      assert.equal(other.status, 404);
    } finally {
      await context.close();
    }
  });
});
