// Browser tests of the agent SPA (/admin/): login screen, accessible error summary, TOTP step,
// and the signed-in layout. API answers are mocked with page.route where the flow needs them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';

const LOGIN = '**/api/account/v1/login';
// Mocked 4xx answers are logged by Chromium as "Failed to load resource"; those are expected here.
const MOCKED_STATUS = [/Failed to load resource: the server responded with a status of (401|404|422)/];

function problem(status, code, extra = {}) {
  return {
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: code, status, detail: code, code, request_id: 'test', ...extra }),
  };
}

describe('agent SPA', { timeout: budget(240_000) }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  for (const urlPath of ['/admin/', '/admin/some/deep/link']) {
    it(`${urlPath} shows the login screen without error and passes axe`, { timeout: budget(60_000) }, async () => {
      const { page, context, response, problems } = await openPage(browser, urlPath);
      try {
        assert.equal(response.status(), 200);
        assert.equal(await page.getAttribute('html', 'lang'), 'fr');
        await page.getByRole('heading', { level: 1, name: 'Connexion à l’espace agents' }).waitFor();
        assert.equal(await page.locator('h1').count(), 1);
        assert.ok(await page.getByLabel('Adresse électronique').isVisible());
        assert.ok(await page.getByLabel('Mot de passe', { exact: true }).isVisible());
        assert.equal(await page.getByLabel('Code à usage unique').isVisible(), false, 'TOTP field hidden until asked for');
        assert.equal(await page.locator('#admin-nav').isVisible(), false, 'side nav hidden before login');
        assert.match(await page.title(), /^Connexion — Espace agents — /);
        assert.equal(await page.locator('[style]').count(), 0, 'no style attribute');
        await screenshot(page, `admin${urlPath}`);
        await assertAccessible(page, urlPath);
        assertNoProblems(problems, urlPath);
      } finally {
        await context.close();
      }
    });
  }

  it('an empty submit lists the errors in an alert linked to the fields', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/admin/');
    try {
      await page.getByRole('button', { name: 'Se connecter' }).click();
      const summary = page.getByRole('alert');
      await summary.getByRole('heading', { name: 'Le formulaire contient 2 erreurs' }).waitFor();
      assert.equal(await summary.getByRole('link').count(), 2);
      const email = page.getByLabel('Adresse électronique');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.match(await email.getAttribute('aria-describedby'), /\blogin-email-error\b/);
      assert.equal((await page.locator('#login-email-error').innerText()).trim(), 'Saisissez votre adresse électronique.');
      await summary.getByRole('link', { name: 'Saisissez votre mot de passe.' }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password');
      await screenshot(page, 'admin-errors');
      await assertAccessible(page, '/admin/ (errors shown)');
      assertNoProblems(problems, '/admin/ (errors)');
    } finally {
      await context.close();
    }
  });

  it('a login against the current stack fails gracefully in French', { timeout: budget(60_000) }, async () => {
    // Until civitas-account serves /login the gateway answers 404 ("Service indisponible");
    // afterwards these made-up credentials get 401 ("Connexion impossible"). Never a crash.
    const { page, context, problems } = await openPage(browser, '/admin/', { allow: [/Failed to load resource: the server responded with a status of (401|404|429|502|503)/] });
    try {
      await page.getByLabel('Adresse électronique').fill('agent.inconnu@exemple.fr');
      await page.getByLabel('Mot de passe', { exact: true }).fill('mot-de-passe-incorrect');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      const heading = page.getByRole('alert').getByRole('heading');
      await heading.waitFor();
      assert.match(await heading.innerText(), /^(Service indisponible|Connexion impossible)$/);
      assertNoProblems(problems, '/admin/ login');
    } finally {
      await context.close();
    }
  });

  it('a 404 from the login endpoint shows "Service indisponible"', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/admin/', {
      allow: MOCKED_STATUS,
      setup: (p) => p.route(LOGIN, (route) => route.fulfill(problem(404, 'not_found'))),
    });
    try {
      await page.getByLabel('Adresse électronique').fill('agent@exemple.fr');
      await page.getByLabel('Mot de passe', { exact: true }).fill('un-mot-de-passe-long');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('alert').getByRole('heading', { name: 'Service indisponible' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Se connecter' }).isEnabled(), true, 'form usable again');
      await assertAccessible(page, '/admin/ (service indisponible)');
      assertNoProblems(problems, '/admin/ 404');
    } finally {
      await context.close();
    }
  });

  it('field errors from a 422 problem are shown in French next to the field', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/admin/', {
      allow: MOCKED_STATUS,
      setup: (p) => p.route(LOGIN, (route) => route.fulfill(problem(422, 'validation_failed', {
        errors: [{ field: 'password', code: 'out_of_range', message: 'password must be 12 to 128 characters' }],
      }))),
    });
    try {
      await page.getByLabel('Adresse électronique').fill('agent@exemple.fr');
      await page.getByLabel('Mot de passe', { exact: true }).fill('court');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('alert').getByRole('heading', { name: 'Le formulaire contient une erreur' }).waitFor();
      assert.equal((await page.locator('#login-password-error').innerText()).trim(), 'Le mot de passe doit contenir entre 12 et 128 caractères.');
      assert.equal(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('aria-invalid'), 'true');
      assertNoProblems(problems, '/admin/ 422');
    } finally {
      await context.close();
    }
  });

  it('asks for the TOTP code, then signs in and navigates the agent space', { timeout: budget(60_000) }, async () => {
    const bodies = [];
    const { page, context, problems } = await openPage(browser, '/admin/contenus', {
      allow: MOCKED_STATUS,
      setup: (p) => p.route(LOGIN, async (route) => {
        const req = route.request();
        const body = req.postDataJSON();
        bodies.push({ body, headers: req.headers() });
        if (!body.totp) return route.fulfill(problem(401, 'totp_required'));
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: 'header.payload.signature', token_type: 'Bearer', expires_in: 600, user: { display_name: 'Camille Agent', email: 'agent@exemple.fr', role: 'agent' } }) });
      }),
    });
    try {
      await page.getByLabel('Adresse électronique').fill('agent@exemple.fr');
      await page.getByLabel('Mot de passe', { exact: true }).fill('un-mot-de-passe-long');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      const totp = page.getByLabel('Code à usage unique');
      await totp.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-totp', 'focus moves to the TOTP field');
      assert.equal(bodies[0].headers['x-requested-with'], 'civitas');
      assert.equal(bodies[0].headers['content-type'], 'application/json');
      await assertAccessible(page, '/admin/ (TOTP step)');

      await totp.fill('123456');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      // The deep link asked for before login is the one shown after it.
      await page.getByRole('heading', { level: 1, name: 'Contenus' }).waitFor();
      assert.deepEqual(bodies[1].body, { email: 'agent@exemple.fr', password: 'un-mot-de-passe-long', totp: '123456' });
      const nav = page.getByRole('navigation', { name: 'Navigation de l’espace agents' });
      for (const name of ['Tableau de bord', 'Contenus', 'Paiements', 'Statistiques']) {
        assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, `side nav ${name}`);
      }
      // An agent of no procedure service is not offered the queue, nor the admins' pages.
      for (const name of ['Démarches', 'Utilisateurs', 'Journal d’audit']) {
        assert.equal(await nav.getByRole('link', { name, exact: true }).isVisible(), false, `no side nav ${name}`);
      }
      assert.equal(await nav.getByRole('link', { name: 'Contenus' }).getAttribute('aria-current'), 'page');
      assert.ok(await page.getByText('Camille Agent').isVisible());
      // The access token stays in memory: nothing in Web Storage.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      assert.ok(!stored.includes('header.payload.signature'), 'token not in localStorage/sessionStorage');

      await nav.getByRole('link', { name: 'Tableau de bord' }).click();
      await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/admin/');
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus on the new view heading');
      await screenshot(page, 'admin-dashboard');
      await assertAccessible(page, '/admin/ (dashboard)');

      await page.goBack();
      await page.getByRole('heading', { level: 1, name: 'Contenus' }).waitFor();

      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.getByRole('heading', { level: 1, name: 'Connexion à l’espace agents' }).waitFor();
      assert.equal(await page.locator('#admin-nav').isVisible(), false);
      assertNoProblems(problems, '/admin/ signed in');
    } finally {
      await context.close();
    }
  });
});
