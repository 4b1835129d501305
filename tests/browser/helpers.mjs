// Shared code for the browser tests: launch Debian's Chromium through playwright-core, open a page
// while recording console errors and page errors, and run axe-core with the WCAG 2.1 A/AA rules.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const CHROMIUM = process.env.CIVITAS_CHROMIUM || '/usr/bin/chromium';
// When set, every page checked by checkPage() is also saved as a PNG there (for a human to look at).
const SCREENSHOT_DIR = process.env.CIVITAS_TEST_SCREENSHOTS || '';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

/*
 * Time budgets are safety nets against a hung page, never a speed check (speed is measured by
 * tests/bench). A shared 2-core machine under load takes several times longer to render a page and
 * run axe, so every budget is the nominal one times CIVITAS_TEST_TIME_FACTOR (3 by default).
 */
export const TIME_FACTOR = Math.max(1, Number(process.env.CIVITAS_TEST_TIME_FACTOR) || 3);
export const budget = (ms) => ms * TIME_FACTOR;

/** Headless Chromium; never downloads a browser. launch() gives a fresh profile each time. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Open BASE_URL + urlPath in a new context. Returns { page, context, response, problems } where
 * problems collects console errors, uncaught page errors and failed requests as strings.
 * allow: regexps of console messages that this test expects (e.g. a mocked 401).
 */
export async function openPage(browser, urlPath, { viewport = DESKTOP, allow = [], setup } = {}) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(budget(30_000));
  context.setDefaultNavigationTimeout(budget(30_000));
  const page = await context.newPage();
  const problems = [];
  const allowed = (text) => allow.some((re) => re.test(text));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text())) {
      const loc = msg.location();
      problems.push(`console error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message}`));
  // A request still in flight when the page navigates away is aborted by the browser
  // (net::ERR_ABORTED): that is the person leaving, not a fault of the page. It counts as left
  // behind when a main-frame navigation began or committed after the request began. The commit
  // matters: the old document keeps running until the new one commits, so a request it starts
  // after the navigation's own request (the audience beacon sent when the browser is idle) is
  // still the old page's. Only aborts with no navigation after them are counted.
  const started = new WeakMap();
  let lastNavigation = 0;
  page.on('request', (req) => {
    started.set(req, performance.now());
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) lastNavigation = performance.now();
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) lastNavigation = performance.now();
  });
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && !req.isNavigationRequest()
        && (started.get(req) ?? Infinity) <= lastNavigation) return;
    const text = `request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText || ''}`;
    if (!allowed(text)) problems.push(text);
  });
  if (setup) await setup(page);
  const response = await page.goto(BASE_URL + urlPath, { waitUntil: 'networkidle' });
  return { page, context, response, problems };
}

/** Run axe-core on the page as it is now; returns the violations array. */
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations;
}

/** Every violation in full: rule, impact, help URL, and each node with its selector and summary. */
export function formatViolations(violations) {
  return violations.map((v) => [
    `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `  - ${n.target.join(' ')}\n    ${n.html}\n    ${(n.failureSummary || '').replace(/\n/g, '\n    ')}`),
  ].join('\n')).join('\n\n');
}

/** Throw with every violation printed when axe finds any. */
export async function assertAccessible(page, label) {
  const violations = await axeViolations(page);
  if (violations.length) {
    throw new Error(`${label}: ${violations.length} axe violation(s) (${WCAG_TAGS.join(', ')}):\n\n${formatViolations(violations)}`);
  }
}

/** Throw when the page logged console errors, threw, or had failed requests. */
export function assertNoProblems(problems, label) {
  if (problems.length) throw new Error(`${label}: ${problems.length} problem(s):\n${problems.join('\n')}`);
}

/** Save a full-page screenshot when CIVITAS_TEST_SCREENSHOTS is set; returns its path or ''. */
export async function screenshot(page, name) {
  if (!SCREENSHOT_DIR) return '';
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9_-]+/gi, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
