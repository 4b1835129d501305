// System test of POST /api/account/v1/totp/qr: the otpauth link of a TOTP enrolment comes back
// as an SVG QR code that is never cached; anything but an otpauth TOTP link is a 422 problem.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const BASE_URL = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const URL_QR = `${BASE_URL}/api/account/v1/totp/qr`;
const post = (body) => fetch(URL_QR, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'civitas' }, body: JSON.stringify(body) });

describe('TOTP QR code', () => {
  it('draws the otpauth link as an SVG that no cache keeps', async () => {
    const uri = 'otpauth://totp/Civitas:admin%40mairie.example?secret=JBSWY3DPEHPK3PXP&issuer=Civitas&algorithm=SHA1&digits=6&period=30';
    const r = await post({ uri });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^image\/svg\+xml/);
    assert.match(r.headers.get('cache-control') || '', /no-store/);
    const svg = await r.text();
    assert.match(svg, /^<svg [^>]*viewBox="0 0 (\d+) \1"/);
    const side = Number(svg.match(/viewBox="0 0 (\d+)/)[1]);
    // Version 1 is 21 modules; this link needs a larger version, plus 4 modules of border each side.
    assert.ok(side >= 21 + 8 && (side - 8 - 17) % 4 === 0, `a QR code side (${side})`);
    assert.ok((svg.match(/h1v1h-1z/g) || []).length > 100, 'dark modules drawn');
    // The same link gives the same drawing; another link another one.
    assert.equal(await (await post({ uri })).text(), svg);
    assert.notEqual(await (await post({ uri: uri.replace('JBSWY3DPEHPK3PXP', 'KRSXG5CTMVRXEZLU') })).text(), svg);
  });

  it('refuses anything but an otpauth TOTP link', async () => {
    for (const body of [{}, { uri: 'https://example.org/' }, { uri: 'otpauth://hotp/x?secret=A' }, { uri: `otpauth://totp/${'a'.repeat(600)}` },
      { uri: 'otpauth://totp/a b' }, { uri: 42 }, { uri: 'otpauth://totp/x', extra: 1 }]) {
      const r = await post(body);
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.equal((await r.json()).code, 'validation_failed');
    }
  });
});
