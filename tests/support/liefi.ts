import net from 'node:net';
import type { Browser } from 'playwright-core';
import { phonePage, type PhoneOptions } from './browser.js';

/**
 * How the connection between the phone and the server behaves:
 * - 'pass': a working connection.
 * - 'silent': "lie-fi", pub Wi-Fi with nothing behind it. Connections are accepted and
 *   what the phone sends is taken, but nothing reaches the server and no answer comes.
 * - 'deaf': requests reach the server (and are committed), but the answers are lost on
 *   the way back, as when the signal drops mid-request.
 */
export type LieFiMode = 'pass' | 'silent' | 'deaf';

interface Link {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Something was swallowed on this connection: the phone waits on it for ever. */
  stalled: boolean;
}

/**
 * A TCP proxy between the browser and the app, whose connection can turn to lie-fi and
 * back. The browser believes it is online throughout (navigator.onLine stays true): only
 * the connection fails it.
 */
export class LieFiProxy {
  private server: net.Server | null = null;
  private links = new Set<Link>();
  mode: LieFiMode = 'pass';
  /** Every request the phone sent ("POST /hands"), and what the connection was doing then. */
  readonly requests: { request: string; mode: LieFiMode }[] = [];
  port = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The requests matching `request` ("POST /hands") sent while the connection was `mode`. */
  sent(request: string, mode?: LieFiMode): number {
    return this.requests.filter((r) => r.request === request && (mode === undefined || r.mode === mode)).length;
  }

  async start(): Promise<string> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.url;
  }

  private accept(client: net.Socket): void {
    const link: Link = { client, upstream: null, stalled: false };
    this.links.add(link);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      link.upstream?.destroy();
      this.links.delete(link);
    });
    const connectUpstream = () => {
      if (link.upstream) return link.upstream;
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      link.upstream = upstream;
      upstream.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.on('data', (chunk: Buffer) => {
        if (this.mode === 'pass' && !link.stalled) client.write(chunk);
        else link.stalled = true; // the answer is lost on the way back
      });
      return upstream;
    };
    client.on('data', (chunk: Buffer) => {
      const line = /^([A-Z]+ \S+) HTTP\/1\.1\r\n/.exec(chunk.toString('latin1', 0, 2100));
      if (line?.[1]) this.requests.push({ request: line[1], mode: link.stalled ? 'silent' : this.mode });
      if (this.mode === 'silent' || link.stalled) {
        link.stalled = true; // taken, and never passed on
        return;
      }
      connectUpstream().write(chunk);
    });
  }

  /** The connection turns bad ('silent' or 'deaf'), for new and open connections alike. */
  fail(mode: Exclude<LieFiMode, 'pass'>): void {
    this.mode = mode;
  }

  /**
   * The connection works again. Connections that swallowed something are dropped, as a
   * network that comes back does: nothing stuck on them is delivered late.
   */
  heal(): void {
    this.mode = 'pass';
    for (const link of this.links) {
      if (!link.stalled) continue;
      link.client.destroy();
      link.upstream?.destroy();
    }
  }

  async stop(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * A phone (tests/support/browser.ts) whose offline script (static/js/offline.js) waits
 * `answerMs` for the server's answer and tries again every `retryMs` while hands wait,
 * instead of 8 s and 15 s: the tests wait on what happens, not on the clock.
 */
export async function phoneWithTiming(browser: Browser, timing: { answerMs: number; retryMs: number }, options: PhoneOptions = {}) {
  const made = await phonePage(browser, options);
  await made.page.context().addInitScript((set) => {
    try {
      localStorage.setItem('grl.timing', JSON.stringify(set));
    } catch {
      // about:blank has no storage
    }
  }, timing);
  return made;
}
