import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { errorCode } from './core/errors.js';

/*
 * The embedded database has one owner. PGlite keeps a data folder open in one process and
 * knows nothing of others: two processes on one folder each see only their own writes and
 * one loses them at the next start. So whoever opens the folder (server, migrate, seed,
 * import) first takes a lock file in it, naming itself, and keeps its time fresh; a second
 * process refuses at once. A lock whose owner is gone (killed, or a container since
 * replaced) is taken over.
 */

const LOCK_FILE = 'grl-owner.lock';
const HEARTBEAT_MS = 10_000;
/** A lock not refreshed for this long has no living owner, whatever its pid says now. */
const STALE_MS = 60_000;

const lockOwnerSchema = z.object({ pid: z.number(), hostname: z.string(), command: z.string(), startedAt: z.string() });
export type LockOwner = z.infer<typeof lockOwnerSchema>;

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';

  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | null,
  ) {
    const who = owner
      ? `process ${owner.pid} on ${owner.hostname} (${owner.command}, started ${owner.startedAt})`
      : 'another process that is starting up';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. ` +
        'Only one process may open it at a time: stop that process first (Ctrl-C in its terminal), ' +
        'or point this one at another folder with DATA_DIR, or use PostgreSQL with DATABASE_URL.',
    );
  }
}

export interface DataDirLock {
  release(): void;
}

/** Paths locked by this process, so that opening the same folder twice here is refused too. */
const heldHere = new Set<string>();

function readOwner(file: string): { owner: LockOwner | null; raw: string; ageMs: number } | null {
  try {
    const raw = fs.readFileSync(file, 'utf8');
    const ageMs = Date.now() - fs.statSync(file).mtimeMs;
    let owner: LockOwner | null = null;
    try {
      const parsed = lockOwnerSchema.safeParse(JSON.parse(raw));
      owner = parsed.success ? parsed.data : null;
    } catch {
      owner = null; // being written this very moment, or damaged: judged by its age alone
    }
    return { owner, raw, ageMs };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/** Whether the lock's owner may still be running. */
function isLive(held: { owner: LockOwner | null; ageMs: number }): boolean {
  if (held.ageMs > STALE_MS) return false;
  const { owner } = held;
  if (!owner || owner.hostname !== os.hostname()) return true; // cannot look: trust the fresh time
  if (owner.pid === process.pid) return false; // our own pid, from an earlier life (a restarted container)
  return pidAlive(owner.pid);
}

export function lockDataDir(dataDir: string, command = process.argv.slice(1).join(' ')): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  if (heldHere.has(file)) throw new DataDirInUseError(dataDir, { pid: process.pid, hostname: os.hostname(), command: 'this process', startedAt: 'earlier' });
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), command: path.basename(command) || 'node', startedAt: new Date().toISOString() };
  fs.mkdirSync(dataDir, { recursive: true });

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx' }); // fails if it exists: the atomic step
      return hold(file, JSON.stringify(owner));
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const held = readOwner(file);
    if (!held) continue; // released meanwhile: try again
    if (isLive(held)) throw new DataDirInUseError(dataDir, held.owner);
    // Stale. Move it aside (atomic), then check that what was moved is the stale lock we
    // judged, not a live one another newcomer wrote meanwhile; if it was, put it back.
    const aside = `${file}.stale-${process.pid}-${Date.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') continue;
      throw err;
    }
    if (fs.readFileSync(aside, 'utf8') !== held.raw) {
      try {
        fs.linkSync(aside, file);
      } catch {
        // someone else holds the name again: theirs stands
      }
      fs.rmSync(aside, { force: true });
      throw new DataDirInUseError(dataDir, readOwner(file)?.owner ?? null);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new DataDirInUseError(dataDir, readOwner(file)?.owner ?? null);
}

function hold(file: string, content: string): DataDirLock {
  heldHere.add(file);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // the folder went away; nothing to keep fresh
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    heldHere.delete(file);
    try {
      // Only our own lock: never one that a newcomer took over after judging ours stale.
      if (fs.readFileSync(file, 'utf8') === content) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
    process.off('exit', release);
  };
  process.on('exit', release);
  return { release };
}
