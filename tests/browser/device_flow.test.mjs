// SPDX-License-Identifier: MIT
// Device authorization (RFC 8628) end to end: `oauthctl token --grant device_code` waits
// and polls, headless Chromium plays the user on the real verification page (sign in,
// code entry, approval), and the token the client prints must work on the FHIR API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { claimsOf, fhirGet, launchBrowser, runClient, startServer, workDir, writeFile } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer(['--ephemeral', '--demo', '--device-interval', '1']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

// Starts the device client; resolves `shown` with {userCode, uri, completeUri} once it has
// printed what the user needs.
function startDeviceClient(extra = []) {
  let resolveShown;
  const shown = new Promise((resolve) => (resolveShown = resolve));
  const done = runClient(
    ['token', '--grant', 'device_code', '--server', server.url, '--client-id', 'demo-client', ...extra],
    {
      env: { OAUTHCTL_CLIENT_SECRET: 'demo-secret' },
      onStderr: (text) => {
        const main = text.match(/Open (https?:\/\/\S+) and enter the code ([A-Z]{4}-[A-Z]{4})/);
        const complete = text.match(/or open (https?:\/\/\S+)/);
        if (main && complete) {
          resolveShown({ uri: main[1], userCode: main[2], completeUri: complete[1] });
        }
      },
    },
  );
  return { shown, done };
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function click(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function signIn(page) {
  await page.fill('#username', 'demo');
  await page.fill('#password', 'demo');
  await click(page, '#sign-in');
}

describe('device_code', () => {
  test('typed code: sign in, enter the code, allow; the token works on /fhir', async () => {
    const { shown, done } = startDeviceClient(['--scope', 'openid patient/*.rs', '-o', 'json']);
    const { uri, userCode, completeUri } = await shown;
    assert.equal(uri, `${server.url}/auth/device/verify`);
    assert.equal(completeUri, `${uri}?user_code=${userCode}`);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(uri);
    await signIn(page);
    // A wrong code first: the page says so and lets the user try again.
    await page.fill('#user_code', 'BCDF-GHJK' === userCode ? 'BCDF-GHJL' : 'BCDF-GHJK');
    await click(page, '#continue');
    assert.match(await page.textContent('#error'), /not valid/);
    // Lower case, no dash: the same code (RFC 8628 §6.1).
    await page.fill('#user_code', userCode.replace('-', '').toLowerCase());
    await click(page, '#continue');
    assert.equal(await page.textContent('#client'), 'demo-client');
    assert.equal(await page.textContent('#code'), userCode);
    assert.match(await page.textContent('#scopes'), /patient\/\*\.rs/);
    await click(page, '#allow');
    assert.match(await page.textContent('#done'), /connected/);
    await context.close();

    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const response = JSON.parse(result.stdout);
    assert.ok(response.access_token && response.id_token);
    const claims = claimsOf(response.access_token);
    assert.equal(claims.sub, 'demo');
    assert.equal(claims.client_id, 'demo-client');
    const search = await fhirGet(`${server.url}/fhir/Patient`, response.access_token);
    assert.equal(search.status, 200);
    assert.equal(search.json.resourceType, 'Bundle');
  });

  test('verification_uri_complete pre-fills the code; --browser opens it', async () => {
    // The "browser" the client launches records the URL it was given.
    const dir = workDir();
    const opened = join(dir, 'opened.txt');
    const recorder = writeFile(dir, 'record-url', `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(recorder, 0o755);
    const { shown, done } = startDeviceClient(['--browser', recorder]);
    const { completeUri, userCode } = await shown;
    for (let i = 0; i < 50 && readFileSafe(opened) === ''; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(readFileSafe(opened), completeUri);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(completeUri);
    await signIn(page);
    assert.equal(await page.inputValue('#user_code'), userCode);
    await click(page, '#continue');
    await click(page, '#allow');
    await context.close();
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ey[\w-]+\.[\w-]+\.[\w-]+\n?$/);
  });

  test('deny: the client exits 4 with access_denied', async () => {
    const { shown, done } = startDeviceClient();
    const { completeUri } = await shown;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(completeUri);
    await signIn(page);
    await click(page, '#continue');
    await click(page, '#deny');
    assert.match(await page.textContent('#done'), /denied/i);
    await context.close();
    const result = await done;
    assert.equal(result.code, 4, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /access_denied/);
  });
});
