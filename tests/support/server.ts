import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningServer {
  url: string;
  process: ChildProcess;
  logs: () => string;
  stop(): Promise<number | null>;
}

/**
 * A port nothing listens on now, from the system (not a random guess, which can hit a busy
 * one). For a process whose start is timed or whose logs are off; tests prefer PORT=0.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The port a server started with PORT=0 says it took, from its "listening on" log line. */
export const LISTENING = /listening on http:\/\/localhost:(\d+)/;

/**
 * Starts the real server (src/server.ts through tsx) as its own process, and waits for it.
 * PORT=0 lets the system pick a free port at the moment the server listens: a port chosen
 * here beforehand can be taken by any other process in between (CI once lost a run to it).
 */
export async function spawnServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // info: the "listening on" line carries the port.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'info', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const started = Date.now();
  let port: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer within 30 s:\n${output}`);
    }
    port ??= LISTENING.exec(output)?.[1];
    try {
      if (port !== undefined && (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    process: child,
    logs: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A tiny browser: keeps the session cookies, reads hidden inputs. */
export class CookieClient {
  private cookies = new Map<string, string>();
  constructor(
    public base: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  copyCookiesFrom(other: CookieClient): void {
    for (const [k, v] of other.cookies) this.cookies.set(k, v);
  }

  async request(method: 'GET' | 'POST', p: string, form?: Record<string, string>): Promise<{ status: number; text: string; location: string | null }> {
    const res = await fetch(this.base + p, {
      method,
      redirect: 'manual',
      headers: {
        ...this.extraHeaders,
        cookie: this.cookieHeader,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }

  static hidden(html: string, name: string): string {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!m?.[1]) throw new Error(`no hidden ${name}`);
    return m[1];
  }
}

/**
 * Signs in through the real form as a member of a league behind a proxy (X-Forwarded-Proto:
 * https, as the production build expects), for the benchmark and the deploy test; returns
 * what a recording phone sends: its cookie and CSRF token.
 */
export async function memberSession(base: string, passcode: string, playerId: number): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>();
  const call = async (method: string, p: string, body?: string) => {
    const res = await fetch(base + p, {
      method,
      redirect: 'manual',
      headers: {
        'x-forwarded-proto': 'https',
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res.text();
  };
  const hidden = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const signIn = await call('GET', '/sign-in');
  await call('POST', '/sign-in', new URLSearchParams({ _csrf: hidden(signIn), passcode, who: String(playerId) }).toString());
  const form = await call('GET', '/hands/new');
  return { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), csrf: hidden(form) };
}
