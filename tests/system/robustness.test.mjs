// Bad input never breaks a daemon: every operation documented in openapi/ is called through the
// gateway with malformed, empty and wrongly typed bodies, a bogus token and made-up ids, and must
// answer a client error (4xx, problem JSON) — never a 5xx, never a dropped connection.

import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const BASE = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const SKIP = [/\/login$/, /\/internal\//]; // login is rate-limited at the gateway; internal is 404 there
const BODIES = ['{"x":', '[]', '{"unknown_field": 1, "email": 42, "id": "not-a-uuid"}', '', '"\u0000"'];

async function operations() {
  const names = await (await fetch(`${BASE}/docs/openapi/index.json`)).json();
  const ops = [];
  for (const svc of names) {
    const spec = await (await fetch(`${BASE}/docs/openapi/${svc}.json`)).json();
    for (const [path, item] of Object.entries(spec.paths || {})) {
      for (const method of ['post', 'put', 'patch', 'delete', 'get']) {
        if (item[method] && !SKIP.some((re) => re.test(path))) ops.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return ops;
}

/* A real admin token (signed with the stack's key, as account signs them) for a person who does
 * not exist: the handlers then get past authentication and must cope with the rest. */
function adminToken() {
  const keys = process.env.CIVITAS_TEST_KEYS;
  if (!keys) return null;
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({
    iss: 'civitas-account', aud: 'civitas', sub: randomUUID(), role: 'admin', jti: randomUUID(),
    services: ['etat-civil', 'scolaire', 'jeunesse', 'conservatoire'], iat: now, exp: now + 600,
  })}`;
  const sig = sign('sha256', Buffer.from(input), { key: readFileSync(path.join(keys, 'jwt-private.pem')), dsaEncoding: 'ieee-p1363' });
  return `Bearer ${input}.${sig.toString('base64url')}`;
}

const fill = (path) => path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

describe('robustness of every documented operation', { timeout: 240_000 }, () => {
  it('malformed, empty or mistyped input gets a 4xx problem, never a 5xx', async () => {
    const ops = await operations();
    assert.ok(ops.length > 50, `the specs list the API (${ops.length} operations)`);
    const failures = [];
    const admin = adminToken();
    for (const { method, path } of ops) {
      const bodies = method === 'GET' || method === 'DELETE' ? [null] : BODIES;
      for (const body of bodies) {
        for (const auth of [null, 'Bearer not.a.token', admin].filter((a, i) => i < 2 || a)) {
          const headers = { 'Content-Type': 'application/json', 'X-Requested-With': 'civitas' };
          if (auth) headers.Authorization = auth;
          let res;
          try {
            res = await fetch(BASE + fill(path), { method, headers, body: body === null ? undefined : body });
          } catch (e) {
            failures.push(`${method} ${path}: no answer (${e.message})`);
            continue;
          }
          const text = await res.text();
          if (res.status >= 500) failures.push(`${method} ${path} body=${JSON.stringify(body)}: ${res.status} ${text.slice(0, 120)}`);
          else if (res.status >= 400 && res.status !== 429 && !/problem\+json/.test(res.headers.get('content-type') || '')) {
            failures.push(`${method} ${path}: ${res.status} without a problem JSON`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
  });
});
