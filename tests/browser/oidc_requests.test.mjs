// SPDX-License-Identifier: MIT
// OpenID Connect request parameters and the implicit grant at a real `oauthctl serve`,
// driven by headless Chromium: response_mode=form_post really posts the response through
// the browser (its CSP lets the one auto-submit script run), and the implicit grant, off for
// the demo client until a config enables it, always shows the consent page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  authorizeUrlFrom,
  catchFormPost,
  fhirGet,
  launchBrowser,
  loginAndConsent,
  startServer,
  workDir,
  writeFile,
} from './lib.mjs';

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

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = createHash('sha256').update(verifier).digest('base64url');

describe('response_mode=form_post', () => {
  test('the browser posts code, state and iss to the redirect URI; the code works', async () => {
    const catcher = await catchFormPost();
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) {
        blocked.push(message.text());
      }
    });
    const authorize = new URL('/auth/authorize', server.url);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: 'demo-public', redirect_uri: catcher.redirectUri, scope: 'openid user/*.rs',
      state: 'form-post-state', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256',
      response_mode: 'form_post',
    });
    await page.goto(authorize.href);
    await loginAndConsent(page);
    const caught = await catcher.next;
    catcher.close();
    await context.close();
    assert.deepEqual(blocked, [], 'the CSP let the auto-submit script run');
    assert.equal(caught.method, 'POST');
    assert.match(caught.contentType, /application\/x-www-form-urlencoded/);
    assert.equal(caught.fields.state, 'form-post-state');
    assert.equal(caught.fields.iss, server.url);
    assert.ok(caught.fields.code);
    const redeemed = await fetch(new URL('/auth/token', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', client_id: 'demo-public', code: caught.fields.code,
        redirect_uri: catcher.redirectUri, code_verifier: verifier,
      }),
    });
    assert.equal(redeemed.status, 200);
    const tokens = await redeemed.json();
    assert.ok(tokens.id_token);
    assert.equal((await fhirGet(`${server.url}/fhir/Patient`, tokens.access_token)).json.total, 1, 'demo sees pt-1 only');
  });
});

describe('implicit', () => {
  test('off for demo-client by default: the client gets unauthorized_client', async () => {
    const { url, done } = authorizeUrlFrom([
      'token', '--grant', 'implicit', '--server', server.url, '--client-id', 'demo-client', '--browser', 'none',
      '--scope', 'user/*.read', '--redirect-timeout', '20',
    ]);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(await url);
    await context.close();
    const result = await done;
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /unauthorized_client/);
  });

  test('enabled by a config: consent is shown even for the first-party client; the token works', async () => {
    const dir = workDir();
    const config = writeFile(dir, 'implicit.json', JSON.stringify({
      clients: [{
        id: 'demo-client', secret: 'demo-secret', first_party: true,
        grant_types: ['client_credentials', 'authorization_code', 'implicit'],
        auth: {
          implicit: { redirect_uri: ['http://127.0.0.1/callback'] },
          authorization_code: { redirect_uri: ['http://127.0.0.1/callback'] },
        },
      }],
    }));
    const configured = await startServer(['--ephemeral', '--demo', '--config', config]);
    try {
      const { url, done } = authorizeUrlFrom([
        'token', '--grant', 'implicit', '--server', configured.url, '--client-id', 'demo-client', '--browser', 'none',
        '--scope', 'user/*.read',
      ], { env: { OAUTHCTL_CLIENT_SECRET: 'demo-secret' } });
      const authorizeUrl = new URL(await url);
      assert.equal(authorizeUrl.searchParams.get('response_type'), 'token');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(authorizeUrl.href);
      await loginAndConsent(page, { decision: null });
      const allow = page.locator('button[name="decision"][value="allow"]');
      assert.equal(await allow.count(), 1, 'the consent page is shown for implicit');
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/auth/'), { waitUntil: 'commit' }), allow.click()]);
      await page.waitForLoadState('load').catch(() => {});
      await context.close();
      const result = await done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /deprecated/i);
      assert.equal((await fhirGet(`${configured.url}/fhir/Patient`, result.stdout.trim())).status, 200);
    } finally {
      configured.stop();
    }
  });
});
