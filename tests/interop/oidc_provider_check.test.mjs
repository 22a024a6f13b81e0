// SPDX-License-Identifier: MIT
// Interop: `oauthctl check` against npm `oidc-provider` (a certified OpenID Provider), signed in
// headlessly (--login) through its development login and consent pages. What it supports
// passes; what it does not advertise is SKIP with a reason; no check fails falsely.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import Provider from 'oidc-provider';

const OAUTHCTL = process.env.OAUTHCTL;
if (!OAUTHCTL) {
  throw new Error('set OAUTHCTL to the oauthctl binary');
}

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const run = (args, env) =>
  new Promise((resolve) => {
    const proc = spawn(OAUTHCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });

let issuer;
let listener;
let work;

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'check',
        client_secret: 'check-interop-secret',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid offline_access api:read',
      },
    ],
    scopes: ['openid', 'offline_access', 'api:read'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
  });
  listener = provider.listen(port);
  work = mkdtempSync(join(process.env.OAUTHCTL_TEST_ROOT || tmpdir(), 'oidc-provider-check-'));
  writeFileSync(join(work, 'secret.txt'), 'check-interop-secret');
});

after(() => listener?.close());

test('oauthctl check against oidc-provider: no false failure, skips say why', async () => {
  const result = await run(
    ['check', '--server', issuer, '--client-id', 'check', '--client-secret-file', join(work, 'secret.txt'),
      '--login', 'alice', '-o', 'json', '--junit', join(work, 'report.xml')],
    { OAUTHCTL_PASSWORD: 'anything', XDG_CONFIG_HOME: work, XDG_CACHE_HOME: work },
  );
  const report = JSON.parse(result.stdout);
  const failures = report.checks.filter((c) => c.status === 'FAIL').map((c) => `${c.id}: ${c.reason}`);
  assert.deepEqual(failures, [], `false failures against oidc-provider:\n${failures.join('\n')}`);
  assert.equal(result.code, 0, result.stderr);
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  // What oidc-provider supports passes, headless login included.
  for (const id of ['discovery.issuer-exact', 'discovery.jwks', 'token.no-store', 'token.wrong-secret',
    'authorization-code.happy-path', 'authorization-code.state', 'authorization-code.iss',
    'authorization-code.pkce-wrong-verifier', 'authorization-code.code-reuse', 'oidc.id-token-signature',
    'oidc.id-token-claims', 'oidc.userinfo']) {
    assert.match(status[id] ?? 'missing', /^(PASS|WARN)$/, `${id} is ${status[id]}`);
  }
  // Every skip carries its reason.
  for (const c of report.checks.filter((c) => c.status === 'SKIP')) {
    assert.ok(c.reason.length > 0, `${c.id} skipped without a reason`);
  }
  assert.equal(status['discovery.smart-configuration'], 'SKIP', 'oidc-provider is not a SMART server');
});
