/*
 * The benchmark (`npm run bench`). Loopback only, bounded in time. It seeds 10,000 hands
 * over 12 players into a fresh database (embedded PGlite; and PostgreSQL too when
 * BENCH_DATABASE_URL names a server), starts the production build, and measures in one
 * run: requests per second and p50/p99 latency at 10 and 50 connections for the pages
 * and for recording a hand, the same for a minimal route of the same server (the
 * baseline), cold start, memory after the load, and the bytes of a first visit.
 * Medians and ratios to the baseline, because this machine is shared and noisy.
 *
 * Needs `npm run build`. BENCH_SECONDS (default 5) per measurement; BENCH_HANDS (10000);
 * BENCH_LOG_LEVEL (info, production's default); BENCH_ENGINES (pglite,postgres). Each page
 * is fetched once before it is measured (after the POST /hands rows the league has changed,
 * and the first request renders the page again). CPU µs/req is the server's CPU time per
 * request: on this shared machine it is steadier than req/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDb, createPgliteDb, migrateLatest, type Db } from '../src/db.js';
import { seedBench } from '../src/cli/seedBench.js';
import { scratchDatabase } from '../tests/support/scratchDatabase.js';
import { freePort, memberSession } from '../tests/support/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const HANDS = Number(process.env.BENCH_HANDS ?? 10_000);
const COLD_RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Production's default (one JSON line per request, written to /dev/null here): logging is part of what is measured. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
/** The Procfile's web command, heap settings included: the process measured is the one shipped. */
const WEB_ARGS = (() => {
  const line = fs.readFileSync(path.join(ROOT, 'Procfile'), 'utf8').split('\n').find((l) => l.startsWith('web:')) ?? '';
  const [command, ...args] = line.slice('web:'.length).trim().split(/\s+/);
  if (command !== 'node') throw new Error(`Procfile web command is not "node …": ${line}`);
  return args;
})();
const PASSCODE = 'bench-passcode';
/** The pages issue 17 sets targets for: the leaderboard, a player page and a head-to-head page. */
const PAGES = ['/', '/players/1', '/head-to-head/1/2'];
const SECRET = crypto.randomBytes(32).toString('hex');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function envFor(database: Record<string, string>, port: number): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'production', SECRET_KEY: SECRET, LEAGUE_PASSCODE: PASSCODE, LOG_LEVEL: LOG_LEVEL, PORT: String(port), ...database };
}

async function waitFor200(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (performance.now() - started > 30_000) throw new Error('no 200 within 30 s');
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(args: string[], env: NodeJS.ProcessEnv, port: number, probe = '/'): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
  const ms = await waitFor200(`http://127.0.0.1:${port}${probe}`, child, started);
  return { child, ms };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const BARE = `require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)`;

async function coldStart(database: Record<string, string>) {
  const app: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const p1 = await freePort();
    const base = await start(['-e', BARE], { ...process.env, PORT: String(p1) }, p1);
    bare.push(base.ms);
    await stop(base.child);
    const p2 = await freePort();
    const run = await start(WEB_ARGS, envFor(database, p2), p2);
    app.push(run.ms);
    await stop(run.child);
  }
  return { medianMs: median(app), bareNodeMs: median(bare), ratio: median(app) / median(bare) };
}


interface Load {
  route: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The server's CPU time (user + system) per request: steadier than req/s on a shared machine. */
  cpuUs: number;
}

/** The process's CPU time so far, in microseconds (utime + stime from /proc). */
function cpuUsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

function load(pid: number, base: string, route: string, connections: number, post?: { cookie: string; csrf: string }, seconds = SECONDS): Promise<Load> {
  const cpuBefore = cpuUsOf(pid);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-forwarded-proto': 'https', 'accept-encoding': 'gzip, deflate, br' };
    const opts: autocannon.Options = { url: base + route, connections, duration: seconds, headers };
    if (post) {
      opts.method = 'POST';
      opts.headers = { ...headers, cookie: post.cookie, 'content-type': 'application/x-www-form-urlencoded' };
      opts.requests = [
        {
          method: 'POST',
          path: route,
          setupRequest: (req) => ({
            ...req,
            body: new URLSearchParams({
              _csrf: post.csrf,
              token: crypto.randomBytes(18).toString('base64url'),
              playerA: String(1 + Math.floor(Math.random() * 6)),
              playerB: String(7 + Math.floor(Math.random() * 6)),
              outcome: 'knock',
              winner: Math.random() < 0.5 ? 'a' : 'b',
              deadwood: String(1 + Math.floor(Math.random() * 30)), // a knock of 0 is refused: it is an undercut
            }).toString(),
          }),
        },
      ];
    }
    autocannon(opts, (err, result) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      // A recorded hand answers 303 (POST/redirect/GET): that is its success.
      const non2xx = post ? result.non2xx - (result.statusCodeStats?.['303']?.count ?? 0) : result.non2xx;
      const cpuUs = (cpuUsOf(pid) - cpuBefore) / Math.max(1, result.requests.total);
      resolve({ route: post ? 'POST /hands' : `GET ${route}`, connections, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx, cpuUs });
    });
  });
}

function compressedBytes(url: string, headers: Record<string, string>): Promise<{ bytes: number; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'br, gzip', 'x-forwarded-proto': 'https', ...headers } }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] }));
      })
      .on('error', reject);
  });
}

async function firstVisit(base: string) {
  const html = await (await fetch(`${base}/`, { headers: { 'x-forwarded-proto': 'https' } })).text();
  const assets = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+\.(?:css|js))"/g)].map((m) => m[1] as string);
  const page = await compressedBytes(`${base}/`, {});
  let total = page.bytes;
  const parts = [{ url: '/', bytes: page.bytes, encoding: page.encoding }];
  for (const a of assets) {
    const r = await compressedBytes(base + a, {});
    total += r.bytes;
    parts.push({ url: a, bytes: r.bytes, encoding: r.encoding });
  }
  return { totalBytes: total, parts };
}

/** Resident memory now, and its peak so far (VmHWM), in MB. */
function rssMb(pid: number): { now: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

async function benchDatabase(name: string, database: Record<string, string>, seed: (db: Db) => Promise<void>, open: () => Db | Promise<Db>) {
  console.log(`\n=== ${name}: seeding ${HANDS} hands over 12 players`);
  const db = await open();
  await migrateLatest(db);
  await seed(db);
  await db.raw('analyze');
  await db.destroy();

  const cold = await coldStart(database);
  const p = await freePort();
  const { child } = await start(WEB_ARGS, envFor(database, p), p);
  const base = `http://127.0.0.1:${p}`;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(child.pid as number);
    const auth = await memberSession(base, PASSCODE, 1);
    const routes = ['/livez', ...PAGES];
    const results: Load[] = [];
    // Warm up (the server has just started; the first requests compile and fill caches).
    const pid = child.pid as number;
    await load(pid, base, '/livez', 10, undefined, 1);
    for (const connections of [10, 50]) {
      for (const route of routes) {
        // One request first: after the POST /hands rows the league has changed, and the
        // first request of a page renders it (the cost of a change, not of serving a page).
        await fetch(base + route, { headers: { 'x-forwarded-proto': 'https', 'accept-encoding': 'gzip, deflate, br' } }).then((r) => r.arrayBuffer());
        results.push(await load(pid, base, route, connections));
      }
      results.push(await load(pid, base, '/hands', connections, auth));
    }
    const loaded = rssMb(child.pid as number);
    const visit = await firstVisit(base);
    const memory = { idleMb: idle.now, afterLoadMb: loaded.now, peakMb: loaded.peak };
    return { name, cold, results, memory, firstVisit: visit };
  } finally {
    await stop(child);
  }
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist/src/server.js'))) throw new Error('Run `npm run build` first.');
  console.log(`web process: node ${WEB_ARGS.join(' ')} (the Procfile's)`);
  const runs = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-bench-'));
  try {
    if (ENGINES.includes('pglite')) {
      runs.push(
        await benchDatabase('PGlite', { DATA_DIR: dataDir, EMBEDDED_DATABASE_IN_PRODUCTION: 'true' }, (db) => seedBench({ db, hands: HANDS }), () =>
          createPgliteDb(dataDir),
        ),
      );
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl && ENGINES.includes('postgres')) {
    const scratch = await scratchDatabase(serverUrl, 'grl_bench');
    try {
      runs.push(
        await benchDatabase('PostgreSQL', { DATABASE_URL: scratch.url, DATABASE_SSL: 'false' }, (db) => seedBench({ db, hands: HANDS }), () =>
          createDb({ kind: 'postgres', url: scratch.url, ssl: false, poolMax: 2, statementTimeoutMs: 60_000 }),
        ),
      );
    } finally {
      await scratch.drop();
    }
  } else {
    console.log('\n(BENCH_DATABASE_URL not set: PostgreSQL figures skipped.)');
  }

  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  for (const run of runs) {
    console.log(`\n${run.name}: ${HANDS} hands, ${SECONDS} s per measurement`);
    console.log('route                    conn     req/s   p50 ms   p99 ms   vs baseline   non-2xx   CPU µs/req');
    for (const r of run.results) {
      const baseline = run.results.find((b) => b.route === 'GET /livez' && b.connections === r.connections) as Load;
      console.log(
        `${r.route.padEnd(24)} ${String(r.connections).padStart(4)} ${r.rps.toFixed(0).padStart(9)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${`${((100 * r.rps) / baseline.rps).toFixed(0)}%`.padStart(13)} ${String(r.non2xx).padStart(9)} ${r.cpuUs.toFixed(0).padStart(12)}`,
      );
    }
    const base50 = run.results.find((r) => r.route === 'GET /livez' && r.connections === 50) as Load;
    console.log(`cold start: ${run.cold.medianMs.toFixed(0)} ms (bare Node ${run.cold.bareNodeMs.toFixed(0)} ms, ${run.cold.ratio.toFixed(1)}x)`);
    const m = run.memory;
    console.log(`resident memory: ${m.idleMb.toFixed(0)} MB idle, ${m.afterLoadMb.toFixed(0)} MB after the load (peak ${m.peakMb.toFixed(0)} MB)`);
    console.log(`first visit to /: ${(run.firstVisit.totalBytes / 1024).toFixed(1)} KB compressed`);
    console.log('targets:');
    const base10 = run.results.find((r) => r.route === 'GET /livez' && r.connections === 10) as Load;
    for (const route of PAGES.map((p) => `GET ${p}`)) {
      const r10 = run.results.find((x) => x.route === route && x.connections === 10) as Load;
      const r50 = run.results.find((x) => x.route === route && x.connections === 50) as Load;
      console.log(`  ${route}: >= 50% of /livez req/s at 50 connections: ${((100 * r50.rps) / base50.rps).toFixed(0)}% ${verdict(r50.rps >= 0.5 * base50.rps)}`);
      console.log(`  ${route}: p99 < 10 ms at 10 connections: ${r10.p99.toFixed(1)} ms ${verdict(r10.p99 < 10)} (/livez ${base10.p99.toFixed(1)} ms)`);
      console.log(`  ${route}: p99 <= 2x /livez's at 50 connections: ${r50.p99.toFixed(1)} ms vs ${base50.p99.toFixed(1)} ms ${verdict(r50.p99 <= 2 * base50.p99)}`);
    }
    const write10 = run.results.find((x) => x.route === 'POST /hands' && x.connections === 10) as Load;
    // Issue 17 sets the write targets on PostgreSQL only.
    if (run.name === 'PostgreSQL') console.log(`  POST /hands at 10 connections: >= 500 hands/s: ${write10.rps.toFixed(0)} ${verdict(write10.rps >= 500)}; median < 15 ms: ${write10.p50.toFixed(1)} ms ${verdict(write10.p50 < 15)}`);
    else console.log(`  POST /hands at 10 connections: ${write10.rps.toFixed(0)} hands/s, median ${write10.p50.toFixed(1)} ms (the write targets are PostgreSQL's)`);
    console.log(`  cold start < 1 s: ${verdict(run.cold.medianMs < 1000)}; first visit <= 25 KB: ${verdict(run.firstVisit.totalBytes <= 25 * 1024)}`);
    console.log(`  peak resident memory < 128 MB through the load: ${m.peakMb.toFixed(0)} MB ${verdict(m.peakMb < 128)}`);
  }
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results.json'), JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, hands: HANDS, runs }, null, 2));
  console.log('\nWrote bench/results.json');
}

await main();
