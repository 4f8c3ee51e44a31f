import http from 'node:http';

/** One event of a Server-Sent Events stream, as a browser's EventSource would see it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * A raw Server-Sent Events client for tests: opens `url` with the given headers, keeps
 * everything it receives (comments too), and parses the events. No reconnection: that is
 * the browser's job, and tests reconnect by hand with Last-Event-ID.
 */
export class SseClient {
  raw = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  private req: http.ClientRequest | null = null;
  private waiters = new Set<() => void>();
  ended = false;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        client.status = res.statusCode ?? 0;
        client.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          client.raw += chunk;
          for (const w of client.waiters) w();
        });
        res.on('end', () => {
          client.ended = true;
          for (const w of client.waiters) w();
        });
        res.on('error', () => {});
        resolve();
      });
      client.req.on('error', reject);
    });
    return client;
  }

  get events(): SseEvent[] {
    const out: SseEvent[] = [];
    for (const block of this.raw.split('\n\n').slice(0, -1)) {
      const event: SseEvent = { event: 'message', data: '' };
      let hasField = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || !line) continue;
        const at = line.indexOf(':');
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') event.data = event.data ? `${event.data}\n${value}` : value;
        else continue;
        hasField = true;
      }
      if (hasField && (event.data || event.id)) out.push(event);
    }
    return out;
  }

  /** Resolves when `ready()` holds, or rejects after `timeoutMs`. */
  async until(ready: (c: SseClient) => boolean, timeoutMs = 2000, what = 'the stream'): Promise<number> {
    const started = Date.now();
    if (ready(this)) return 0;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready(this)) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what}: not within ${timeoutMs} ms; received so far:\n${this.raw}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
    return Date.now() - started;
  }

  close(): void {
    this.req?.destroy();
  }
}
