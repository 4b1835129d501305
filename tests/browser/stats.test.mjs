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
// The stats service counts by the town's day (Europe/Paris): from 23:00 UTC it is already tomorrow.
const townDay = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
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
  const day = townDay();
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
      const deadline = Date.now() + budget(150_000);
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
      const day = townDay();
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

  it('an editor imports the old portal’s figures: bad lines listed in French, then compared on the dashboard; axe clean', { timeout: budget(120_000) }, async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'fr-FR', userAgent: UA });
    const page = await context.newPage();
    try {
      await page.goto(`${BASE_URL}/admin/statistiques/import`, { waitUntil: 'networkidle' });
      await page.getByLabel('Adresse électronique').fill('editeur@mairie.example');
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('heading', { name: 'Chiffres de l’ancien portail', level: 1 }).waitFor();
      await assertAccessible(page, '/admin/statistiques/import');
      // Days of the old portal (years before the demo's 70 days), a new pair for each run.
      const y = 2001 + Math.floor(Math.random() * 20);
      const file = (text) => ({ name: 'ancien-portail.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      const upload = async (text) => {
        await page.getByLabel('Fichier CSV exporté par l’ancien outil de statistiques').setInputFiles(file(text));
        await page.getByRole('button', { name: 'Importer les chiffres' }).click();
      };
      // One good line and two bad ones: nothing imported, each bad line named in French.
      await upload(`date;metric;value\n${y}-03-01;page_views;1480\n${y}-03-02;hits;3\n${y}-03-03;visitors;-1\n`);
      const summary = page.locator('#import-errors');
      await summary.getByText('Rien n’a été importé').waitFor();
      await summary.getByText('Ligne 3 : indicateur inconnu', { exact: false }).waitFor();
      await summary.getByText('Ligne 4 : un nombre positif ou nul', { exact: false }).waitFor();
      await assertAccessible(page, 'import with its bad lines');
      const token = await editorToken();
      const series = async () => {
        const res = await fetch(`${BASE_URL}/api/stats/v1/timeseries?metric=page_views&interval=day&from=${y}-03-01&to=${y}-03-02`,
          { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200);
        return (await res.json()).points.reduce((n, p) => n + p.value, 0);
      };
      assert.equal(await series(), 0, 'nothing imported from a file with bad lines');
      // The corrected file goes in whole.
      await upload(`date;metric;value\n${y}-03-01;page_views;1480\n${y}-03-02;page_views;1322,5\n${y}-03-02;visitors;512\n`);
      await page.getByText(`3 chiffre(s) importé(s) (« ancien portail »), du ${y}-03-01 au ${y}-03-02.`).waitFor();
      assert.equal(await series(), 2802.5);
      // The link opens the dashboard with that period as the comparison.
      await page.getByRole('link', { name: 'Comparer une période à ces chiffres' }).click();
      await page.getByRole('heading', { name: 'Statistiques', level: 1 }).waitFor();
      assert.equal(await page.locator('#stats-compare').inputValue(), 'custom');
      assert.equal(await page.locator('#stats-ref-from').inputValue(), `${y}-03-01`);
      await page.getByText(`comparée à la période du ${y}-03-01 au ${y}-03-02`, { exact: false }).waitFor();
    } finally {
      await context.close();
    }
  });
});
