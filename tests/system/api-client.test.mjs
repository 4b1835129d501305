// Tests of web/lib/api.js and messages-fr.js under Node (no stack needed): problem+json answers
// become French errors, the headers the gateway expects are sent, the token stays in memory.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { api, ApiError, getAccessToken, setAccessToken } from '../../web/lib/api.js';
import { FIELD_MESSAGES, PROBLEM_MESSAGES, fieldMessage, problemMessage } from '../../web/lib/messages-fr.js';

// The stable codes of the contract: the catalogue libcommon compiles (libcommon/src/problems.def),
// read here rather than copied, so that a code added there needs its French sentence.
const root = fileURLToPath(new URL('../..', import.meta.url));
const CODES = [...readFileSync(join(root, 'libcommon/src/problems.def'), 'utf8').matchAll(/^LC_PROBLEM\((\w+),/gm)].map((m) => m[1]);

// Every problem code the C sources answer with (a status then a quoted code, as in
// lc_reply_problem(rq, 404, "not_found", ...) or lc_outcome_fail(o, 409, "conflict", ...)).
function codesUsedInSources() {
  const used = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.c')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/\b[1-5][0-9]{2},\s*"([a-z_]+)"/g)) used.set(m[1], path);
      }
    }
  };
  walk(join(root, 'libcommon/src'));
  walk(join(root, 'services'));
  return used;
}
const FIELD_CODES = ['required', 'wrong_type', 'out_of_range', 'invalid_format', 'not_allowed', 'unknown_field'];

let server;
let base;
const seen = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const send = (status, type, body, headers = {}) => { res.writeHead(status, { 'Content-Type': type, ...headers }); res.end(body); };
    if (req.url === '/ok') return send(200, 'application/json', '{"hello":"monde"}');
    if (req.url === '/empty') { res.writeHead(204); return res.end(); }
    if (req.url === '/invalid') {
      return send(422, 'application/problem+json', JSON.stringify({ type: 'about:blank', title: 'Unprocessable', status: 422, code: 'validation_failed', request_id: 'rq-1',
        errors: [{ field: 'email', code: 'invalid_format', message: 'not an e-mail' }, { field: 'age', code: 'out_of_range', message: 'too big' }] }));
    }
    if (req.url === '/limited') return send(429, 'application/problem+json', '{"status":429,"code":"rate_limited","title":"Too Many Requests"}', { 'Retry-After': '120' });
    if (req.url === '/html404') return send(404, 'text/html', '<h1>404</h1>');
    if (req.url === '/private') return send(401, 'application/problem+json', '{"status":401,"code":"unauthorized","title":"Unauthorized"}');
    return send(500, 'text/plain', 'boom');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

describe('messages-fr', () => {
  it('has a French message for every stable problem code and field code', () => {
    assert.ok(CODES.length >= 23 && CODES.includes('validation_failed') && CODES.includes('invalid_credentials'), 'catalogue read');
    for (const code of CODES) assert.ok(PROBLEM_MESSAGES[code], `problem code ${code}`);
    for (const code of FIELD_CODES) assert.ok(FIELD_MESSAGES[code], `field code ${code}`);
  });

  it('knows every code the services answer with: none is missing from the catalogue', () => {
    const used = codesUsedInSources();
    assert.ok(used.has('not_found') && used.has('totp_required'), 'sources scanned');
    for (const [code, where] of used) assert.ok(CODES.includes(code), `${code} (${where}) is not in libcommon/src/problems.def`);
  });

  it('falls back on the HTTP status, then on a generic message', () => {
    assert.equal(problemMessage('no_such_code', 503), PROBLEM_MESSAGES.unavailable);
    assert.equal(problemMessage(undefined, 599), PROBLEM_MESSAGES.internal);
    assert.equal(fieldMessage('email', 'invalid_format'), 'Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr.');
    assert.equal(fieldMessage('titre', 'required'), FIELD_MESSAGES.required);
  });
});

describe('api client', () => {
  it('sends X-Requested-With, JSON and the bearer token; parses JSON', async () => {
    setAccessToken('tok-123');
    try {
      assert.deepEqual(await api.post(`${base}/ok`, { a: 1 }), { hello: 'monde' });
      const h = seen.at(-1).headers;
      assert.equal(h['x-requested-with'], 'civitas');
      assert.equal(h.authorization, 'Bearer tok-123');
      assert.equal(h['content-type'], 'application/json');
      assert.match(h.accept, /application\/problem\+json/);
    } finally {
      setAccessToken(null);
    }
  });

  it('sends no Authorization header without a token, and 204 gives null', async () => {
    assert.equal(await api.delete(`${base}/empty`), null);
    assert.equal(seen.at(-1).headers.authorization, undefined);
  });

  it('turns a 422 problem into French field messages', async () => {
    const err = await api.post(`${base}/invalid`, {}).catch((e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 422);
    assert.equal(err.code, 'validation_failed');
    assert.equal(err.message, PROBLEM_MESSAGES.validation_failed);
    assert.equal(err.requestId, 'rq-1');
    assert.deepEqual(err.fields.map((f) => [f.field, f.code]), [['email', 'invalid_format'], ['age', 'out_of_range']]);
    assert.equal(err.fieldMessages.age, FIELD_MESSAGES.out_of_range);
  });

  it('reads Retry-After on 429', async () => {
    const err = await api.get(`${base}/limited`).catch((e) => e);
    assert.equal(err.code, 'rate_limited');
    assert.equal(err.retryAfter, 120);
  });

  it('maps a non-JSON error page by its status', async () => {
    const err = await api.get(`${base}/html404`).catch((e) => e);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'not_found');
    const err500 = await api.get(`${base}/boom`).catch((e) => e);
    assert.equal(err500.code, 'internal');
  });

  it('a 401 with a token tries one refresh, then forgets the token', async () => {
    setAccessToken('expired');
    const err = await api.get(`${base}/private`).catch((e) => e);
    assert.equal(err.status, 401);
    assert.equal(getAccessToken(), null, 'token dropped after a failed refresh');
  });

  it('an unreachable server gives a network error in French', async () => {
    const err = await api.get('http://127.0.0.1:9/nothing').catch((e) => e);
    assert.equal(err.status, 0);
    assert.equal(err.code, 'network');
    assert.equal(err.message, PROBLEM_MESSAGES.network);
  });
});
