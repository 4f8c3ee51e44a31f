import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { pgConnectionIf, pgliteIf, type Db } from '../db.js';
import { errorMessage } from '../core/errors.js';
import { LEAGUE_CHANNEL } from '../../migrations/20261202180000_league_version_notify.js';
import { MEMBERS_CHANNEL } from '../../migrations/20261204120000_members_notify.js';

/**
 * The league's version as the database announces it (issue 16). The trigger that moves
 * `league_version` on every write also NOTIFYs the new value on LEAGUE_CHANNEL, at commit;
 * a feed hears it and tells its subscribers (the open event streams of this process).
 */
export interface LeagueFeed {
  /**
   * Calls `heard` with each version announced (and after a reconnection, the current one);
   * `state`, when given, hears when the feed starts listening (at once if it already is)
   * and when it stops: between the two, every committed change is announced, and every
   * committed change to members' sessions or players (`membersChanged`).
   */
  subscribe(heard: (version: number) => void, state?: FeedState): () => void;
  close(): Promise<void>;
}

export interface FeedState {
  listening(): void;
  lost(): void;
  membersChanged?(): void;
}

export interface FeedLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}
const quiet: FeedLog = { warn: () => {}, info: () => {} };

/** The feed for a Knex handle: its PGlite engine's own LISTEN, or one connection of its own to Postgres. */
export function leagueFeed(db: Db, log: FeedLog = quiet): LeagueFeed {
  const engine = pgliteIf(db);
  if (engine) return new PgliteFeed(engine);
  const connection = pgConnectionIf(db);
  if (!connection) throw new Error('leagueFeed: a handle neither over PGlite nor made by createDb');
  // One listening connection per process and database, whatever the number of apps made
  // over it (tests make many; the server, one).
  const key = connection.connectionString ?? JSON.stringify([connection.host, connection.port, connection.database, connection.user]);
  let feed = postgresFeeds.get(key);
  if (!feed) {
    feed = new PostgresFeed(connection, log);
    postgresFeeds.set(key, feed);
  }
  return feed;
}
const postgresFeeds = new Map<string, PostgresFeed>();

class Subscribers {
  private readonly set = new Set<(version: number) => void>();
  private readonly states = new Map<(version: number) => void, FeedState>();
  /** Whether LISTEN is in force now. */
  listening = false;
  get size() {
    return this.set.size;
  }
  add(fn: (version: number) => void, state?: FeedState) {
    this.set.add(fn);
    if (state) {
      this.states.set(fn, state);
      if (this.listening) queueMicrotask(() => this.listening && this.states.get(fn) === state && state.listening());
    }
  }
  delete(fn: (version: number) => void) {
    this.set.delete(fn);
    this.states.delete(fn);
  }
  tellMembersChanged() {
    for (const state of this.states.values()) state.membersChanged?.();
  }
  tell(payload: string | undefined) {
    const version = Number(payload);
    if (!Number.isSafeInteger(version)) return;
    for (const fn of this.set) fn(version);
  }
  setListening(listening: boolean) {
    if (listening === this.listening) return;
    this.listening = listening;
    for (const state of this.states.values()) {
      if (listening) state.listening();
      else state.lost();
    }
  }
}

/*
 * Embedded: PGlite is one process and one connection, and has LISTEN/NOTIFY of its own.
 * We listen at once (not when the first page subscribes) so that the LISTEN statement
 * never runs on the single connection in the middle of another request's transaction.
 */
class PgliteFeed implements LeagueFeed {
  private readonly subscribers = new Subscribers();
  private readonly unlisten: Promise<(() => Promise<void>) | null>;

  constructor(pglite: PGlite) {
    this.unlisten = Promise.all([
      pglite.listen(LEAGUE_CHANNEL, (payload) => this.subscribers.tell(payload)),
      pglite.listen(MEMBERS_CHANNEL, () => this.subscribers.tellMembersChanged()),
    ]).then(
      (unlistens) => {
        this.subscribers.setListening(true);
        return () => Promise.all(unlistens.map((unlisten) => unlisten())).then(() => {});
      },
      () => null,
    );
  }

  subscribe(heard: (version: number) => void, state?: FeedState) {
    this.subscribers.add(heard, state);
    return () => this.subscribers.delete(heard);
  }

  async close() {
    const unlisten = await this.unlisten;
    this.subscribers.setListening(false);
    await unlisten?.().catch(() => {});
  }
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;
/** A listening connection nobody needs any more is closed after this long (a page turn reuses it). */
const LINGER_MS = 10_000;
/** How often the listening connection is checked: a half-open TCP connection would otherwise hear nothing, silently. */
const PING_MS = 20_000;

/*
 * PostgreSQL: one connection per process, outside Knex's pool (LISTEN needs a session of
 * its own, and must not hold a pool connection), opened when the first event stream opens
 * and closed a while after the last one ends. Lost (a database restart, a network cut), it
 * comes back with backoff (0.25 s doubling to 5 s), and on every (re)connection reads the
 * current version, so a change made while it was away is announced too.
 */
class PostgresFeed implements LeagueFeed {
  private readonly subscribers = new Subscribers();
  private client: pg.Client | null = null;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly log: FeedLog,
  ) {}

  subscribe(heard: (version: number) => void, state?: FeedState) {
    this.subscribers.add(heard, state);
    clearTimeout(this.lingerTimer);
    if (!this.client && !this.retryTimer) void this.connect();
    return () => {
      this.subscribers.delete(heard);
      if (this.subscribers.size === 0) {
        clearTimeout(this.lingerTimer);
        this.lingerTimer = setTimeout(() => this.disconnect(), LINGER_MS).unref();
      }
    };
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    const client = new pg.Client({ ...this.connection, application_name: 'gin-rummy-leaderboard listener', keepAlive: true });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === LEAGUE_CHANNEL) this.subscribers.tell(message.payload);
      else if (message.channel === MEMBERS_CHANNEL) this.subscribers.tellMembersChanged();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${LEAGUE_CHANNEL}; listen ${MEMBERS_CHANNEL}`);
      if (this.client !== client) return;
      this.subscribers.setListening(true);
      const { rows } = await client.query<{ version: string | number }>('select version from league_version where id = 1');
      if (this.client !== client) return;
      if (this.retryMs > RETRY_FIRST_MS) this.log.info({}, 'live feed: listening again');
      this.retryMs = RETRY_FIRST_MS;
      this.pingTimer = setInterval(() => this.ping(client), PING_MS).unref();
      this.subscribers.tell(String(rows[0]?.version));
    } catch (err) {
      this.lost(client, err);
    }
  }

  private ping(client: pg.Client): void {
    let answered = false;
    const timeout = setTimeout(() => {
      if (!answered) this.lost(client, new Error('listener did not answer a ping'));
    }, 5000).unref();
    client.query('select 1').then(
      () => {
        answered = true;
        clearTimeout(timeout);
      },
      (err: unknown) => {
        clearTimeout(timeout);
        this.lost(client, err);
      },
    );
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    this.subscribers.setListening(false);
    clearInterval(this.pingTimer);
    client.removeAllListeners('notification');
    client.on('error', () => {}); // whatever else it says on its way out
    void client.end().catch(() => {});
    if (this.subscribers.size === 0) return;
    this.log.warn({ err: errorMessage(err), retryMs: this.retryMs }, 'live feed: listening connection lost; reconnecting');
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs).unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private disconnect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = null;
    this.subscribers.setListening(false);
    this.retryMs = RETRY_FIRST_MS;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      void client.end().catch(() => {});
    }
  }

  /** Whether the listening connection is open (for tests and the pool budget). */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Closes the listening connection now unless someone still listens (the feed is shared by the process). */
  close(): Promise<void> {
    if (this.subscribers.size === 0) {
      clearTimeout(this.lingerTimer);
      this.disconnect();
    }
    return Promise.resolve();
  }
}
