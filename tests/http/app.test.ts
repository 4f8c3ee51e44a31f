import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { loadManifest } from '../../src/http/assets.js';

const t = useTestDb();

describe('the app around the pages', () => {
  it('answers unknown addresses with the 404 page', async () => {
    const res = await request(createTestApp(t.db)).get('/no/such/page').expect(404);
    expect(res.text).toContain('Page not found');
    expect(res.text).toContain('Back to the leaderboard');
  });

  it('sends a Content-Security-Policy without inline script or style', async () => {
    const res = await request(createTestApp(t.db)).get('/').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script>|<style|style="/);
  });

  it('serves fingerprinted CSS for a year, compressed, and pages never from cache', async () => {
    const app = createTestApp(t.db);
    const page = await request(app).get('/').expect(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    const cssFile = loadManifest()['app.css'];
    expect(cssFile).toMatch(/^app\.[0-9a-f]{10}\.css$/);
    expect(page.text).toContain(`/static/${cssFile}`);
    const css = await request(app).get(`/static/${cssFile}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['content-encoding']).toBe('gzip');
  });

  it('reports health with a database ping, never cached', async () => {
    const res = await request(createTestApp(t.db)).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('echoes the X-Request-ID it was given', async () => {
    const res = await request(createTestApp(t.db)).get('/healthz').set('X-Request-ID', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
});
