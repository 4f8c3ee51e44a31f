/*
 * The embedded database has one owner: a second process that opens a data folder in use
 * refuses at once, naming the owner; a lock left by a killed process is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/dataDirLock.js';
import { LISTENING } from '../support/server.js';

const tmpDirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  }
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-owner-'));
  tmpDirs.push(dir);
  return dir;
}

const LOCK = 'grl-owner.lock';
const writeLock = (dir: string, owner: object, ageMs = 0) => {
  const file = path.join(dir, LOCK);
  fs.writeFileSync(file, JSON.stringify(owner));
  const then = new Date(Date.now() - ageMs);
  fs.utimesSync(file, then, then);
};
const lockOwnerPid = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, LOCK), 'utf8')) as { pid: number }).pid;

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** A process that stays alive until killed. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('the data folder lock', () => {
  it('refuses a folder whose owner is running, naming it and what to do', () => {
    const dir = tmpDir();
    const owner = sleeper();
    writeLock(dir, { pid: owner.pid, hostname: os.hostname(), command: 'server.js', startedAt: '2026-11-25T20:31:00Z' });
    const error = (() => {
      try {
        lockDataDir(dir);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toContain(`in use by process ${owner.pid} on ${os.hostname()} (server.js, started 2026-11-25T20:31:00Z)`);
    expect((error as Error).message).toMatch(/stop that process first.*DATA_DIR/);
    expect(lockOwnerPid(dir)).toBe(owner.pid);
  });

  it('takes over a lock whose process is gone, or that is our own pid from an earlier life', async () => {
    const dir = tmpDir();
    const gone = sleeper();
    process.kill(-(gone.pid as number), 'SIGKILL');
    await new Promise((resolve) => gone.once('exit', resolve));
    writeLock(dir, { pid: gone.pid, hostname: os.hostname(), command: 'server.js', startedAt: 'earlier' });
    const lock = lockDataDir(dir);
    expect(lockOwnerPid(dir)).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);

    writeLock(dir, { pid: process.pid, hostname: os.hostname(), command: 'server.js', startedAt: 'before the restart' });
    lockDataDir(dir).release();
  });

  it('trusts a fresh lock from another host, and takes over one left unrefreshed', () => {
    const dir = tmpDir();
    writeLock(dir, { pid: 1, hostname: 'another-machine', command: 'server.js', startedAt: 'now' });
    expect(() => lockDataDir(dir)).toThrow(/in use by process 1 on another-machine/);
    writeLock(dir, { pid: 1, hostname: 'another-machine', command: 'server.js', startedAt: 'long ago' }, 5 * 60_000);
    lockDataDir(dir).release();
  });

  it('refuses a second open of the same folder in one process until the first is released', () => {
    const dir = tmpDir();
    const first = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    first.release();
    lockDataDir(dir).release();
  });
});

describe('two real processes on one data folder', () => {
  const tsx = path.resolve('node_modules/.bin/tsx');

  it('the second refuses at once; after the first is killed, the next one takes over', async () => {
    const dataDir = tmpDir();
    // PORT=0: the system picks a free port as the server listens (see spawnServer).
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL; // the embedded database, whatever this shell has
    const server = spawn(tsx, ['src/server.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (LISTENING.test(out)) resolve();
      });
      let err = '';
      server.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      server.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out} ${err}`)));
    });
    const owner = lockOwnerPid(dataDir);

    const second = spawnSync(tsx, ['src/cli/migrate.ts'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${owner} on ${os.hostname()}`);
    expect(second.stderr).toContain('stop that process first');
    expect(lockOwnerPid(dataDir)).toBe(owner);

    process.kill(-(server.pid as number), 'SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    // The owner (tsx's child) is gone once reaped; until then its pid still answers.
    await expect.poll(() => pidGone(owner), { timeout: 10_000 }).toBe(true);
    const third = spawnSync(tsx, ['src/cli/migrate.ts'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(third.stderr).toBe('');
    expect(third.status).toBe(0);
    expect(third.stdout).toMatch(/already up to date/);
    // It released the folder when it finished.
    expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
  }, 180_000);
});
