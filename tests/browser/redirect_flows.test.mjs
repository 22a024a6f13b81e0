// SPDX-License-Identifier: MIT
// Authorization code (PKCE) flows end to end (implicit: oidc_requests.test.mjs): the real `oauthctl` client
// waits on its loopback listener, headless Chromium logs in and consents on the real
// `oauthctl serve` pages, and the token the client prints must work on the FHIR API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  authorizeUrlFrom,
  catchRedirect,
  claimsOf,
  fhirGet,
  launchBrowser,
  loginAndConsent,
  runClient,
  startServer,
  workDir,
} from './lib.mjs';

let server;
let browser;
let dir;

before(async () => {
  dir = workDir();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const publicClient = () => ['--server', server.url, '--client-id', 'demo-public', '--auth-method', 'none', '--browser', 'none'];
const secretEnv = { OAUTHCTL_CLIENT_SECRET: 'demo-secret' };

async function completeInBrowser(url, options) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await loginAndConsent(page, options);
  const text = await page.textContent('body');
  await context.close();
  return text;
}

describe('authorization_code', () => {
  test('public client with PKCE: the token works on /fhir', async () => {
    const { url, done } = authorizeUrlFrom([
      'token', '--grant', 'authorization_code', ...publicClient(), '--scope', 'openid fhirUser patient/*.read', '-o', 'json',
    ]);
    const authorizeUrl = new URL(await url);
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorizeUrl.searchParams.get('state').length >= 16);
    assert.ok(authorizeUrl.searchParams.get('nonce'));
    const page = await completeInBrowser(authorizeUrl.href);
    assert.match(page, /close/i, 'the listener page says the tab can be closed');
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const response = JSON.parse(result.stdout);
    assert.ok(response.access_token && response.id_token);
    const claims = claimsOf(response.access_token);
    assert.equal(claims.client_id, 'demo-public');
    const patient = claims.patient || response.patient;
    assert.ok(patient, 'a patient/ scope with a patient user carries the patient context');
    const read = await fhirGet(`${server.url}/fhir/Patient/${patient}`, response.access_token);
    assert.equal(read.status, 200);
    assert.equal(read.json.id, patient);
  });

  test('confidential client: verified id_token, refresh token that rotates', async () => {
    const { url, done } = authorizeUrlFrom(
      ['token', '--grant', 'authorization_code', '--server', server.url, '--client-id', 'demo-client', '--browser', 'none',
        '--scope', 'openid profile offline_access user/*.read', '-o', 'json'],
      { env: secretEnv },
    );
    await completeInBrowser(await url);
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const response = JSON.parse(result.stdout);
    assert.ok(response.refresh_token, 'offline_access gives a refresh token');
    assert.equal(claimsOf(response.id_token).aud, 'demo-client');
    const search = await fhirGet(`${server.url}/fhir/Patient`, response.access_token);
    assert.equal(search.status, 200);

    const refreshed = await runClient(
      ['token', '--grant', 'refresh_token', '--server', server.url, '--client-id', 'demo-client', '-o', 'json'],
      { env: { ...secretEnv, OAUTHCTL_REFRESH_TOKEN: response.refresh_token } },
    );
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.ok(JSON.parse(refreshed.stdout).access_token);
    const replayed = await runClient(
      ['token', '--grant', 'refresh_token', '--server', server.url, '--client-id', 'demo-client'],
      { env: { ...secretEnv, OAUTHCTL_REFRESH_TOKEN: response.refresh_token } },
    );
    assert.equal(replayed.code, 4, 'a rotated refresh token no longer works');
    assert.match(replayed.stderr, /invalid_grant/);
  });

  test('wrong password: the page says so and nothing is redirected', async () => {
    const { url, done } = authorizeUrlFrom([
      'token', '--grant', 'authorization_code', ...publicClient(), '--redirect-timeout', '4',
    ]);
    const context = await browser.newContext();
    const page = await context.newPage();
    let redirected = false;
    page.on('request', (request) => {
      if (request.url().includes('/callback')) {
        redirected = true;
      }
    });
    await page.goto(await url);
    await loginAndConsent(page, { password: 'not-the-password', decision: null });
    assert.match(await page.textContent('body'), /(invalid|wrong|incorrect).*(password|credentials)|(password|credentials).*(invalid|wrong|incorrect)/i);
    assert.ok(new URL(page.url()).pathname.startsWith('/auth/'), `still on the server: ${page.url()}`);
    await context.close();
    const result = await done;
    assert.equal(redirected, false);
    assert.equal(result.code, 5, 'the client times out waiting');
    assert.match(result.stderr, /redirect/i);
  });

  test('access denied at consent: exit 4 with access_denied', async () => {
    // demo-public is not first-party, so its users see the consent page (Aidbox's first_party).
    const { url, done } = authorizeUrlFrom(['token', '--grant', 'authorization_code', ...publicClient(), '--scope', 'user/*.read']);
    await completeInBrowser(await url, { decision: 'deny' });
    const result = await done;
    assert.equal(result.code, 4);
    assert.match(result.stderr, /access_denied/);
    assert.equal(result.stdout, '');
  });

  test('state mismatch: the client refuses the redirect', async () => {
    const { url, done } = authorizeUrlFrom(['token', '--grant', 'authorization_code', ...publicClient()]);
    const redirect = new URL(new URL(await url).searchParams.get('redirect_uri'));
    redirect.searchParams.set('code', 'forged-code');
    redirect.searchParams.set('state', 'not-the-state');
    await fetch(redirect).catch(() => {});
    const result = await done;
    assert.equal(result.code, 4);
    assert.match(result.stderr, /state/i);
    assert.equal(result.stdout, '');
  });

  test('redirect_uri not registered: an error page, never a redirect', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const evil = [];
    page.on('request', (request) => {
      if (request.url().startsWith('http://attacker.invalid')) {
        evil.push(request.url());
      }
    });
    const authorize = new URL('/auth/authorize', server.url);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: 'demo-public', redirect_uri: 'http://attacker.invalid/callback',
      state: 'x'.repeat(22), code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
    const response = await page.goto(authorize.href);
    assert.ok(response.status() >= 400, `status ${response.status()}`);
    assert.match(await page.textContent('body'), /redirect/i);
    assert.deepEqual(evil, []);
    await context.close();
  });

  test('listener timeout: exit 5 with a clear line', async () => {
    const result = await runClient(['token', '--grant', 'authorization_code', ...publicClient(), '--redirect-timeout', '1']);
    assert.equal(result.code, 5);
    assert.match(result.stderr, /redirect/);
    assert.equal(result.stdout, '');
  });
});

describe('authorization code at the token endpoint', () => {
  // Catches the code in the browser before it reaches any client, so the test can
  // present it to /auth/token itself.
  async function codeFor(verifierChallenge) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const catcher = await catchRedirect();
    const { redirectUri } = catcher;
    const authorize = new URL('/auth/authorize', server.url);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: 'demo-public', redirect_uri: redirectUri, scope: 'user/*.read',
      state: 'state-1234567890abcdef', code_challenge: verifierChallenge, code_challenge_method: 'S256',
    });
    await page.goto(authorize.href);
    await loginAndConsent(page);
    const caught = await catcher.next;
    catcher.close();
    await context.close();
    assert.equal(caught.searchParams.get('state'), 'state-1234567890abcdef');
    assert.equal(caught.searchParams.get('iss'), server.url, 'RFC 9207 iss in the response');
    return { code: caught.searchParams.get('code'), redirectUri };
  }

  const exchange = (code, redirectUri, verifier) =>
    fetch(new URL('/auth/token', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'demo-public', code, redirect_uri: redirectUri, code_verifier: verifier }),
    }).then(async (r) => ({ status: r.status, json: await r.json() }));

  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  test('PKCE verifier mismatch is invalid_grant', async () => {
    const { code, redirectUri } = await codeFor(challenge);
    const wrong = await exchange(code, redirectUri, 'A'.repeat(43));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
  });

  test('a code works once; its replay fails and revokes what it issued', async () => {
    const { code, redirectUri } = await codeFor(challenge);
    const first = await exchange(code, redirectUri, verifier);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal((await fhirGet(`${server.url}/fhir/Patient`, first.json.access_token)).status, 200);
    const replay = await exchange(code, redirectUri, verifier);
    assert.equal(replay.status, 400);
    assert.equal(replay.json.error, 'invalid_grant');
    const after = await fhirGet(`${server.url}/fhir/Patient`, first.json.access_token);
    assert.equal(after.status, 401, 'the token issued from a replayed code is revoked');
  });
});

describe('flow', () => {
  test('flow authorization_code narrates each step, redacted', async () => {
    const { url, done } = authorizeUrlFrom(['flow', 'authorization_code', ...publicClient(), '--scope', 'openid user/*.read']);
    await completeInBrowser(await url);
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    for (const step of [/authoriz/i, /\/auth\/token/, /id_token/, /\/fhir\/Patient/, /Bundle/]) {
      assert.match(result.stdout, step);
    }
    const code = result.stdout.match(/[?&]code=([A-Za-z0-9_-]{20,})/);
    assert.equal(code, null, 'the authorization code is redacted');
  });
});
