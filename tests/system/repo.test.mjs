// Checks of files in the repository that need no running stack: docker-compose.yml parses
// with `docker-compose config -q`, every openapi/*.yaml passes `redocly lint`, and the public
// pages share one header and footer.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVICES = ['content', 'account', 'teleservices', 'payment', 'stats'];

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, cmd);
    if (dir && existsSync(file)) return file;
  }
  return null;
}

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...extraEnv } });
  if (r.error) throw r.error;
  return r;
}

describe('repository files', () => {
  it('every public page includes the shared header and footer (no copy of its own)', () => {
    const r = run('/usr/bin/python3', ['scripts/web-partials.py']);
    assert.equal(r.status, 0, `scripts/web-partials.py found pages to convert:\n${r.stderr}`);
  });

  it('docker-compose.yml is valid (docker-compose config -q)', () => {
    // ./civitas test installs docker-compose (PKGS_TEST): missing, it is a failure, never a skip.
    const bin = which('docker-compose');
    assert.ok(bin, 'docker-compose is installed (./civitas test installs it on Debian)');
    assert.ok(existsSync(path.join(ROOT, 'docker-compose.yml')), 'docker-compose.yml exists at the repo root');
    const r = run(bin, ['-f', 'docker-compose.yml', 'config', '-q']);
    assert.equal(r.status, 0, `docker-compose config -q failed:\n${r.stdout}${r.stderr}`);
  });

  it('openapi/*.yaml pass redocly lint', () => {
    const dir = path.join(ROOT, 'openapi');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];
    for (const svc of SERVICES) assert.ok(files.includes(`${svc}.yaml`), `openapi/${svc}.yaml exists`);
    // The glob is expanded here (no shell). Redocly runs on this very Node (the one ./civitas test
    // pins), from the version package-lock.json installed: never fetched at test time.
    const cli = path.join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    assert.ok(existsSync(cli), 'Redocly is installed (npm ci from package-lock.json)');
    const r = run(process.execPath, [cli, 'lint', ...files.map((f) => `openapi/${f}`)],
      { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' });
    assert.equal(r.status, 0, `redocly lint failed:\n${r.stdout}${r.stderr}`);
  });
});
