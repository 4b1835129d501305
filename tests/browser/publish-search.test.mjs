// What an editor and a reader see of the public site once content changes: an offer the editor
// publishes shows on the public board at once in the editor's own browser (which had the board
// before: public answers are revalidated, not kept for a minute), the employer is told by
// e-mail; and search labels each result by its kind (news, page, event, directory entry, job,
// online procedure). Demo data, real sign-in; axe-core on each page.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, PHONE, assertAccessible, assertNoProblems, budget, launch, openPage } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const MAIL = process.env.CIVITAS_TEST_MAIL || '';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The caught e-mail to `to` that contains every needle, or null after ~30 s. */
async function mailTo(to, needles) {
  for (let i = 0; i < 150; i++) {
    for (const f of readdirSync(MAIL).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))) {
      let text = '';
      try { text = readFileSync(path.join(MAIL, f), 'utf8'); } catch { continue; }
      if (text.includes(`To: ${to}`) && needles.every((n) => text.includes(n))) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

describe('the public site after a change, and search', () => {
  it('an offer published by the editor is on the board at once, and the employer is told', { timeout: budget(240_000) }, async () => {
    const tag = Date.now().toString(36);
    const title = `Agent ou agente d’accueil ${tag}`;
    const contact = `rh.${tag}@employeur.example`;
    const expires = new Date(Date.now() + 20 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const posted = await fetch(`${BASE_URL}/api/content/v1/jobs`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title, employer: 'Pharmacie du Port', contract: 'cdd', location: 'Beaulieu-sur-Loire', description_md: 'Accueil des clients et gestion des commandes, 28 heures par semaine.', contact_email: contact, expires_at: expires }),
    });
    assert.equal(posted.status, 201);
    const { page, context, problems } = await openPage(browser, '/emploi.html', { viewport: PHONE, allow: [/status of 401/] });
    try {
      // The board as the editor's browser first sees it (and keeps it): no such offer yet.
      await page.locator('main .content-list, main .empty-state').first().waitFor();
      assert.equal(await page.getByRole('link', { name: title }).count(), 0);

      await page.goto(`${BASE_URL}/admin/offres-emploi`, { waitUntil: 'networkidle' });
      await page.getByLabel('Adresse électronique').fill('editeur@mairie.example');
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.locator('#admin-nav:not([hidden])').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Offres d’emploi' }).waitFor();
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/publish') && r.request().method() === 'POST' && r.status() === 200),
        page.getByRole('button', { name: `Publier : ${title}` }).click(),
      ]);
      // What the editor sees: the confirmation, which stays once the list is read again without
      // the offer. Leaving before that reload ends would abort it.
      await page.getByRole('status').filter({ hasText: /^Offre publiée\. \d+ offres? dans cet état\.$/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: `Publier : ${title}` }).count(), 0);

      // Straight back to the public board in the same browser: the new offer is there.
      await page.goto(`${BASE_URL}/emploi.html`, { waitUntil: 'networkidle' });
      await page.getByRole('link', { name: title }).waitFor({ timeout: budget(10_000) });
      await assertAccessible(page, 'job board after publication');
      assertNoProblems(problems, 'publication');
    } finally {
      await context.close();
    }
    if (MAIL) {
      const mail = await mailTo(contact, [title, 'a été validée par la mairie', `/emploi.html?offre=`]);
      assert.ok(mail, 'the employer was told the offer is online');
    }
  });

  it('search labels news, pages, events, the directory, jobs and procedures', { timeout: budget(180_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/recherche.html', { viewport: PHONE });
    try {
      for (const [q, title, label] of [
        ['déchetterie', 'Nouveaux horaires de la déchetterie', 'Actualité'],
        ['collecte déchets', 'La collecte des déchets', 'Page'],
        ['conseil municipal', 'Séance du conseil municipal', 'Événement'],
        ['basket', 'Beaulieu Basket Club', 'Annuaire'],
        ['boulanger', 'Boulanger ou boulangère', 'Offre d’emploi'],
        ['conservatoire', 'Inscription au conservatoire', 'Démarche en ligne'],
      ]) {
        await page.goto(`${BASE_URL}/recherche.html?q=${encodeURIComponent(q)}`, { waitUntil: 'networkidle' });
        const hit = page.locator('#resultats li', { has: page.getByRole('link', { name: title, exact: true }) }).first();
        await hit.waitFor();
        assert.equal((await hit.locator('.result-type').textContent()).trim(), label, `« ${title} » is labelled ${label}`);
      }
      await assertAccessible(page, 'search results');
      assertNoProblems(problems, 'search');
    } finally {
      await context.close();
    }
  });
});
