/*
 * A write-only benchmark for recording hands (issue 17), quicker to repeat than
 * `npm run bench`: the same seeded league (seedBench), the same production process (the
 * Procfile's web command over dist/) and the same POST /hands request as bench/run.ts,
 * with GET /livez measured alongside as the machine's yardstick, in interleaved rounds.
 * It reports the CPU time per answer of the web process and of PostgreSQL's processes
 * (all of the server's, from /proc: a server on this machine, otherwise 0).
 * After the load it checks what was written: one hand per 303, and stored ratings equal
 * to a full recompute.
 *
 *   npm run build && tsx scripts/bench-writes.ts
 *
 * WRITE_ENGINE=postgres|pglite (postgres), WRITE_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres),
 * WRITE_SECONDS (5), WRITE_ROUNDS (3), WRITE_CONNECTIONS (10), WRITE_HANDS (10000),
 * WRITE_LOG_LEVEL (info, production's default).
 * WRITE_MODE=service calls handRecord in this process instead, WRITE_CONNECTIONS at a
 * time, to time the database side without HTTP. WRITE_NODE_ARGS adds options to the web
 * process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); WRITE_ONLY=1 leaves out /livez.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDb, createPgliteDb, migrateLatest, rawRows, type Db } from '../src/db.js';
import { seedBench } from '../src/cli/seedBench.js';
import { handRecord } from '../src/hands/services.js';
import { DEFAULT_ELO } from '../src/ratings/services.js';
import { NORTH_AMERICAN } from '../src/scoring/rules.js';
import { eloReplay } from '../src/scoring/elo.js';
import { scratchDatabase } from '../tests/support/scratchDatabase.js';
import { freePort, memberSession } from '../tests/support/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const env = process.env;
const ENGINE = env.WRITE_ENGINE ?? 'postgres';
const SERVER_URL = env.WRITE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(env.WRITE_SECONDS ?? 5);
const ROUNDS = Number(env.WRITE_ROUNDS ?? 3);
const CONNECTIONS = Number(env.WRITE_CONNECTIONS ?? 10);
const HANDS = Number(env.WRITE_HANDS ?? 10_000);
const MODE = env.WRITE_MODE ?? 'http';
const PASSCODE = 'bench-passcode';
/** Production's default, as in bench/run.ts: the per-request log line is part of a write's cost. */
const LOG_LEVEL = env.WRITE_LOG_LEVEL ?? 'info';

const WEB_ARGS = (() => {
  const line = fs.readFileSync(path.join(ROOT, 'Procfile'), 'utf8').split('\n').find((l) => l.startsWith('web:')) ?? '';
  return line.slice('web:'.length).trim().split(/\s+/).slice(1);
})();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Row {
  what: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  bad: number;
  /** CPU time per answer, in microseconds: the web process's, and all of PostgreSQL's processes' (when they are on this machine). */
  webUs?: number;
  pgUs?: number;
}

/** A process's CPU time so far (utime + stime), in microseconds, from /proc/PID/stat. */
function cpuUsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks: 100 a second on Linux
  } catch {
    return 0; // gone meanwhile
  }
}

/** All PostgreSQL server processes' CPU time so far (backends, WAL writer, checkpointer…), in microseconds. */
function postgresCpuUs(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuUsOf(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const randomHand = () => ({
  playerA: 1 + Math.floor(Math.random() * 6),
  playerB: 7 + Math.floor(Math.random() * 6),
  winner: Math.random() < 0.5 ? ('a' as const) : ('b' as const),
  deadwood: 1 + Math.floor(Math.random() * 30),
});

function loadHttp(base: string, route: string, webPid: number, post?: { cookie: string; csrf: string }): Promise<Row> {
  const [web0, pg0] = [cpuUsOf(webPid), postgresCpuUs()];
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-forwarded-proto': 'https', 'accept-encoding': 'gzip, deflate, br' };
    const opts: autocannon.Options = { url: base + route, connections: CONNECTIONS, duration: SECONDS, headers };
    if (post) {
      opts.method = 'POST';
      opts.headers = { ...headers, cookie: post.cookie, 'content-type': 'application/x-www-form-urlencoded' };
      opts.requests = [
        {
          method: 'POST',
          path: route,
          setupRequest: (req) => {
            const h = randomHand();
            const body = new URLSearchParams({
              _csrf: post.csrf,
              token: crypto.randomBytes(18).toString('base64url'),
              playerA: String(h.playerA),
              playerB: String(h.playerB),
              outcome: 'knock',
              winner: h.winner,
              deadwood: String(h.deadwood),
            });
            return { ...req, body: body.toString() };
          },
        },
      ];
    }
    autocannon(opts, (err, r) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const ok = post ? (r.statusCodeStats?.['303']?.count ?? 0) : r['2xx'];
      const answers = Math.max(1, r.requests.total);
      const [webUs, pgUs] = [(cpuUsOf(webPid) - web0) / answers, (postgresCpuUs() - pg0) / answers];
      resolve({ what: post ? 'POST /hands' : `GET ${route}`, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok, bad: r.non2xx + r.errors - (post ? ok : 0), webUs, pgUs });
    });
  });
}

/** handRecord straight from this process: CONNECTIONS callers, each one hand after another. */
async function loadService(db: Db): Promise<Row> {
  const times: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let bad = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const h = randomHand();
        const t0 = performance.now();
        try {
          await handRecord({ db, rules: NORTH_AMERICAN, playerAId: h.playerA, playerBId: h.playerB, outcome: 'knock', winner: h.winner, deadwood: h.deadwood, idempotencyKey: crypto.randomUUID() });
          times.push(performance.now() - t0);
        } catch (err) {
          bad++;
          if (bad < 3) console.error(err);
        }
      }
    }),
  );
  const sorted = times.sort((a, b) => a - b);
  return { what: 'handRecord', rps: times.length / SECONDS, p50: sorted[Math.floor(sorted.length / 2)] ?? NaN, p99: sorted[Math.floor(sorted.length * 0.99)] ?? NaN, ok: times.length, bad };
}

/** Stored ratings against a full replay of the live hands. */
async function ratingsCheck(db: Db): Promise<string> {
  const hands = await rawRows<{ id: number; player_a_id: number; player_b_id: number; winner_id: number | null }>(
    db,
    'select id, player_a_id, player_b_id, winner_id from live_hands order by played_at, id',
  );
  const stored = await rawRows<{ hand_id: number; player_id: number; before: number; after: number }>(db, 'select hand_id, player_id, before, after from ratings');
  const byKey = new Map(stored.map((r) => [`${r.hand_id}/${r.player_id}`, r]));
  const steps = eloReplay(DEFAULT_ELO, new Map(), hands.map((h) => ({ handId: h.id, playerAId: h.player_a_id, playerBId: h.player_b_id, winnerId: h.winner_id })));
  let worst = 0;
  let missing = 0;
  for (const s of steps) {
    const r = byKey.get(`${s.handId}/${s.playerId}`);
    if (!r) missing++;
    else worst = Math.max(worst, Math.abs(r.after - s.after), Math.abs(r.before - s.before));
  }
  return `${hands.length} live hands, ${stored.length} rating rows (expected ${steps.length}), ${missing} missing, largest difference ${worst.toExponential(2)}`;
}

async function startServer(database: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const p = await freePort();
  const extra = env.WRITE_NODE_ARGS ? env.WRITE_NODE_ARGS.split(/\s+/) : [];
  const child = spawn(process.execPath, [...extra, ...WEB_ARGS], {
    cwd: ROOT,
    env: { ...env, NODE_ENV: 'production', SECRET_KEY: crypto.randomBytes(32).toString('hex'), LEAGUE_PASSCODE: PASSCODE, LOG_LEVEL: LOG_LEVEL, PORT: String(p), ...database },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${p}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (Date.now() - started > 30_000) throw new Error('no answer within 30 s');
    try {
      if ((await fetch(`${base}/livez`)).status === 200) return { child, base };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-writes-'));
  const scratch = ENGINE === 'postgres' ? await scratchDatabase(SERVER_URL, 'grl_writes') : null;
  const database: Record<string, string> = scratch ? { DATABASE_URL: scratch.url, DATABASE_SSL: 'false' } : { DATA_DIR: dataDir, EMBEDDED_DATABASE_IN_PRODUCTION: 'true' };
  const open = () => (scratch ? createDb({ kind: 'postgres', url: scratch.url, ssl: false, poolMax: 5, statementTimeoutMs: 60_000 }) : createPgliteDb(dataDir));
  try {
    let db = await open();
    await migrateLatest(db);
    await seedBench({ db, hands: HANDS });
    await db.raw('analyze');
    const before = Number((await rawRows<{ n: number }>(db, 'select count(*)::int as n from hands'))[0]?.n);
    const rows: Row[] = [];
    if (MODE === 'service') {
      for (let i = 0; i < ROUNDS; i++) rows.push(await loadService(db));
    } else {
      await db.destroy();
      const { child, base } = await startServer(database);
      try {
        const auth = await memberSession(base, PASSCODE, 1);
        for (let i = 0; i < ROUNDS; i++) {
          const pid = child.pid ?? 0;
          if (!env.WRITE_ONLY) rows.push(await loadHttp(base, '/livez', pid));
          rows.push(await loadHttp(base, '/hands', pid, auth));
        }
      } finally {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      db = await open();
    }
    console.log(`\n${ENGINE}, ${MODE}, ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, league of ${HANDS} hands`);
    console.log('what               req/s   p50 ms   p99 ms      ok   other   web µs   pg µs');
    for (const r of rows) {
      const cpu = (us?: number) => (us === undefined ? '' : us.toFixed(0)).padStart(8);
      console.log(`${r.what.padEnd(16)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.ok).padStart(7)} ${String(r.bad).padStart(7)} ${cpu(r.webUs)} ${cpu(r.pgUs)}`);
    }
    for (const what of new Set(rows.map((r) => r.what))) {
      const mine = rows.filter((r) => r.what === what);
      const cpu = mine[0]?.webUs === undefined ? '' : `, CPU per answer ${median(mine.map((r) => r.webUs ?? 0)).toFixed(0)} µs web + ${median(mine.map((r) => r.pgUs ?? 0)).toFixed(0)} µs PostgreSQL`;
      console.log(`median of ${what}: ${median(mine.map((r) => r.rps)).toFixed(0)} req/s, p50 ${median(mine.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(mine.map((r) => r.p99)).toFixed(1)} ms${cpu}`);
    }
    const after = Number((await rawRows<{ n: number }>(db, 'select count(*)::int as n from hands'))[0]?.n);
    const saved = rows.filter((r) => r.what !== 'GET /livez').reduce((n, r) => n + r.ok, 0);
    console.log(`hands stored: ${after - before} for ${saved} successful answers`);
    console.log(`ratings: ${await ratingsCheck(db)}`);
    await db.destroy();
  } finally {
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
