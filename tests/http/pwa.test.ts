import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { z } from 'zod';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';

const t = useTestDb();

describe('installable', () => {
  it('serves a web app manifest whose icons exist', async () => {
    const app = createTestApp(t.db, { LEAGUE_NAME: 'The Crown' });
    const res = await request(app).get('/manifest.webmanifest').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/manifest\+json/);
    const manifest = z.looseObject({ icons: z.array(z.object({ sizes: z.string(), src: z.string(), type: z.string() })) }).parse(JSON.parse(res.text));
    expect(manifest).toMatchObject({ name: 'The Crown', start_url: '/', display: 'standalone', theme_color: '#216b4a' });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(['any', '192x192', '512x512', '512x512']);
    for (const icon of manifest.icons) {
      const file = await request(app).get(icon.src).expect(200);
      expect(file.headers['content-type']).toBe(icon.type);
    }
  });

  it('links the manifest, the icons and the theme colour from every page', async () => {
    const res = await request(createTestApp(t.db)).get('/').expect(200);
    expect(res.text).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    expect(res.text).toContain('<meta name="theme-color" content="#216b4a">');
    expect(res.text).toMatch(/<link rel="apple-touch-icon" href="\/static\/icons\/apple-touch-icon\.[0-9a-f]{10}\.png">/);
  });

  it('is reachable in a private league before signing in', async () => {
    await request(createTestApp(t.db, { LEAGUE_PASSCODE: 'secret-pass', PRIVATE_LEAGUE: 'true' })).get('/manifest.webmanifest').expect(200);
  });
});
