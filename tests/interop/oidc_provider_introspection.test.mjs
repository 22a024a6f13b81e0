// SPDX-License-Identifier: MIT
// Interop: `oauthctl introspect` and `oauthctl revoke` against npm `oidc-provider` with
// its introspection (RFC 7662) and revocation (RFC 7009) features, endpoints discovered.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import Provider from 'oidc-provider';

import { runClient } from '../browser/lib.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const secret = 'oauthctl-interop-secret';
let issuer;
let listener;

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'oauthctl',
        client_secret: secret,
        redirect_uris: [],
        response_types: [],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
  });
  listener = provider.listen(port);
});

after(() => listener?.close());

const client = ['--server', () => issuer, '--client-id', 'oauthctl'];
// run(args, token?): the token goes last, after `--`: an opaque token may start with "-"
// (base64url) and would otherwise read as an option.
const run = (args, token) =>
  runClient(
    [...args, ...client.map((a) => (typeof a === 'function' ? a() : a)), ...(token === undefined ? [] : ['--', token])],
    { env: { OAUTHCTL_CLIENT_SECRET: secret } },
  );

test('introspect, revoke, introspect again: active, then inactive', async () => {
  const obtained = await run(['token', '--grant', 'client_credentials', '--no-cache']);
  assert.equal(obtained.code, 0, obtained.stderr);
  const token = obtained.stdout.trim();
  assert.ok(token);

  let result = await run(['introspect'], token);
  assert.equal(result.code, 0, result.stderr);
  const answer = JSON.parse(result.stdout);
  assert.equal(answer.active, true);
  assert.equal(answer.client_id, 'oauthctl');
  assert.match(result.stderr, /active: client oauthctl/);

  result = await run(['revoke', '--token-type-hint', 'access_token'], token);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`revoked at ${issuer}/token/revocation`));

  result = await run(['introspect'], token);
  assert.equal(result.code, 7, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { active: false });
});

test('unknown tokens: inactive, and revocation still succeeds (RFC 7009 §2.2)', async () => {
  let result = await run(['introspect', 'no-such-token']);
  assert.equal(result.code, 7, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { active: false });
  result = await run(['revoke', 'no-such-token']);
  assert.equal(result.code, 0, result.stderr);
});

test('a wrong client secret: invalid_client, exit 4', async () => {
  const result = await runClient(
    ['introspect', 'whatever', '--server', issuer, '--client-id', 'oauthctl', '--client-secret', 'wrong'],
    {},
  );
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /invalid_client/);
  assert.equal(result.stdout, '');
});
