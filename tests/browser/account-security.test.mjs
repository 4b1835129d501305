// Browser tests of sessions and the second factor as people use them, against the real stack:
// two tabs of one browser refreshing their access token at the same moment stay signed in (one
// shared refresh, and the server's reuse interval for what still races); an administrator
// enrols an authenticator, is shown the ten recovery codes once, and signs in with one of them
// after « losing the phone »; the new admin screens (recovery codes, create an agent, one
// person's sessions, audit export) pass axe and fit a 360 px phone.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, PHONE, assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';
import { DB, MAIL, PASSWORD, post, register, submitLogin, totp } from './people.mjs';

// Before sign-in a refresh answers 401, the enrolment step answers 403, and the gateway's
// per-address sign-in limit (shared by every test from 127.0.0.1) may answer 429: Chromium logs them.
const ALLOW = [/status of 40[13]/, /status of 429/, /session\/refresh/];

async function noHorizontalScroll(page, label) {
  const [overflow, culprits] = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The widest elements that are not inside a scrolling box: what makes the page scroll.
    // (an absolutely positioned element escapes a scroller that is not its containing block)
    const inScroller = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) if (/(auto|scroll)/.test(getComputedStyle(p).overflowX)) return true;
      return false;
    };
    const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > width + 1 &&
      (!inScroller(e) || getComputedStyle(e).position === 'absolute'))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
    return [document.documentElement.scrollWidth - width, wide];
  });
  assert.ok(overflow <= 0, `${label}: ${overflow}px wider than the 360 px screen (${culprits.join(', ')})`);
}

describe('sessions and second factor', { timeout: budget(600_000), skip: (!MAIL || !DB) && 'needs the test stack' }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('two tabs refreshing at the same moment stay signed in', { timeout: budget(240_000) }, async () => {
    const email = await register();
    const { page: a, context, problems } = await openPage(browser, '/connexion.html?retour=/mon-espace.html', { allow: ALLOW });
    try {
      await a.fill('#f-email', email);
      await a.fill('#f-password', PASSWORD);
      await submitLogin(a, '#space:not([hidden])');
      const b = await context.newPage();
      await b.goto(`${BASE_URL}/mon-espace.html`, { waitUntil: 'networkidle' });
      await b.locator('#space').waitFor();
      const refresh = () => import('/lib/api.js').then((m) => m.refreshSession());
      for (let round = 0; round < 4; round++) {
        const [ra, rb] = await Promise.all([a.evaluate(refresh), b.evaluate(refresh)]);
        assert.equal(ra, true, `tab A, round ${round}`);
        assert.equal(rb, true, `tab B, round ${round}`);
      }
      // Tabs that do not take turns (an old page, another client): the server's interval.
      const raw = () => fetch('/api/account/v1/session/refresh', { method: 'POST', headers: { 'X-Requested-With': 'civitas' } })
        .then((r) => r.status);
      const statuses = await Promise.all([a.evaluate(raw), b.evaluate(raw)]);
      assert.deepEqual(statuses, [200, 200]);
      // Both tabs are still signed in after a reload, on one live session.
      for (const p of [a, b]) {
        await p.reload({ waitUntil: 'networkidle' });
        await p.locator('#space').waitFor();
        assert.equal(await p.locator('#space-anon').isVisible(), false);
      }
      const sessions = await a.evaluate(() => import('/lib/api.js').then((m) => m.api.get('/api/account/v1/sessions')));
      assert.equal(sessions.items.length, 1);
      assertNoProblems(problems, 'two tabs');
    } finally {
      await context.close();
    }
  });

  it('an administrator enrols, keeps the recovery codes and signs in with one', { timeout: budget(360_000) }, async () => {
    const email = await register('admin');
    const { page, context, problems } = await openPage(browser, '/admin/', { allow: ALLOW });
    try {
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await submitLogin(page, '#enrol-secret');
      const secret = (await page.locator('#enrol-secret').textContent()).trim();
      await page.getByLabel('Premier code affiché par l’application').fill(totp(secret));
      await page.getByRole('button', { name: 'Activer la double authentification' }).click();
      // The ten codes, shown once.
      await page.getByRole('heading', { name: 'Vos codes de secours' }).waitFor();
      const codes = await page.locator('#recovery-codes li').allTextContents();
      assert.equal(codes.length, 10);
      for (const c of codes) assert.match(c.trim(), /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
      await assertAccessible(page, 'recovery codes');
      await screenshot(page, 'admin-recovery-codes');
      await page.getByRole('button', { name: /continuer/ }).click();
      // The phone is in the Loire: a recovery code instead of the app's code.
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: /utiliser un code de secours/ }).click();
      await page.getByLabel('Code de secours').fill(codes[3].trim().toLowerCase());
      await assertAccessible(page, 'login with a recovery code');
      await submitLogin(page, '#admin-nav:not([hidden])');
      // The code is spent: the same one again is refused.
      let again = 429;
      for (let i = 0; i < 6 && again === 429; i++) {
        if (i) await page.waitForTimeout(15_000); // the gateway's per-address sign-in limit
        again = await page.evaluate(async ([mail, pw, code]) => (await fetch('/api/account/v1/login', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: mail, password: pw, recovery_code: code }),
        })).status, [email, PASSWORD, codes[3].trim()]);
      }
      assert.equal(again, 401);

      // The new admin screens, at desktop width and on a phone.
      await page.getByRole('link', { name: 'Utilisateurs' }).click();
      await page.locator('#users-table table').waitFor();
      await page.locator('#create-form').waitFor();
      await page.getByLabel('Rechercher (nom ou adresse)').fill(email);
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await page.getByRole('button', { name: `Sessions de ${email}` }).click();
      await page.locator('#users-sessions table').waitFor();
      assert.ok(await page.getByRole('button', { name: /^Mettre fin/ }).count() >= 1);
      // Never one's own reset.
      assert.equal(await page.getByRole('button', { name: `Réinitialiser la double authentification de ${email}` }).count(), 0);
      await assertAccessible(page, '/admin/utilisateurs');
      await screenshot(page, 'admin-users-security');
      await page.getByRole('link', { name: 'Journal d’audit' }).click();
      await page.locator('#export-form').waitFor();
      await assertAccessible(page, '/admin/audit');
      await page.setViewportSize(PHONE);
      for (const [link, ready] of [['Utilisateurs', '#create-form'], ['Journal d’audit', '#export-form']]) {
        await page.getByRole('link', { name: link }).click();
        await page.locator(ready).waitFor();
        await noHorizontalScroll(page, link);
        await assertAccessible(page, `${link} (phone)`);
      }
      assertNoProblems(problems, 'admin with a recovery code');
    } finally {
      await context.close();
    }
  });
});
