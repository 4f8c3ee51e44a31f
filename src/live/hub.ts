import type { Response } from 'express';
import type { LeagueFeed } from './feed.js';

/*
 * The open event streams of one process (Server-Sent Events, issue 16). Each stream is told
 * the league's version whenever it moves past the last one it was sent; the event's id is
 * the version, so a browser that reconnects sends it back as Last-Event-ID and is told at
 * once if it missed anything. A comment goes down every stream each heartbeat, so no proxy
 * (Heroku's router cuts a connection idle for 55 s) takes a quiet stream for a dead one.
 */
interface Stream {
  res: Response;
  /** The last version this stream was sent (or that its page was rendered at). */
  sent: number | null;
  /** Until its first event: the newest version announced meanwhile (told with that event). */
  pending: boolean;
  heard: number | null;
}

/** How long a browser waits before reconnecting a dropped stream. */
export const RETRY_MS = 2000;

export class LiveHub {
  private readonly streams = new Set<Stream>();
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The newest version heard from the feed. */
  private latest: number | null = null;

  constructor(
    private readonly feed: LeagueFeed,
    private readonly heartbeatMs: number,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /**
   * Starts a stream on `res` for a page at version `since` (null: unknown). `current` reads
   * the version from the database; when it differs from `since`, the stream says so at once.
   */
  async open(res: Response, since: number | null, current: () => Promise<number | null>): Promise<void> {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: the compression middleware leaves the stream alone (it would buffer it).
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and some proxies buffer responses unless told not to.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
    const stream: Stream = { res, sent: since, pending: true, heard: null };
    // Subscribed before the version is read: a change committed in between is sent, not lost.
    this.streams.add(stream);
    this.subscribeIfNeeded();
    res.on('close', () => this.drop(stream));
    let version: number | null;
    try {
      version = await current();
    } catch {
      version = this.latest; // the database is away: the feed will say when it is back
    }
    // A notice heard while the version was read may be newer than what the read saw (or,
    // the listener now being always open, older: a commit from just before this stream).
    if (stream.heard !== null && (version === null || stream.heard > version)) version = stream.heard;
    stream.pending = false;
    if (version === null || res.writableEnded) return;
    // Another version than the page's: "change" (newer, or the database was restored from
    // an older backup). The same, or unknown: "hello", so the browser has an id to send
    // back as Last-Event-ID if the stream drops before anything changes.
    const changed = stream.sent !== null && stream.sent !== version;
    this.send(stream, version, changed ? 'change' : 'hello');
  }

  /** Ends every stream (the process is shutting down: browsers reconnect elsewhere). */
  closeAll(): void {
    for (const stream of this.streams) stream.res.end();
    this.streams.clear();
    this.release();
  }

  private heard = (version: number): void => {
    if (this.latest === null || version > this.latest) this.latest = version;
    for (const stream of this.streams) {
      if (stream.pending) stream.heard = Math.max(stream.heard ?? version, version);
      else if (stream.sent === null || version > stream.sent) this.send(stream, version, 'change');
    }
  };

  private send(stream: Stream, version: number, event: 'hello' | 'change'): void {
    if (stream.res.writableEnded || stream.res.destroyed) return;
    stream.sent = version;
    stream.res.write(`id: ${version}\nevent: ${event}\ndata: ${version}\n\n`);
  }

  private subscribeIfNeeded(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.feed.subscribe(this.heard);
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) stream.res.write(': heartbeat\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private drop(stream: Stream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.release();
  }

  private release(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
