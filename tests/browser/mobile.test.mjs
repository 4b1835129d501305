// Browser tests at a 360 × 740 phone viewport: the "Menu" button opens and closes the main
// navigation (aria-expanded follows), nothing overflows sideways, and axe still passes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, DESKTOP, launch, openPage, PHONE, screenshot, budget } from './helpers.mjs';

describe('phone layout', { timeout: budget(120_000) }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('menu button toggles the navigation on a 360 px phone', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/', { viewport: PHONE });
    try {
      const button = page.getByRole('button', { name: 'Menu' });
      const firstLink = page.locator('#navigation-principale').getByRole('link', { name: 'Actualités', exact: true });
      assert.ok(await button.isVisible(), 'menu button visible');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await button.getAttribute('aria-controls'), 'navigation-principale');
      assert.equal(await firstLink.isVisible(), false, 'navigation collapsed at first');

      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      assert.ok(await firstLink.isVisible(), 'navigation open after click');
      await screenshot(page, 'phone-menu-open');
      await assertAccessible(page, '/ (phone, menu open)');

      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await firstLink.isVisible(), false, 'navigation closed after second click');

      // Keyboard: Enter opens, Escape closes and gives focus back to the button.
      await button.focus();
      await page.keyboard.press('Enter');
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      await firstLink.focus();
      await page.keyboard.press('Escape');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('menu-toggle')), true);

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
      await screenshot(page, 'phone-home');
      await assertAccessible(page, '/ (phone)');
      assertNoProblems(problems, '/ (phone)');
    } finally {
      await context.close();
    }
  });

  it('on a desktop the navigation is always shown and the menu button is not', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/', { viewport: DESKTOP });
    try {
      assert.equal(await page.locator('.menu-toggle').isVisible(), false);
      assert.ok(await page.locator('#navigation-principale').getByRole('link', { name: 'Actualités', exact: true }).isVisible());
      assertNoProblems(problems, '/ (desktop)');
    } finally {
      await context.close();
    }
  });

  for (const urlPath of ['/admin/', '/docs/', '/accessibilite.html']) {
    it(`${urlPath} fits a 360 px phone and passes axe`, { timeout: budget(60_000) }, async () => {
      const { page, context, problems } = await openPage(browser, urlPath, { viewport: PHONE });
      try {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
        await screenshot(page, `phone${urlPath}`);
        await assertAccessible(page, `${urlPath} (phone)`);
        assertNoProblems(problems, `${urlPath} (phone)`);
      } finally {
        await context.close();
      }
    });
  }
});
