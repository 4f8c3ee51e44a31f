import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { procfile, read } from './files.js';
import { loadConfig } from '../../src/config.js';

interface FlyToml {
  app: string;
  kill_signal: string;
  kill_timeout: string;
  primary_region: string;
  build: { dockerfile: string };
  deploy: { release_command: string };
  env: Record<string, string>;
  http_service: {
    internal_port: number;
    force_https: boolean;
    auto_stop_machines: string;
    auto_start_machines: boolean;
    checks: { path: string; method: string }[];
  };
  vm: { memory: string }[];
}

const fly = parse(read('fly.toml')) as unknown as FlyToml;
const dockerfile = read('Dockerfile');

/** `CMD ["node", "x.js"]` -> "node x.js" */
function dockerCmd(): string {
  const match = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!match?.[1]) throw new Error('no exec-form CMD in Dockerfile');
  return (JSON.parse(match[1]) as string[]).join(' ');
}

describe('fly.toml', () => {
  it('is in the current format with the parts Fly needs', () => {
    expect(fly.app).toBeTruthy();
    expect(fly.primary_region).toMatch(/^[a-z]{3}$/);
    expect(fly.build.dockerfile).toBe('Dockerfile');
    expect(fly.http_service.force_https).toBe(true);
    expect(fly.http_service.auto_stop_machines).toBe('stop');
    expect(fly.http_service.auto_start_machines).toBe(true);
    expect(fly.http_service.checks).toEqual([expect.objectContaining({ path: '/healthz', method: 'GET' })]);
    expect(fly.vm[0]?.memory).toMatch(/^\d+mb$/);
    expect(fly.env.NODE_ENV).toBe('production');
  });

  it('agrees with the Dockerfile on the port and with the Procfile on the commands', () => {
    expect(fly.http_service.internal_port).toBe(8080);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${fly.http_service.internal_port}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`PORT=${fly.http_service.internal_port}\\b`));
    expect(fly.env.PORT).toBe(String(fly.http_service.internal_port));
    expect(fly.deploy.release_command).toBe(procfile().release);
    expect(dockerCmd()).toBe(procfile().web);
  });
});

describe('shutdown', () => {
  it('gives the app longer than its drain time, itself below Heroku\'s 30 s', () => {
    expect(fly.kill_signal).toBe('SIGTERM');
    const killMs = Number(/^(\d+)s$/.exec(fly.kill_timeout)?.[1]) * 1000;
    const drainMs = Number(fly.env.SHUTDOWN_DRAIN_MS);
    expect(drainMs).toBe(loadConfig({}).shutdownDrainMs);
    expect(killMs).toBeGreaterThanOrEqual(drainMs + 2000);
    expect(drainMs).toBeLessThan(30_000);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '30000' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });
});

describe('Dockerfile', () => {
  it('builds with the same hook in one stage and runs slim, as a non-root user, in another', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim AS run$/m);
    expect(dockerfile).toContain('RUN bash bin/post_compile && npm prune --omit=dev');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
  });

  it('gives the node user the embedded database\'s folder, for EMBEDDED_DATABASE_IN_PRODUCTION=true', () => {
    expect(dockerfile).toContain('RUN mkdir -p /app/.data && chown node:node /app/.data');
    expect(dockerfile.indexOf('chown node:node /app/.data')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('has a .dockerignore that keeps local state out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.data', '.git', 'dist']) expect(ignored).toContain(entry);
  });
});
