/*
 * The benchmark (`npm run bench`). Loopback only, bounded in time. Figures are medians,
 * and each is set beside a baseline measured in the same run, because this machine is
 * shared and noisy: ratios travel, absolute milliseconds do not.
 *
 * Needs the production build (`npm run build`). BENCH_DATABASE_URL names a PostgreSQL
 * server to measure against as well as embedded PGlite.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Spawns a process and times it from spawn to the first 200 on `url`; then stops it. */
async function timeToFirst200(args: string[], env: NodeJS.ProcessEnv, port: number, urlPath = '/'): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() - started > 20_000) throw new Error('no 200 within 20 s');
      try {
        const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const BARE_SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)`;

interface ColdStart {
  database: string;
  medianMs: number;
  baselineMs: number;
  ratio: number;
  runs: number[];
}

async function coldStart(database: string, env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const runs: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    baseline.push(await timeToFirst200(['-e', BARE_SERVER], {}, port));
    runs.push(await timeToFirst200(['dist/src/server.js'], env, port + 1));
  }
  const medianMs = median(runs);
  const baselineMs = median(baseline);
  return { database, medianMs, baselineMs, ratio: medianMs / baselineMs, runs };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist/src/server.js'))) throw new Error('Run `npm run build` first.');
  const results: { coldStart: ColdStart[] } = { coldStart: [] };
  const common = { NODE_ENV: 'production', SECRET_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', LEAGUE_PASSCODE: 'bench-passcode' };

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-bench-'));
  try {
    // The first start creates and migrates the embedded database; a dyno waking up does not.
    await timeToFirst200(['dist/src/server.js'], { ...common, DATA_DIR: dataDir }, 29999);
    results.coldStart.push(await coldStart('pglite', { ...common, DATA_DIR: dataDir }));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) {
    const admin = new pg.Client(serverUrl);
    await admin.connect();
    const name = `grl_bench_${crypto.randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const env = { ...common, DATABASE_URL: url.toString(), DATABASE_SSL: 'false' };
      const migrate = spawn(process.execPath, ['dist/src/cli/migrate.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
      await new Promise((r) => migrate.once('exit', r));
      results.coldStart.push(await coldStart('postgres', env));
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  } else {
    console.log('(BENCH_DATABASE_URL not set: Postgres figures skipped.)');
  }

  console.log('\nCold start: process start to the first 200 on GET / (median of %d)', RUNS);
  console.log('database   app ms   bare node ms   ratio   target');
  for (const c of results.coldStart) {
    console.log(
      `${c.database.padEnd(10)} ${c.medianMs.toFixed(0).padStart(6)}   ${c.baselineMs.toFixed(0).padStart(12)}   ${c.ratio.toFixed(1).padStart(5)}   ${c.medianMs < 1000 ? 'under 1 s: met' : 'under 1 s: MISSED'}`,
    );
  }
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results.json'), JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2));
  console.log('\nWrote bench/results.json');
}

await main();
