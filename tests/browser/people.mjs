// People the browser tests make and sign in as the site's users would: a verified account made
// through the API (its verification link read from the stack's mail catcher, its role set in
// the database when not citizen), RFC 6238 codes of an authenticator, and the agents' sign-in
// button pressed until it goes through the gateway's per-address limit.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_URL, budget } from './helpers.mjs';

export const MAIL = process.env.CIVITAS_TEST_MAIL || '';
export const DB = process.env.CIVITAS_TEST_ACCOUNT_DB_URL || '';
export const PASSWORD = 'un mot de passe assez long 2026';
const API = '/api/account/v1';

export async function post(url, json) {
  return fetch(BASE_URL + url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
}

/** A verified account made through the API (and its role set in the database when not citizen). */
export async function register(role = 'citizen') {
  const email = `securite.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.org`;
  assert.equal((await post(`${API}/register`, { email, password: PASSWORD, given_name: 'Lou', family_name: 'Garnier' })).status, 202);
  for (let i = 0; i < 100; i++) {
    for (const f of readdirSync(MAIL).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))) {
      let text = '';
      try {
        text = readFileSync(path.join(MAIL, f), 'utf8');
      } catch {
        continue;
      }
      const m = text.includes(email) && text.match(/verification\.html\?token=([A-Za-z0-9_-]+)/);
      if (m) {
        assert.ok((await post(`${API}/verify-email`, { token: m[1] })).ok);
        if (role !== 'citizen') {
          execFileSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-qtAc',
            `UPDATE users SET role = '${role}' WHERE email = '${email}'`]);
        }
        return email;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verification mail');
}

/** RFC 6238 code of a base32 secret, now. */
export function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Clicks « Se connecter » in the agent SPA until `ready` shows. The gateway limits sign-ins per
 * address (10 a minute) and every test of the run comes from 127.0.0.1: when the SPA says « Trop
 * de tentatives », wait and try again, as a person would.
 */
export async function submitLogin(page, ready) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const outcome = await Promise.race([
      page.locator(ready).waitFor({ timeout: budget(120_000) }).then(() => 'ok', () => 'timeout'),
      page.locator('.error-summary h2').waitFor({ timeout: budget(120_000) }).then(() => 'error', () => 'timeout'),
    ]);
    if (outcome === 'ok') return;
    const text = outcome === 'error' ? await page.locator('.error-summary').textContent() : 'no answer';
    if (!/Trop de tentatives/.test(text)) throw new Error(`sign-in refused: ${text}`);
    await page.waitForTimeout(15_000);
  }
  throw new Error('sign-in still rate-limited');
}

