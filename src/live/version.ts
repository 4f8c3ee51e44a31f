import { pgliteIf, WRITE_EVENT, type Db } from '../db.js';
import type { LeagueFeed } from './feed.js';
import { leagueVersionGet } from './selectors.js';

/**
 * The league's version for this process, without asking the database on every request
 * (issue 17). While the live feed listens, every committed change is announced, so the
 * last version heard (or read once after LISTEN took hold) is the current one. When the
 * feed is not listening (not yet, or its connection was lost), when a write of this
 * process is in flight or has just finished, and for a request that must see its own
 * write (one that carries a flash), the version is read from the database instead.
 *
 * Across processes the cache is as fresh as the notification's delivery: a change made by
 * another process shows here once its NOTIFY arrives (at its commit, over the listening
 * connection), not before.
 */
/**
 * While the version comes from the feed, it is also read from the database this often in
 * the background: a listening connection that died silently (found out by the feed's ping
 * only after 20-25 s) or a notice lost for any reason costs a second of staleness at most,
 * for one query a second instead of one per request.
 */
const CHECK_MS = 1000;
const IDLE_MS = 10_000;
/** How long after a write statement of this process the version is asked of the database, unless a notice comes first. */
const WRITE_FENCE_MS = 1000;
/** Statements that may change the league (the start of a commit, or a write outside a transaction). */
const WRITE_SQL = /^\s*(insert|update|delete|commit|merge|truncate|copy|call)\b|^\s*with\b[\s\S]*\b(insert|update|delete)\b/i;
/** Statements that may change a member's session or player (the trigger of migration 20261204120000 announces them). */
const MEMBERS_SQL = /^\s*(update|delete|truncate|merge)\b[\s\S]*\b(member_sessions|players)\b|^\s*with\b[\s\S]*\b(update|delete)\b[\s\S]*\b(member_sessions|players)\b/i;

/**
 * Watches a Knex handle for statements that write. Knex tells when a statement starts but
 * not when a COMMIT has finished, so a write only opens a fence: until the feed announces
 * a version (at that commit, or a later one) or a second has passed, the version is read
 * from the database. One per handle, whatever the number of apps made over it.
 */
class WriteWatcher {
  /** Bumped by each write statement. */
  gen = 0;
  lastAt = 0;
  /** Bumped by each statement that may change a member's session or player, and when. */
  membersGen = 0;
  membersAt = 0;
  constructor(db: Db) {
    db.on('query', (query: { sql?: unknown }) => {
      if (typeof query.sql !== 'string') return;
      if (WRITE_SQL.test(query.sql)) this.wrote();
      if (MEMBERS_SQL.test(query.sql)) {
        this.membersGen++;
        this.membersAt = Date.now();
      }
    });
    // A write Knex's events do not show as one (the one-trip hand, a select of a function: src/hands/services.ts).
    db.on(WRITE_EVENT, () => this.wrote());
  }

  private wrote(): void {
    this.gen++;
    this.lastAt = Date.now();
  }
}
const watchers = new WeakMap<Db, WriteWatcher>();
function watcherOf(db: Db): WriteWatcher {
  let watcher = watchers.get(db);
  if (!watcher) {
    watcher = new WriteWatcher(db);
    watchers.set(db, watcher);
  }
  return watcher;
}

export class LeagueVersion {
  private known: number | null = null;
  /** `known` is the current version: the feed listens and has told (or we read) it since. */
  private synced = false;
  private listening = false;
  /** Bumped by every announcement: a read that overlaps one may be older than it. */
  private heardGen = 0;
  /** Writes of this process that are running, and how many have finished. */
  private writesRunning = 0;
  private writesDone = 0;
  /** The writesDone that `known` already takes into account. */
  private writesSeen = 0;
  private unsubscribe: (() => void) | null = null;
  private checkTimer: NodeJS.Timeout | undefined;
  private lastUsed = 0;
  private readonly embedded: boolean;
  private readonly changeListeners = new Set<() => void>();
  private readonly watcher: WriteWatcher;
  /** The watcher's gen when the feed last announced a version (or a read settled it). */
  private writesNoticed = 0;
  /** Moves with every announced change to members' sessions or players, and when the feed starts or stops listening. */
  private membersGen = 0;
  /** The watcher's membersGen when the feed last announced a change to members. */
  private membersNoticed = 0;

  constructor(
    private readonly db: Db,
    private readonly feed: LeagueFeed,
  ) {
    this.watcher = watcherOf(db);
    // Changes made over this handle before now cannot be in anything remembered here.
    this.membersNoticed = this.watcher.membersGen;
    this.embedded = pgliteIf(db) !== undefined;
  }

  /** The current version: from memory when it can be trusted, else from the database. */
  current(): number | null | Promise<number | null> {
    this.subscribeIfNeeded();
    if (this.synced && this.writesRunning === 0 && this.writesSeen === this.writesDone && !this.fenced()) return this.known;
    return this.read();
  }

  /** A write statement of this process whose commit the feed has not announced yet (for at most a second). */
  private fenced(): boolean {
    return this.watcher.gen !== this.writesNoticed && Date.now() - this.watcher.lastAt < WRITE_FENCE_MS;
  }

  /**
   * While the feed listens, a number that changes whenever a member's session or a player
   * may have changed (as announced, at its commit, by whichever process made it); null when
   * the feed does not listen, and nothing about members may be remembered.
   */
  membersGeneration(): number | null {
    this.subscribeIfNeeded();
    // A change to members made by this process, not yet announced (for at most a second):
    // nothing is remembered until a notice about members arrives (its own, as a rule; one
    // from another process's change first leaves the same short window as that change),
    // so a sign-out here holds at once here.
    const fenced = this.watcher.membersGen !== this.membersNoticed && Date.now() - this.watcher.membersAt < WRITE_FENCE_MS;
    return this.listening && !fenced ? this.membersGen : null;
  }

  /** Always from the database (a request that must see the write it just made). */
  fresh(): Promise<number | null> {
    this.subscribeIfNeeded();
    return this.read();
  }

  /** Called when a request that may write starts; the returned function when it has ended. */
  writeStarted(): () => void {
    this.writesRunning++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.writesRunning--;
      this.writesDone++;
    };
  }

  /** Calls `fn` whenever the version known in memory changes (the page cache drops its pages). */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  close(): void {
    this.membersGen++;
    clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.listening = false;
    this.synced = false;
  }

  /** For tests: whether the version is being taken from the feed rather than the database. */
  get trusted(): boolean {
    return this.synced;
  }

  private async read(): Promise<number | null> {
    const heardGen = this.heardGen;
    const writesDone = this.writesDone;
    const listening = this.listening;
    const version = await leagueVersionGet({ db: this.db });
    // Listening since before the read and nothing announced meanwhile: the value read is
    // the current one, and every later change will be announced. (A write statement that
    // started before the read may commit after it: the fence stays until its notice or
    // its second is over.)
    if (listening && this.listening && this.heardGen === heardGen && this.writesRunning === 0 && this.writesDone === writesDone) {
      this.set(version);
      this.writesSeen = writesDone;
      this.synced = version !== null;
    }
    return version;
  }

  private heard = (version: number): void => {
    this.heardGen++;
    if (!this.listening) return;
    // A notice of a later commit can arrive before the feed's own read of the version
    // (made just after LISTEN) answers with the older one: while in step, the version
    // heard only goes up. (Only a read from the database may lower it: a restore.)
    if (this.synced && this.known !== null && version < this.known) return;
    this.writesNoticed = this.watcher.gen;
    this.set(version);
    // A write of this process still running, or finished but whose announcement may be
    // another than this one: keep asking the database until a read settles it.
    this.synced = true;
  };

  private set(version: number | null): void {
    if (version === this.known) return;
    this.known = version;
    for (const fn of this.changeListeners) fn();
  }

  private subscribeIfNeeded(): void {
    this.lastUsed = Date.now();
    // An app nobody asks stops checking, and trusts memory no more until asked again.
    // (Embedded PGlite's notices come from within this process and cannot go astray.)
    if (!this.embedded) this.checkTimer ??= setInterval(() => {
      if (Date.now() - this.lastUsed > IDLE_MS) {
        clearInterval(this.checkTimer);
        this.checkTimer = undefined;
        this.synced = false;
      } else if (this.synced) void this.read().catch(() => {});
    }, CHECK_MS).unref();
    if (this.unsubscribe) return;
    this.unsubscribe = this.feed.subscribe(this.heard, {
      listening: () => {
        this.listening = true;
        this.membersGen++;
        // Read once so that a league nobody writes to is served from memory too.
        void this.read().catch(() => {});
      },
      lost: () => {
        this.listening = false;
        this.synced = false;
        this.heardGen++;
        this.membersGen++;
      },
      membersChanged: () => {
        this.membersGen++;
        this.membersNoticed = this.watcher.membersGen;
      },
    });
  }
}
