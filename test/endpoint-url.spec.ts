import http from 'node:http';
import { test, expect } from '@playwright/test';
import { listen } from '../core/index.js';
import { appDatabases } from '../app-database/index.js';
import { StripeRateLimiter, removeByKind } from '../cleanup/index.js';
import { EntitlementProbe } from '../helpers/entitlements.js';

const limiter = new StripeRateLimiter({ perSecond: 100 });

test('an endpoint given as a path goes to the run\'s baseURL', async () => {
  const seen: string[] = [];
  const server = await listen(http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.end(req.method === 'GET' ? '{"count":1}' : '');
  }), { host: '127.0.0.1', port: 0 });
  try {
    const baseURL = `${server.url.replace(/\/$/, '')}/app/`;
    expect(await new EntitlementProbe({ url: 'api/grants' }, appDatabases(), () => {}, baseURL).count('a@example.com')).toBe(1);
    await removeByKind('app-user', 'a@example.com', { limiter, appUser: { url: '/api/users' }, baseURL });
    // Resolved as a browser resolves a link: a relative path under the base's folder, an absolute one from its root.
    expect(seen).toEqual(['GET /app/api/grants?email=a%40example.com', 'DELETE /api/users?email=a%40example.com']);
  } finally {
    await server.close();
  }
});

test('an endpoint given as a path, in a run without a usable baseURL, says what to set', async () => {
  const hint = 'give an absolute URL (http://…), or a path together with a baseURL (BASE_URL, use.baseURL).';
  await expect(new EntitlementProbe({ url: '/api/grants' }, appDatabases()).count('a@example.com'))
    .rejects.toThrow(`entitlements.url "/api/grants" is a path, and this run has no baseURL to put it on: ${hint}`);
  await expect(removeByKind('app-user', 'a@example.com', { limiter, appUser: { url: '/api/users' } }))
    .rejects.toThrow(`cleanup.appUser.url "/api/users" is a path, and this run has no baseURL to put it on: ${hint}`);
  await expect(removeByKind('app-user', 'a@example.com', { limiter, appUser: { url: 'http://exa mple.com/x' }, baseURL: 'http://127.0.0.1:1' }))
    .rejects.toThrow(`cleanup.appUser.url "http://exa mple.com/x" is not a valid http(s) URL: ${hint}`);
  // It parses, with "localhost:" as its scheme, and would fail only at fetch.
  await expect(removeByKind('app-user', 'a@example.com', { limiter, appUser: { url: 'localhost:3000/api/users' } }))
    .rejects.toThrow(`cleanup.appUser.url "localhost:3000/api/users" is not a valid http(s) URL: ${hint}`);
  await expect(new EntitlementProbe({ url: '/api/grants' }, appDatabases(), () => {}, 'localhost:3000').count('a@example.com'))
    .rejects.toThrow('entitlements.url "/api/grants" is a path, and the base URL it would go on, "localhost:3000", is not a URL: set BASE_URL or use.baseURL to an http(s) URL.');
});
