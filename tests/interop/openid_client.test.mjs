// SPDX-License-Identifier: MIT
// Interop: npm `openid-client` (a strict, certified relying party) against `oauthctl serve`.
// It validates discovery, state, iss (RFC 9207), PKCE, nonce and the id_token signature.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as client from 'openid-client';

import { catchRedirect, launchBrowser, loginAndConsent, startServer } from '../browser/lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const configFor = (clientId, secret) =>
  client.discovery(new URL(server.url), clientId, secret, undefined, { execute: [client.allowInsecureRequests] });

test('authorization code + PKCE + nonce, then userinfo', async () => {
  const config = await configFor('demo-client', 'demo-secret');
  const catcher = await catchRedirect();
  const { redirectUri } = catcher;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile user/*.read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url.href);
  await loginAndConsent(page);
  const callback = await catcher.next;
  catcher.close();
  await context.close();

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.iss, server.url);
  assert.equal(claims.aud, 'demo-client');
  assert.equal(claims.sub, 'demo');
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.sub, 'demo');
});

test('client_credentials', async () => {
  const config = await configFor('demo-client', 'demo-secret');
  const tokens = await client.clientCredentialsGrant(config, { scope: 'system/Patient.read' });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.scope, 'system/Patient.read');
});

test('a wrong secret is an OAuth error the client understands', async () => {
  const config = await configFor('demo-client', 'wrong');
  await assert.rejects(client.clientCredentialsGrant(config, {}), (error) => error.error === 'invalid_client');
});
