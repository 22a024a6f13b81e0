// SPDX-License-Identifier: MIT
// Helpers for browser tests: a real `oauthctl serve`, the real `oauthctl` client, and
// Debian's headless Chromium driven by playwright-core. Nothing here is mocked.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const OAUTHCTL = process.env.OAUTHCTL;
if (!OAUTHCTL) {
  throw new Error('set OAUTHCTL to the oauthctl binary');
}

export function workDir() {
  const root = process.env.OAUTHCTL_TEST_ROOT || tmpdir();
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, 'browser-'));
}

// Starts `oauthctl serve --port 0` and resolves with {url, proc, log()} once it prints
// its listening line.
export function startServer(args = ['--ephemeral', '--demo']) {
  return new Promise((resolve, reject) => {
    const proc = spawn(OAUTHCTL, ['serve', '--host', '127.0.0.1', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/^listening on (https?:\/\/\S+)\n/);
      // Over TLS, the certificate's path follows on the next line.
      const cert = out.match(/\ntls certificate: (\S+)\n/);
      if (match && (match[1].startsWith('http:') || cert)) {
        resolve({ url: match[1], cert: cert?.[1], proc, log: () => err, stop: () => proc.kill('SIGTERM') });
      }
    });
    proc.stderr.on('data', (chunk) => (err += chunk));
    proc.on('exit', (code) => reject(new Error(`oauthctl serve exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error('oauthctl serve did not start')), 10000).unref();
  });
}

// Runs the oauthctl client. Resolves with {code, stdout, stderr}; `onStderr` sees stderr
// as it arrives, so a test can pick up the authorization URL while the client waits.
// Each run gets fresh XDG directories, so no profile or cached token of the user (or of
// another test) answers instead of the flow under test.
export function runClient(args, { env = {}, onStderr } = {}) {
  const home = workDir();
  const xdg = { XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') };
  return new Promise((resolve) => {
    const proc = spawn(OAUTHCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...xdg, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr);
    });
    proc.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal === 'SIGINT' ? 2 : 15), stdout, stderr }));
    runClient.last = proc;
  });
}

// Resolves with the first http(s) URL containing /authorize that the client prints on stderr.
export function authorizeUrlFrom(args, options = {}) {
  let resolveUrl;
  const url = new Promise((resolve) => (resolveUrl = resolve));
  const done = runClient(args, {
    ...options,
    onStderr: (text) => {
      const match = text.match(/(https?:\/\/\S+\?\S*response_type=\S+)/);
      if (match) {
        resolveUrl(match[1]);
      }
    },
  });
  return { url, done };
}

// The flags the probe of this machine found Chromium needs here: no sandbox as root, and
// no background traffic to hosts this closed network refuses.
// `extraArgs`: more Chromium flags (tls.test.mjs trusts one certificate's key).
export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      ...extraArgs,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Clicks a submit button and waits until the browser has moved to the next page (every
// form of the login and consent pages answers with a redirect or a new URL).
async function submit(page, button) {
  const before = page.url();
  await Promise.all([page.waitForURL((url) => url.href !== before, { waitUntil: 'commit' }), button.click()]);
  await page.waitForLoadState('load').catch(() => {});
}

// Logs in on oauthctl's login page and, when asked, answers the consent page.
export async function loginAndConsent(page, { username = 'demo', password = 'demo', decision = 'allow' } = {}) {
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await submit(page, page.locator('form [type="submit"]'));
  const consent = page.locator(`button[name="decision"][value="${decision}"]`);
  if (decision && (await consent.count()) > 0) {
    await submit(page, consent);
  }
}

export function writeFile(dir, name, text) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// GET with a bearer token; resolves with {status, json, headers}.
export async function fhirGet(url, token) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, headers: response.headers };
}

export function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

// A loopback HTTP server standing in for a client's redirect endpoint, so a test can hold
// the authorization response itself. Resolves with {redirectUri, next, close}: `next` is a
// promise of the first callback URL that arrives.
export function catchRedirect() {
  return new Promise((resolve) => {
    let deliver;
    const next = new Promise((r) => (deliver = r));
    const server = createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('caught');
      deliver(new URL(request.url, `http://${request.headers.host}`));
    });
    server.listen(0, '127.0.0.1', () => {
      resolve({
        redirectUri: `http://127.0.0.1:${server.address().port}/callback`,
        next,
        close: () => server.close(),
      });
    });
  });
}

// A loopback HTTP server standing in for a client's form_post redirect endpoint: resolves
// with {redirectUri, next, close}; `next` is a promise of the first request that arrives,
// as {method, contentType, fields} (the form body decoded).
export function catchFormPost() {
  return new Promise((resolve) => {
    let deliver;
    const next = new Promise((r) => (deliver = r));
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('caught');
        deliver({
          method: request.method,
          contentType: request.headers['content-type'] || '',
          fields: Object.fromEntries(new URLSearchParams(body)),
        });
      });
    });
    server.listen(0, '127.0.0.1', () => {
      resolve({
        redirectUri: `http://127.0.0.1:${server.address().port}/callback`,
        next,
        close: () => server.close(),
      });
    });
  });
}
