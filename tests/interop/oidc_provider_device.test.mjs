// SPDX-License-Identifier: MIT
// Interop: `oauthctl token --grant device_code` against npm `oidc-provider` with its
// device flow (RFC 8628) and development interactions, the user played by headless Chromium.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import Provider from 'oidc-provider';

import { launchBrowser, runClient } from '../browser/lib.mjs';

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

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'oauthctl-tv',
        client_secret: 'oauthctl-interop-secret',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
  });
  listener = provider.listen(port);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  listener?.close();
});

// Clicks `selector` and waits for the page that follows.
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
}

test('device_code against oidc-provider: discovery, polling, id_token verified', async () => {
  let resolveShown;
  const shown = new Promise((resolve) => (resolveShown = resolve));
  const done = runClient(
    ['token', '--grant', 'device_code', '--server', issuer, '--client-id', 'oauthctl-tv', '--scope', 'openid',
      '-o', 'json', '--redirect-timeout', '60'],
    {
      env: { OAUTHCTL_CLIENT_SECRET: 'oauthctl-interop-secret' },
      onStderr: (text) => {
        const main = text.match(/Open (https?:\/\/\S+) and enter the code (\S+)/);
        if (main) {
          resolveShown({ uri: main[1], userCode: main[2] });
        }
      },
    },
  );
  const { uri, userCode } = await shown;
  assert.ok(uri.startsWith(issuer), `the verification URI is the provider's: ${uri}`);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(uri, { waitUntil: 'domcontentloaded' });
  // oidc-provider: code entry, confirmation, then its development login and consent,
  // in whichever order it asks for them.
  for (let step = 0; step < 8; step++) {
    const text = await page.textContent('body');
    if (/Sign-in Success/.test(text)) {
      break;
    }
    if ((await page.locator('input[name="user_code"]:not([type="hidden"])').count()) > 0) {
      await page.fill('input[name="user_code"]:not([type="hidden"])', userCode);
      await submit(page, '[type="submit"]');
    } else if ((await page.locator('input[name="login"]').count()) > 0) {
      await page.fill('input[name="login"]', 'alice');
      await page.fill('input[name="password"]', 'anything');
      await submit(page, '[type="submit"]');
    } else {
      await submit(page, 'button[type="submit"]:not([name="abort"])');
    }
  }
  assert.match(await page.textContent('body'), /Sign-in Success/);
  await context.close();

  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  const response = JSON.parse(result.stdout);
  assert.ok(response.access_token);
  assert.ok(response.id_token, 'openid gives an id_token, which oauthctl verified before printing');
  assert.doesNotMatch(result.stderr, /slow_down/);
});
