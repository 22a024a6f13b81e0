// SPDX-License-Identifier: MIT
// Consent per scope at a real `oauthctl serve` on a SQLite store, driven by headless
// Chromium: a user who allowed `openid` is asked again when the same client wants more,
// for the new scopes only, in words; the answer is kept in the store, so it outlasts a
// restart of the server, and the same request afterwards goes through without a page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { catchRedirect, fhirGet, launchBrowser, loginAndConsent, startServer, workDir } from './lib.mjs';

let browser;
const data = join(workDir(), 'serve.db');
const verifier = 'consent-per-scope-verifier-0123456789-abcdefghijklmnop';
const challenge = createHash('sha256').update(verifier).digest('base64url');

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Stops `server` and waits until its process has exited.
async function stop(server) {
  const exited = new Promise((resolve) => server.proc.once('exit', resolve));
  server.stop();
  await exited;
}

// The authorization URL of demo-public asking for `scope`, answered at `catcher`.
function authorizeUrl(server, catcher, scope) {
  const url = new URL('/auth/authorize', server.url);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: 'demo-public', redirect_uri: catcher.redirectUri, scope,
    state: 'consent-state', code_challenge: challenge, code_challenge_method: 'S256',
  });
  return url.href;
}

// The token response for the code the client received.
async function redeemTokens(server, catcher, callback) {
  const response = await fetch(new URL('/auth/token', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: 'demo-public', code: callback.searchParams.get('code'),
      redirect_uri: catcher.redirectUri, code_verifier: verifier,
    }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

// The status and error of a refresh with `token`.
async function refresh(server, token) {
  const response = await fetch(new URL('/auth/token', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'demo-public', refresh_token: token }),
  });
  return { status: response.status, error: (await response.json()).error };
}

// The scopes granted for the code the client received.
async function redeem(server, catcher, callback) {
  const response = await fetch(new URL('/auth/token', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: 'demo-public', code: callback.searchParams.get('code'),
      redirect_uri: catcher.redirectUri, code_verifier: verifier,
    }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).scope;
}

test('allowed openid, then asked for the new scopes only; the same request again is not asked', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const visited = [];
  page.on('framenavigated', (frame) => visited.push(new URL(frame.url()).pathname));

  // 1. Sign in and allow openid.
  let server = await startServer(['--data', data, '--demo']);
  try {
    const catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid'));
    await loginAndConsent(page);
    const callback = await catcher.next;
    catcher.close();
    assert.equal(await redeem(server, catcher, callback), 'openid');
  } finally {
    await stop(server);
  }

  // 2. After a restart on the same store, more scopes: the consent page lists the new ones.
  server = await startServer(['--data', data, '--demo']);
  try {
    const wider = 'openid patient/*.rs offline_access';
    let catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, wider));
    assert.equal(new URL(page.url()).pathname, '/auth/grant', 'the consent page is shown again');
    const items = await page.locator('#scopes li').allTextContents();
    assert.deepEqual(items, [
      'Read and search every part of your health record (patient/*.rs)',
      'Keep access while you are away (a refresh token) (offline_access)',
    ]);
    assert.match(await page.locator('#allowed-before').textContent(), /openid/);
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/auth/'), { waitUntil: 'commit' }),
      page.locator('button[name="decision"][value="allow"]').click(),
    ]);
    let callback = await catcher.next;
    catcher.close();
    assert.equal(await redeem(server, catcher, callback), wider);

    // 3. The identical request: straight back to the client, no login or consent page.
    catcher = await catchRedirect();
    visited.length = 0;
    await page.goto(authorizeUrl(server, catcher, wider));
    callback = await catcher.next;
    catcher.close();
    assert.deepEqual(visited.filter((path) => path.startsWith('/auth/') && path !== '/auth/authorize'), []);
    assert.equal(await redeem(server, catcher, callback), wider);
  } finally {
    await context.close();
    await stop(server);
  }
});

test('withdrawn at /auth/consents: the refresh token stops working and the next request asks again', async () => {
  const server = await startServer(['--ephemeral', '--demo']);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid patient/*.rs offline_access'));
    await loginAndConsent(page);
    const tokens = await redeemTokens(server, catcher, await catcher.next);
    catcher.close();
    assert.equal((await fhirGet(new URL('/fhir/Patient/pt-1', server.url).href, tokens.access_token)).status, 200);

    // The list shows the client and, in words, what it may do.
    await page.goto(new URL('/auth/consents', server.url).href);
    const entry = page.locator('li.consent[data-client="demo-public"]');
    assert.equal(await entry.count(), 1);
    assert.deepEqual(await entry.locator('ul.scopes li').allTextContents(), [
      'Confirm your identity (openid)',
      'Read and search every part of your health record (patient/*.rs)',
      'Keep access while you are away (a refresh token) (offline_access)',
    ]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/auth/consents', { waitUntil: 'load' }),
      entry.locator('button.withdraw').click(),
    ]);
    assert.equal(await page.locator('li.consent').count(), 0);
    assert.equal(await page.locator('#none').count(), 1);

    // What the client held stops working at once.
    assert.deepEqual(await refresh(server, tokens.refresh_token), { status: 400, error: 'invalid_grant' });
    assert.equal((await fhirGet(new URL('/fhir/Patient/pt-1', server.url).href, tokens.access_token)).status, 401);
    // The same request shows the consent page again.
    catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid patient/*.rs offline_access'));
    assert.equal(new URL(page.url()).pathname, '/auth/grant');
    catcher.close();
  } finally {
    await context.close();
    await stop(server);
  }
});

test('--consent-lifetime: once it has passed, the consent page asks again', async () => {
  const server = await startServer(['--ephemeral', '--demo', '--consent-lifetime', '5s']);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid'));
    await loginAndConsent(page);
    await catcher.next;
    catcher.close();
    // At once: no page.
    catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid'));
    assert.ok((await catcher.next).searchParams.get('code'));
    catcher.close();
    // After the lifetime: the consent page again.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    catcher = await catchRedirect();
    await page.goto(authorizeUrl(server, catcher, 'openid'));
    assert.equal(new URL(page.url()).pathname, '/auth/grant');
    catcher.close();
  } finally {
    await context.close();
    await stop(server);
  }
});
