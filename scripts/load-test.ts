/*
 * The load test (`npm run test:load`). Loopback only, bounded: LOAD_SECONDS (default 20)
 * of 50 concurrent clients against a fresh Postgres database — 40 recording hands, one in
 * ten of their submissions sent twice with the same token (a double tap, a retry), and 10
 * reading the leaderboard. It passes when there was no 5xx, every acknowledged hand is
 * stored exactly once, and no repeated submission was doubled; it prints the figures.
 *
 * LOAD_DATABASE_URL or TEST_DATABASE_URL names the server (default the local one).
 */
import crypto from 'node:crypto';
import { createDb, migrateLatest } from '../src/db.js';
import { playerNameKey } from '../src/core/names.js';
import { CookieClient, spawnServer } from '../tests/support/server.js';
import { scratchDatabase } from '../tests/support/scratchDatabase.js';
import { quickHandKey } from '../src/hands/services.js';
import type { Outcome } from '../src/scoring/rules.js';

const SERVER_URL = process.env.LOAD_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const WRITERS = 40;
const READERS = 10;
const PASSCODE = 'load-test-passcode';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : 0;
};

async function main(): Promise<boolean> {
  const scratch = await scratchDatabase(SERVER_URL, 'grl_load');
  const db = createDb({ kind: 'postgres', url: scratch.url, ssl: false, poolMax: 2, statementTimeoutMs: 10_000 });
  let server;
  try {
    await migrateLatest(db);
    const players = await db('players')
      .insert(Array.from({ length: 12 }, (_, i) => ({ name: `Player ${i + 1}`, name_key: playerNameKey(`Player ${i + 1}`) })))
      .returning('id');
    const ids = players.map((p) => p.id);
    server = await spawnServer({
      NODE_ENV: 'production',
      DATABASE_URL: scratch.url,
      DATABASE_SSL: 'false',
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      LEAGUE_PASSCODE: PASSCODE,
      LOG_LEVEL: 'error',
    });
    const base = server.url;
    const https = { 'x-forwarded-proto': 'https' };

    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const latencies: number[] = [];
    const acknowledged = new Set<string>();
    let repeats = 0;
    let errors = 0;
    let deadline = 0;

    const timed = async <T extends { status: number }>(work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const res = await work();
      latencies.push(performance.now() - started);
      count(res.status);
      return res;
    };

    // Members sign in one after another, as phones would over an evening (all at once
    // from one address would rightly trip the sign-in rate limit).
    const writers: CookieClient[] = [];
    for (let n = 0; n < WRITERS; n++) {
      const c = new CookieClient(base, https);
      const page = await c.request('GET', '/sign-in');
      const res = await c.request('POST', '/sign-in', { _csrf: CookieClient.hidden(page.text, '_csrf'), passcode: PASSCODE, who: String(ids[n % ids.length]) });
      if (res.status !== 303) throw new Error(`writer ${n} could not sign in: ${res.status}`);
      writers.push(c);
    }

    const writer = async (c: CookieClient): Promise<void> => {
      while (Date.now() < deadline) {
        try {
          const form = await timed(() => c.request('GET', '/hands/new'));
          if (form.status !== 200) {
            errors++;
            continue;
          }
          const a = ids[Math.floor(Math.random() * ids.length)] as number;
          let b = ids[Math.floor(Math.random() * ids.length)] as number;
          if (b === a) b = ids[(ids.indexOf(a) + 1) % ids.length] as number;
          const body = {
            _csrf: CookieClient.hidden(form.text, '_csrf'),
            token: CookieClient.hidden(form.text, 'token'),
            playerA: String(a),
            playerB: String(b),
            outcome: ['knock', 'gin', 'undercut', 'big_gin'][Math.floor(Math.random() * 4)] as string,
            winner: Math.random() < 0.5 ? 'a' : 'b',
            deadwood: String(1 + Math.floor(Math.random() * 40)), // a knock of 0 is refused: it is an undercut
          };
          // A hand is stored under its token together with its content.
          const key = quickHandKey(body.token, { playerAId: a, playerBId: b, outcome: body.outcome as Outcome, winner: body.winner as 'a' | 'b', deadwood: Number(body.deadwood) });
          const saved = await timed(() => c.request('POST', '/hands', body));
          if (saved.status === 303) acknowledged.add(key);
          if (Math.random() < 0.1) {
            repeats++;
            const again = await timed(() => c.request('POST', '/hands', body));
            if (again.status === 303) acknowledged.add(key);
          }
        } catch {
          errors++;
        }
      }
    };
    const reader = async () => {
      const c = new CookieClient(base, https);
      while (Date.now() < deadline) {
        try {
          await timed(() => c.request('GET', '/'));
        } catch {
          errors++;
        }
      }
    };

    const started = Date.now();
    deadline = started + SECONDS * 1000;
    await Promise.all([...writers.map((c) => writer(c)), ...Array.from({ length: READERS }, () => reader())]);
    const elapsed = (Date.now() - started) / 1000;

    const stored = await db('hands').select('idempotency_key');
    const storedKeys = stored.map((r) => r.idempotency_key);
    const distinctStored = new Set(storedKeys);
    const missing = [...acknowledged].filter((k) => !distinctStored.has(k));
    const unacknowledged = storedKeys.filter((k) => !acknowledged.has(k));
    const fiveHundreds = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);

    console.log(`Load: ${WRITERS} writers + ${READERS} readers for ${elapsed.toFixed(1)} s on Postgres`);
    console.log(`  requests            ${requests} (${(requests / elapsed).toFixed(0)}/s), statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(`  latency             p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`  hands acknowledged  ${acknowledged.size}`);
    console.log(`  repeated submits    ${repeats}`);
    console.log(`  hands stored        ${storedKeys.length} (${distinctStored.size} distinct keys)`);
    console.log(`  5xx                 ${fiveHundreds}; client errors ${errors}`);
    const checks: [string, boolean][] = [
      ['no 5xx', fiveHundreds === 0 && errors === 0],
      ['every acknowledged hand is stored', missing.length === 0],
      ['every stored hand was acknowledged', unacknowledged.length === 0],
      ['no submission stored twice', distinctStored.size === storedKeys.length],
      ['repeats were exercised', repeats > 0],
    ];
    for (const [label, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}`);
    const failed = checks.filter(([, ok]) => !ok).length;
    console.log(`\nload test: ${checks.length - failed} passed, ${failed} failed`);
    return failed === 0;
  } finally {
    await server?.stop();
    await db.destroy();
    await scratch.drop();
  }
}

process.exitCode = (await main()) ? 0 : 1;
