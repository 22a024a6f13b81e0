// SPDX-License-Identifier: MIT
// `serve --tls-self-signed` in a real browser: headless Chromium signs in and consents on
// the https pages, the session cookie is Secure, and the client (trusting the certificate
// with --cacert) gets a token that works on /fhir.
//
// Chromium trusts the certificate through --ignore-certificate-errors-spki-list, which
// accepts exactly the key of this certificate (not any certificate, as
// --ignore-certificate-errors would); the last test shows that without it the page does
// not load.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { authorizeUrlFrom, claimsOf, launchBrowser, loginAndConsent, runClient, startServer } from './lib.mjs';

let server;
let browser;

// base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo (what Chromium pins).
function spkiHash(certPath) {
  const cert = new X509Certificate(readFileSync(certPath));
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

before(async () => {
  server = await startServer(['--ephemeral', '--demo', '--tls-self-signed']);
  browser = await launchBrowser([`--ignore-certificate-errors-spki-list=${spkiHash(server.cert)}`]);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

describe('serve over TLS in Chromium', () => {
  test('authorization code flow on https pages; the session cookie is Secure', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { url, done } = authorizeUrlFrom([
      'token', '--grant', 'authorization_code', '--server', server.url, '--cacert', server.cert,
      '--client-id', 'demo-public', '--auth-method', 'none', '--browser', 'none',
      '--scope', 'openid fhirUser patient/*.read', '-o', 'json',
    ]);
    const authorizeUrl = new URL(await url);
    assert.equal(authorizeUrl.origin, server.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorizeUrl.href);
    const cookies = await context.cookies(server.url);
    assert.ok(cookies.length > 0, 'the login page set a session cookie');
    for (const cookie of cookies) {
      assert.equal(cookie.secure, true, `${cookie.name} is Secure`);
      assert.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`);
    }
    await loginAndConsent(page);
    await context.close();
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const response = JSON.parse(result.stdout);
    assert.equal(claimsOf(response.access_token).iss, server.url);
    const read = await runFhir(response.access_token);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(JSON.parse(read.stdout).resourceType, 'Patient');
  });

  test('without trusting the certificate the page does not load', async () => {
    const untrusting = await launchBrowser();
    try {
      const page = await (await untrusting.newContext()).newPage();
      await assert.rejects(page.goto(`${server.url}/fhir/metadata`), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });
});

// `oauthctl fhir` with the token, over TLS with --cacert.
function runFhir(token) {
  const patient = claimsOf(token).patient ?? 'pt-1';
  return runClient(['fhir', `Patient/${patient}`, '--server', server.url, '--cacert', server.cert, '--compact'], {
    env: { OAUTHCTL_ACCESS_TOKEN: token },
  });
}
