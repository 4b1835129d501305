// Hardening through the nginx gateway (issue 10): a body the daemon refuses before reading it
// still gets the daemon's answer (never nginx's 503), HTTP/0.9 is refused, a search term made
// only of wildcards lists nothing, and a session ended in account stops opening every service.

import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';

const BASE = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MAIL = process.env.CIVITAS_TEST_MAIL || '';
const KEYS = process.env.CIVITAS_TEST_KEYS || '';
// The login route is rate-limited at the gateway; the account daemon's own port is not.
const ACCOUNT_DIRECT = BASE.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 22}`);
const PASSWORD = 'un mot de passe assez long 2026';

/** A token signed with the stack's key, as account signs them, for a made-up person. */
function token(role, sub = randomUUID()) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({
    iss: 'civitas-account', aud: 'civitas', sub, role, jti: randomUUID(), iat: now, exp: now + 600,
    services: role === 'agent' ? ['etat-civil'] : [],
  })}`;
  const sig = sign('sha256', Buffer.from(input), { key: readFileSync(path.join(KEYS, 'jwt-private.pem')), dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

async function call(method, url, { bearer, json, body, headers = {} } = {}) {
  const h = { 'X-Requested-With': 'civitas', ...headers };
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  return fetch(url.startsWith('http') ? url : BASE + url, { method, headers: h, body });
}

describe('a body refused before it is read gets the daemon’s answer through the gateway', { timeout: 600_000 }, () => {
  // The routes of the audit, with bodies under nginx's limit and over the daemon's cap.
  const MiB = 1024 * 1024;
  const cases = [
    { method: 'PATCH', path: '/api/account/v1/me', size: MiB, role: 'citizen', json: true },
    { method: 'POST', path: '/api/teleservices/v1/requests', size: 5 * MiB, role: 'citizen', json: true },
    { method: 'POST', path: '/api/content/v1/articles', size: 128 * 1024, role: 'editor', json: true, over: 384 * 1024 },
    { method: 'POST', path: '/api/account/v1/register', size: 64 * 1024, role: null, json: true },
    { method: 'POST', path: '/api/content/v1/media', size: 5 * MiB + 1, role: 'partner', json: false },
  ];
  for (const c of cases) {
    const variants = c.role ? [null, c.role] : [null]; // no token: 401 where a token is required
    for (const who of variants) {
      const want = c.role && !who ? 401 : 413;
      it(`${c.method} ${c.path} ${c.size} bytes, ${who || 'no token'}: ${want} twenty times in twenty`, async () => {
        if (who && !KEYS) return; // no signing key in this environment
        const body = Buffer.alloc(who && c.over ? c.over : c.size, 0x61); // over the cap for a 413
        const headers = { 'Content-Type': c.json ? 'application/json' : 'image/png' };
        const seen = [];
        for (let i = 0; i < 20; i++) {
          const r = await call(c.method, c.path, { bearer: who ? token(who) : null, body, headers });
          const ct = r.headers.get('content-type') || '';
          const p = ct.includes('problem+json') ? await r.json() : await r.text();
          seen.push(r.status);
          if (r.status === want) assert.equal(p.code, want === 401 ? 'unauthorized' : 'payload_too_large');
        }
        assert.deepEqual(seen, Array(20).fill(want));
      });
    }
  }
});

describe('the gateway', () => {
  it('refuses HTTP/0.9 (no status line, no headers) by closing the connection', async () => {
    const url = new URL(BASE);
    const got = await new Promise((resolve, reject) => {
      const s = net.connect(Number(url.port || 80), url.hostname, () => s.write('GET /\r\n'));
      const chunks = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      s.on('error', reject);
      s.setTimeout(10_000, () => s.destroy(new Error('no close')));
    });
    assert.equal(got, '', 'nothing is sent back');
  });

  it('sends no Strict-Transport-Security unless the operator turns it on', async () => {
    const r = await fetch(`${BASE}/api/content/v1/healthz`);
    assert.equal(r.headers.get('strict-transport-security'), process.env.CIVITAS_HSTS === 'on' ? 'max-age=31536000' : null);
  });

  it('a directory search made only of wildcards lists nothing', async () => {
    const all = await (await fetch(`${BASE}/api/content/v1/directory`)).json();
    for (const q of ['%', '_', '%25', '*', '%%']) {
      const r = await fetch(`${BASE}/api/content/v1/directory?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200);
      const names = (await r.json()).items.map((o) => o.name).filter((n) => !n.includes(q));
      assert.deepEqual(names, [], `q=${q} must not match ${all.items.length} entries`);
    }
  });
});

/** Waits for the verification mail sent to email and returns the token of its link. */
async function verificationToken(email) {
  for (let i = 0; i < 200; i++) {
    for (const f of readdirSync(MAIL).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))) {
      let text = '';
      try {
        text = readFileSync(path.join(MAIL, f), 'utf8');
      } catch {
        continue; // the catcher renames files into place: one may vanish under us
      }
      const m = text.includes(email) && text.match(/verification\.html\?token=([A-Za-z0-9_-]+)/);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no verification mail for ${email}`);
}

/** A new verified citizen signed in: { id, email, access }. */
async function citizen() {
  const email = `revocation.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.org`;
  let r = await call('POST', '/api/account/v1/register', { json: { email, password: PASSWORD, given_name: 'Inès', family_name: 'Roux' } });
  assert.equal(r.status, 202);
  r = await call('POST', '/api/account/v1/verify-email', { json: { token: await verificationToken(email) } });
  assert.ok(r.ok, `verify-email answered ${r.status}`);
  return { email, ...(await signIn(email)) };
}

async function signIn(email) {
  const r = await call('POST', `${ACCOUNT_DIRECT}/api/account/v1/login`, { json: { email, password: PASSWORD } });
  assert.equal(r.status, 200);
  const b = await r.json();
  return { id: b.user.id, access: b.access_token, cookie: (r.headers.get('set-cookie') || '').split(';')[0] };
}

/** One authenticated call per service that has user routes; the status tells if the token opens it. */
const probes = [
  ['account', 'GET', '/api/account/v1/me'],
  ['teleservices', 'GET', '/api/teleservices/v1/me/requests'],
  ['teleservices draft', 'POST', '/api/teleservices/v1/requests'],
  ['content', 'GET', '/api/content/v1/media'],
];

async function statuses(access) {
  const out = {};
  for (const [name, method, p] of probes) {
    const r = await call(method, p, { bearer: access, json: method === 'POST' ? { procedure: 'nope' } : undefined });
    await r.arrayBuffer();
    out[name] = r.status;
  }
  return out;
}

/** Polls until every probe answers 401 (a few seconds at most), returns the last statuses. */
async function until401(access) {
  let s;
  for (let i = 0; i < 40; i++) {
    s = await statuses(access);
    if (Object.values(s).every((v) => v === 401)) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  return s;
}
const all401 = Object.fromEntries(probes.map(([n]) => [n, 401]));

describe('a session ended in account stops working in every service within seconds', { timeout: 120_000 }, () => {
  it('an administrator disables the account: the next calls of every service answer 401', async (t) => {
    if (!MAIL || !KEYS) return t.skip('needs the test stack');
    const u = await citizen();
    const before = await statuses(u.access);
    assert.ok(Object.values(before).every((v) => v !== 401), `the token works first: ${JSON.stringify(before)}`);
    const admin = token('admin');
    let r = await call('GET', `/api/account/v1/admin/users?q=${encodeURIComponent(u.email)}`, { bearer: admin });
    assert.equal(r.status, 200);
    const etag = (await r.json()).items.find((x) => x.id === u.id)?.etag;
    r = await call('PATCH', `/api/account/v1/admin/users/${u.id}`, { bearer: admin, json: { disabled: true }, headers: { 'If-Match': etag || '*' } });
    assert.equal(r.status, 200, await r.text());
    assert.deepEqual(await until401(u.access), all401);
    // and it stays so (the list is fetched again and again)
    await new Promise((res) => setTimeout(res, 2500));
    assert.deepEqual(await statuses(u.access), all401);
  });

  it('logout ends the session everywhere', async (t) => {
    if (!MAIL || !KEYS) return t.skip('needs the test stack');
    const u = await citizen();
    const r = await call('POST', '/api/account/v1/session/logout', { headers: { Cookie: u.cookie } });
    assert.ok(r.status < 300, `logout answered ${r.status}`);
    assert.deepEqual(await until401(u.access), all401);
  });
});
