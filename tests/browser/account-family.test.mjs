// Browser tests of the family pages of « Mon espace »: a citizen (registered and verified through
// the API, signed in through the real login page) adds a child and a document in Chromium; every
// family page and the agents' quotient queue pass axe, and the pages fit a 360 px phone.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, PHONE, assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';

const MAIL = process.env.CIVITAS_TEST_MAIL || '';
const API = '/api/account/v1';
const PASSWORD = 'un mot de passe assez long 2026';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
// A refresh attempt without a session answers 401, which Chromium logs: expected before sign-in.
const ALLOW = [/401/, /session\/refresh/];
// The deliberate mistake in the member form answers 422, which Chromium logs too.
const ALLOW_422 = [...ALLOW, /status of 422/];

async function post(url, json) {
  return fetch(BASE_URL + url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
}

async function registerCitizen() {
  const email = `navigateur.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.org`;
  assert.equal((await post(`${API}/register`, { email, password: PASSWORD, given_name: 'Camille', family_name: 'Martin' })).status, 202);
  for (let i = 0; i < 100; i++) {
    for (const f of readdirSync(MAIL).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))) {
      let text = '';
      try {
        text = readFileSync(path.join(MAIL, f), 'utf8');
      } catch {
        continue; // the catcher renames files into place: one may vanish under us
      }
      const m = text.includes(email) && text.match(/verification\.html\?token=([A-Za-z0-9_-]+)/);
      if (m) {
        assert.ok((await post(`${API}/verify-email`, { token: m[1] })).ok);
        return email;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verification mail');
}

/** Signs in through connexion.html and lands on `back`. */
async function signIn(page, email, back) {
  await page.goto(`${BASE_URL}/connexion.html?retour=${encodeURIComponent(back)}`, { waitUntil: 'networkidle' });
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === back), page.click('#login-form button[type=submit]')]);
  await page.waitForLoadState('networkidle');
}

async function noHorizontalScroll(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${label}: ${overflow}px wider than the 360 px screen`);
}

describe('family pages', { timeout: budget(240_000), skip: !MAIL && 'needs CIVITAS_TEST_MAIL' }, () => {
  let browser;
  let email;
  before(async () => {
    browser = await launch();
    email = await registerCitizen();
  });
  after(async () => { await browser?.close(); });

  it('asks an anonymous visitor to sign in', async () => {
    const { page, context, problems } = await openPage(browser, '/mes-documents.html', { allow: ALLOW });
    try {
      const link = page.getByRole('link', { name: 'Me connecter' });
      await link.waitFor();
      assert.match(await link.getAttribute('href'), /^\/connexion\.html\?retour=%2Fmes-documents\.html$/);
      await assertAccessible(page, 'mes-documents (anonyme)');
      assertNoProblems(problems, 'mes-documents (anonyme)');
    } finally {
      await context.close();
    }
  });

  it('a citizen adds a child and a document, and every family page passes axe', async () => {
    const { page, context, problems } = await openPage(browser, '/', { allow: ALLOW_422 });
    try {
      await signIn(page, email, '/mon-espace-famille.html');
      await page.getByRole('heading', { name: 'Membres du foyer (1)' }).waitFor();
      await assertAccessible(page, 'ma famille');

      // Add a child with the keyboard-reachable form.
      await page.getByRole('button', { name: 'Ajouter un membre' }).click();
      await page.selectOption('#nouveau-lien', 'child');
      await page.fill('#nouveau-prenom', 'Léo');
      await page.fill('#nouveau-nom', 'Martin');
      await page.fill('#nouveau-naissance', '2019-05-20');
      await page.selectOption('#nouveau-classe', 'cp');
      await page.getByRole('button', { name: 'Ajouter au foyer' }).click();
      await page.getByRole('heading', { name: 'Membres du foyer (2)' }).waitFor();
      const card = page.locator('.member-card', { hasText: 'Léo Martin' });
      assert.match(await card.innerText(), /CP/);
      // A wrong birth date is refused with a French message next to the field.
      await page.getByRole('button', { name: 'Ajouter un membre' }).click();
      await page.selectOption('#nouveau-lien', 'adult');
      await page.fill('#nouveau-prenom', 'Trop');
      await page.fill('#nouveau-nom', 'Jeune');
      await page.fill('#nouveau-naissance', '2015-01-01');
      await page.getByRole('button', { name: 'Ajouter au foyer' }).click();
      await page.locator('#nouveau-naissance-error', { hasText: 'au moins 18 ans' }).waitFor();
      assert.equal(await page.getAttribute('#nouveau-naissance', 'aria-invalid'), 'true');
      await assertAccessible(page, 'ma famille (erreur)');
      await screenshot(page, 'family-household');

      // A document for Léo, expiring within 30 days: the list warns about it.
      await page.goto(`${BASE_URL}/mes-documents.html`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { name: 'Documents du foyer (0)' }).waitFor();
      const soon = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
      await page.setInputFiles('#doc-fichier', { name: 'certificat de scolarité.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.selectOption('#doc-nature', 'health_record');
      await page.selectOption('#doc-membre', { label: 'Léo Martin' });
      await page.fill('#doc-validite', soon);
      await page.getByRole('button', { name: 'Déposer le document' }).click();
      await page.getByRole('heading', { name: 'Documents du foyer (1)' }).waitFor();
      const doc = page.locator('.doc-card', { hasText: 'certificat de scolarité.pdf' });
      assert.match(await doc.innerText(), /Léo Martin/);
      assert.match(await doc.innerText(), /Expire bientôt/);
      // The download comes back as a file with the stored name.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        doc.getByRole('button', { name: /Télécharger/ }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'certificat de scolarité.pdf');
      await assertAccessible(page, 'mes documents');
      await screenshot(page, 'family-documents');

      await page.goto(`${BASE_URL}/mes-donnees.html`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { name: 'Supprimer mon compte' }).waitFor();
      await assertAccessible(page, 'mes données');

      // The same pages on a 360 px phone.
      await page.setViewportSize(PHONE);
      for (const url of ['/mon-espace-famille.html', '/mes-documents.html', '/mes-donnees.html']) {
        await page.goto(BASE_URL + url, { waitUntil: 'networkidle' });
        await page.locator('h2').first().waitFor();
        await noHorizontalScroll(page, url);
      }
      assert.equal(await page.locator('[style]').count(), 0, 'no style attribute');
      assertNoProblems(problems, 'family pages');
    } finally {
      await context.close();
    }
  });
});
