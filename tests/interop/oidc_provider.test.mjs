// SPDX-License-Identifier: MIT
// Interop: the `oauthctl` client against npm `oidc-provider` (a certified OpenID Provider)
// with its development login and consent pages, driven by headless Chromium.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import Provider from 'oidc-provider';

import { authorizeUrlFrom, launchBrowser } from '../browser/lib.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

let issuer;
let listener;
let browser;
let redirectUri;

before(async () => {
  const port = await freePort();
  redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'oauthctl',
        client_secret: 'oauthctl-interop-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  listener = provider.listen(port);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  listener?.close();
});

test('authorization code + PKCE against oidc-provider, id_token verified', async () => {
  const { url, done } = authorizeUrlFrom(
    ['token', '--grant', 'authorization_code', '--server', issuer, '--client-id', 'oauthctl',
      '--redirect-uri', redirectUri, '--browser', 'none', '--scope', 'openid', '-o', 'json', '--redirect-timeout', '30'],
    { env: { OAUTHCTL_CLIENT_SECRET: 'oauthctl-interop-secret' } },
  );
  const authorize = new URL(await url);
  assert.equal(authorize.origin, issuer, 'the authorization endpoint came from discovery');

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(authorize.href);
  // oidc-provider's development interactions: any login, then a consent prompt.
  await page.fill('input[name="login"]', 'alice');
  await page.fill('input[name="password"]', 'anything');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
  if ((await page.locator('button[type="submit"]').count()) > 0 && !page.url().startsWith(redirectUri)) {
    await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
  }
  await page.waitForURL((u) => u.href.startsWith(redirectUri), { timeout: 10000 });
  await context.close();

  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  const response = JSON.parse(result.stdout);
  assert.ok(response.access_token);
  assert.ok(response.id_token, 'openid gives an id_token, which oauthctl verified before printing');
});
