// Tests of web/lib/api.js and messages-fr.js under Node (no stack needed): problem+json answers
// become French errors, the headers the gateway expects are sent, the token stays in memory.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { api, ApiError, getAccessToken, setAccessToken } from '../../web/lib/api.js';
import { FIELD_MESSAGES, PROBLEM_MESSAGES, fieldMessage, problemMessage } from '../../web/lib/messages-fr.js';

// The stable codes of the contract (docs/architecture): each needs a French sentence.
const CODES = ['validation_failed', 'malformed_json', 'not_found', 'method_not_allowed', 'uri_too_long', 'unauthorized',
  'forbidden', 'conflict', 'precondition_failed', 'precondition_required', 'payload_too_large', 'unsupported_media_type',
  'rate_limited', 'unavailable', 'internal'];
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
    for (const code of CODES) assert.ok(PROBLEM_MESSAGES[code], `problem code ${code}`);
    for (const code of FIELD_CODES) assert.ok(FIELD_MESSAGES[code], `field code ${code}`);
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
