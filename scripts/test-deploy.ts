/*
 * The build-and-boot test: does to a clean copy of this checkout what Heroku's Node.js
 * buildpack and release phase do — on the Node that package.json's engines names, fetched
 * from the npm registry when this machine has another — then checks: the refusal to run in
 * production without DATABASE_URL, the embedded database when asked for, app.json's
 * postdeploy seed, the Procfile's web process in production mode against a fresh
 * PostgreSQL database from outside, and shutdown: under 20 keep-alive writers, and with a
 * log pipe nobody reads.
 *
 *   npm run test:deploy      (DEPLOY_TEST_DATABASE_URL or TEST_DATABASE_URL names the server;
 *                             default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../src/db.js';
import { scratchDatabase } from '../tests/support/scratchDatabase.js';
import { quickHandKey } from '../src/hands/services.js';
import { freePort, memberSession } from '../tests/support/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER_URL =
  process.env.DEPLOY_TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const WRITERS = 20;
const PASSCODE = 'deploy-test-passcode';

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`       ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}
const step = (title: string) => console.log(`-----> ${title}`);

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((l) => l && !l.includes('Unknown user config') && !l.includes('Unknown env config'))
    .map((l) => `       ${l}`)
    .join('\n');
  if (output) console.log(output);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function copyCheckout(dest: string): number {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter(Boolean);
  let copied = 0;
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the work tree
    fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, file));
    fs.chmodSync(path.join(dest, file), fs.statSync(from).mode);
    copied++;
  }
  return copied;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function procfile(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(dir, 'Procfile'), 'utf8').split('\n')) {
    const m = /^([a-z]+):\s*(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}


/**
 * The Node that package.json's engines names, as the buildpack and the Dockerfile use: this
 * process's own when it matches, else the npm registry's `node` package (Node's own binaries),
 * installed once into the same cache folder that .ci/run uses. Returns the PATH to build with.
 */
function nodeForEngines(): { path: string; major: string } {
  const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const major = /^(\d+)/.exec(engines)?.[1];
  if (!major) throw new Error(`cannot read a major version from engines.node "${engines}"`);
  if (process.version.startsWith(`v${major}.`)) return { path: process.env.PATH ?? '', major };
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const dir = process.env.NODE24_DIR ?? path.join(cache, 'gin-rummy-leaderboard', `node${major}`);
  const bin = path.join(dir, 'node_modules', 'node', 'bin');
  const version = spawnSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (!version.startsWith(`v${major}.`)) {
    console.log(`       this machine has Node ${process.version}; fetching node@${major} from the npm registry into ${dir}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    run('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], dir);
  }
  return { path: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, major };
}

interface Web {
  child: ChildProcess;
  logs: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

function startWeb(command: string, cwd: string, env: NodeJS.ProcessEnv, stdout: 'pipe' | 'stalled' = 'pipe'): Web {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  // A stalled log pipe: nobody reads it, so once its buffer is full every write would wait.
  if (stdout === 'pipe') child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  else child.stdout?.pause();
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  return { child, logs: () => logs, exited };
}

async function waitForHealthy(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) return null;
    try {
      const res = await fetch(`${BASE}/healthz`);
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

async function stopWeb(web: Web, timeoutMs: number): Promise<{ code: number | null | 'timeout'; ms: number }> {
  const started = performance.now();
  web.child.kill('SIGTERM');
  const result = await Promise.race([web.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs))]);
  if (result === 'timeout') {
    web.child.kill('SIGKILL');
    return { code: 'timeout', ms: timeoutMs };
  }
  return { code: result.code, ms: Math.round(result.at - started) };
}

const countRows = async (db: Db, table: string) => Number((await db(table).count({ n: '*' }))[0]?.n);


type Outcome =
  | { kind: 'acknowledged'; connectionClose: boolean } // 303: the hand is saved
  | { kind: 'refused'; connectionClose: boolean } // 503 before the app saw it
  | { kind: 'other'; status: number }
  | { kind: 'no-response'; code: string } // the connection failed before any response byte
  | { kind: 'cut'; code: string }; // a response began and did not finish

interface Posted {
  token: string;
  /** What the hand is stored under: its token with its content (src/core/idempotency.ts). */
  key: string;
  sentAt: number;
  doneAt: number;
  outcome: Outcome;
}

/** One hand, POSTed on a keep-alive agent; every way it can end is told apart. */
function postHand(agent: http.Agent, auth: { cookie: string; csrf: string }, players: [number, number], token: string): Promise<Posted> {
  const winner = Math.random() < 0.5 ? 'a' : 'b';
  const deadwood = 1 + Math.floor(Math.random() * 30);
  const key = quickHandKey(token, { playerAId: players[0], playerBId: players[1], outcome: 'knock', winner, deadwood });
  const body = new URLSearchParams({
    _csrf: auth.csrf,
    token,
    playerA: String(players[0]),
    playerB: String(players[1]),
    outcome: 'knock',
    winner,
    deadwood: String(deadwood),
  }).toString();
  const sentAt = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve({ token, key, sentAt, doneAt: performance.now(), outcome });
    };
    const req = http.request(
      `${BASE}/hands`,
      {
        method: 'POST',
        agent,
        headers: {
          'x-forwarded-proto': 'https',
          cookie: auth.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const connectionClose = (res.headers.connection ?? '').toLowerCase() === 'close';
        res.on('data', () => {});
        res.on('aborted', () => done({ kind: 'cut', code: 'aborted' }));
        res.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'cut', code: err.code ?? err.message }));
        res.on('end', () => {
          if (!res.complete) return done({ kind: 'cut', code: 'incomplete' });
          if (res.statusCode === 303) done({ kind: 'acknowledged', connectionClose });
          else if (res.statusCode === 503) done({ kind: 'refused', connectionClose });
          else done({ kind: 'other', status: res.statusCode ?? 0 });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'no-response', code: err.code ?? err.message }));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-slug-'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-embedded-'));
  const scratch = await scratchDatabase(SERVER_URL, 'grl_deploy');
  const db = createDb({ kind: 'postgres', url: scratch.url, ssl: false, poolMax: 2, statementTimeoutMs: 10_000 });
  const webs: Web[] = [];
  try {
    step('Node.js (package.json engines)');
    const node = nodeForEngines();
    const buildEnv: NodeJS.ProcessEnv = { ...process.env, PATH: node.path };
    const version = execFileSync('node', ['--version'], { env: buildEnv, encoding: 'utf8' }).trim();
    check(`the build and the processes run on Node ${node.major}, as engines says`, version.startsWith(`v${node.major}.`), `${version}; this script runs on ${process.version}`);

    step(`Copying a clean checkout to ${dir}`);
    console.log(`       ${copyCheckout(dir)} files`);

    step('Installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir, buildEnv);
    step('Build (npm run heroku-postbuild)');
    run('npm', ['run', 'heroku-postbuild', '--silent'], dir, buildEnv);
    step('Heroku CI\'s test-setup after that build (npm run build:if-stale)');
    const again = spawnSync('npm', ['run', 'build:if-stale', '--silent'], { cwd: dir, env: buildEnv, encoding: 'utf8' });
    check('a second build of the same sources is skipped', again.status === 0 && /Build is current/.test(again.stdout) && !/Compiling TypeScript/.test(again.stdout), again.stdout.trim());
    step('Pruning devDependencies (npm prune --omit=dev)');
    run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], dir, buildEnv);
    const slug = folderSize(dir);
    console.log(`       slug size: ${(slug / 1024 / 1024).toFixed(1)} MB`);
    check('the build left no devDependencies behind', !fs.existsSync(path.join(dir, 'node_modules', 'typescript')));

    const processes = procfile(dir);
    const env: NodeJS.ProcessEnv = {
      PATH: node.path,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(PORT),
      DATABASE_URL: scratch.url,
      DATABASE_SSL: 'false',
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      LEAGUE_PASSCODE: PASSCODE,
      CANONICAL_HOST: 'league.example',
    };
    const withoutDatabase = { ...env, DATABASE_URL: undefined, DATA_DIR: dataDir };

    step('Production without DATABASE_URL');
    for (const [name, command] of [['web', processes.web], ['release', processes.release]] as const) {
      const refused = spawnSync('sh', ['-c', command ?? 'false'], { cwd: dir, env: withoutDatabase, encoding: 'utf8', timeout: 20_000 });
      check(
        `the ${name} process refuses to start, saying why`,
        refused.status === 1 && /DATABASE_URL: required in production/.test(refused.stderr) && /EMBEDDED_DATABASE_IN_PRODUCTION=true/.test(refused.stderr),
        `exit ${refused.status}: ${refused.stderr.trim().split('\n').slice(0, 2).join(' ')}`,
      );
    }
    check('and writes nothing to disk', fs.readdirSync(dataDir).length === 0);

    step('Production on the embedded database, asked for (EMBEDDED_DATABASE_IN_PRODUCTION=true)');
    const embedded = startWeb(processes.web ?? 'false', dir, { ...withoutDatabase, EMBEDDED_DATABASE_IN_PRODUCTION: 'true' });
    webs.push(embedded);
    const embeddedUp = await waitForHealthy(embedded.child, 60_000);
    check('boots on PGlite in DATA_DIR and answers /healthz', embeddedUp !== null && /"database":"pglite"/.test(embedded.logs()), embeddedUp ? `after ${Math.round(embeddedUp)} ms` : embedded.logs().slice(-300));
    check('the data folder is created', fs.existsSync(path.join(dataDir, 'PG_VERSION')));
    const embeddedStop = await stopWeb(embedded, 15_000);
    check('and stops on SIGTERM with status 0', embeddedStop.code === 0, `exit ${embeddedStop.code} after ${embeddedStop.ms} ms`);

    step(`Release phase: ${processes.release}`);
    const badRelease = spawnSync('sh', ['-c', processes.release ?? 'false'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
    });
    check('a release that cannot migrate fails (and so stops the release)', badRelease.status !== 0, `exit ${badRelease.status}`);
    run('sh', ['-c', processes.release ?? 'false'], dir, env);

    const appJson = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')) as {
      scripts: { postdeploy: string };
      environments: { review: { env: Record<string, { value?: string }> } };
    };
    const postdeploy = appJson.scripts.postdeploy;
    const reviewEnv = Object.fromEntries(Object.entries(appJson.environments.review.env).map(([k, v]) => [k, v.value ?? '']));
    step(`Postdeploy (app.json scripts.postdeploy): ${postdeploy}`);
    const asButton = spawnSync('sh', ['-c', postdeploy], { cwd: dir, env, encoding: 'utf8' });
    check('a Deploy-button app (no SEED_DEMO) is left empty', asButton.status === 0 && (await countRows(db, 'players')) === 0, asButton.stdout.trim().split('\n').pop());
    const asReview = spawnSync('sh', ['-c', postdeploy], { cwd: dir, env: { ...env, ...reviewEnv }, encoding: 'utf8' });
    const seededHands = await countRows(db, 'hands');
    check(
      'a Review App (environments.review.env) gets the demo league',
      asReview.status === 0 && (await countRows(db, 'players')) === 2 && seededHands > 50,
      asReview.stdout.trim().split('\n').pop(),
    );
    const twice = spawnSync('sh', ['-c', postdeploy], { cwd: dir, env: { ...env, ...reviewEnv }, encoding: 'utf8' });
    check('run again, it leaves a league with data alone', twice.status === 0 && (await countRows(db, 'hands')) === seededHands, twice.stdout.trim().split('\n').pop());

    step(`Web process: ${processes.web}`);
    const web = startWeb(processes.web ?? 'false', dir, env);
    webs.push(web);
    const coldStart = await waitForHealthy(web.child, 15_000);
    check('boots and answers /healthz', coldStart !== null, coldStart ? `first 200 after ${Math.round(coldStart)} ms` : web.logs().slice(-500));
    if (coldStart === null) throw new Error('the web process did not come up');
    check(`the web process runs on Node ${node.major}`, web.logs().includes(`"node":"v${node.major}.`));

    const https = { 'X-Forwarded-Proto': 'https' };
    const home = await fetch(`${BASE}/`, { headers: https });
    check('GET / answers 200', home.status === 200, String(home.status));
    const html = await home.text();

    const health = await fetch(`${BASE}/healthz`);
    check('GET /healthz answers 200, never cached', health.status === 200 && health.headers.get('cache-control') === 'no-store');

    const cssPath = /href="(\/static\/app\.[0-9a-f]+\.css)"/.exec(html)?.[1];
    check('the page links a fingerprinted stylesheet', Boolean(cssPath), cssPath);
    const css = await fetch(`${BASE}${cssPath}`, { headers: { 'Accept-Encoding': 'gzip, br' } });
    check(
      'the stylesheet is served with a one-year immutable cache, compressed',
      css.status === 200 &&
        /max-age=31536000/.test(css.headers.get('cache-control') ?? '') &&
        /immutable/.test(css.headers.get('cache-control') ?? '') &&
        /gzip|br/.test(css.headers.get('content-encoding') ?? ''),
      `${css.status} ${css.headers.get('cache-control')} ${css.headers.get('content-encoding')}`,
    );

    const forged = await fetch(`${BASE}/hands`, {
      method: 'POST',
      headers: { ...https, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'playerA=1&playerB=2&outcome=knock&winner=a&deadwood=5&token=abcdefghijklmnop',
    });
    check('a POST without a CSRF token answers 403', forged.status === 403, String(forged.status));

    const plain = await fetch(`${BASE}/players`, { headers: { 'X-Forwarded-Proto': 'http' }, redirect: 'manual' });
    check('plain HTTP behind the router is redirected to HTTPS on CANONICAL_HOST', plain.status === 301 && plain.headers.get('location') === 'https://league.example/players', `${plain.status} ${plain.headers.get('location')}`);
    check('logs are JSON lines with request ids', web.logs().split('\n').some((l) => l.startsWith('{') && l.includes('"req":{"id"')));

    step(`SIGTERM under load: ${WRITERS} keep-alive clients recording hands`);
    const players = await db('players').orderBy('id').pluck('id');
    const pair: [number, number] = [players[0] as number, players[1] as number];
    const auth = await memberSession(BASE, PASSCODE, pair[0]);
    const before = await countRows(db, 'hands');
    const posted: Posted[] = [];
    let signalAt = Infinity;
    const deadline = performance.now() + 30_000;
    const writer = async (i: number) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let n = 0; performance.now() < deadline; n++) {
          const result = await postHand(agent, auth, pair, `deploy-${i}-${n}-${crypto.randomBytes(6).toString('hex')}`);
          posted.push(result);
          // A phone whose request was refused, or whose connection failed, tries again later
          // (elsewhere): this one stops.
          if (result.outcome.kind !== 'acknowledged' && result.outcome.kind !== 'other') return;
        }
      } finally {
        agent.destroy();
      }
    };
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
    await new Promise((r) => setTimeout(r, 2000));
    const drainMs = 8000; // SHUTDOWN_DRAIN_MS is not set: its default
    signalAt = performance.now();
    web.child.kill('SIGTERM');
    await writers;
    const exit = await Promise.race([web.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainMs + 5000))]);
    const exitMs = exit === 'timeout' ? Infinity : Math.round(exit.at - signalAt);
    const kinds = (k: Outcome['kind'], after = false) => posted.filter((p) => p.outcome.kind === k && (!after || p.doneAt > signalAt));
    const acknowledged = kinds('acknowledged');
    const stored = new Set(await db('hands').whereIn('idempotency_key', posted.map((p) => p.key)).pluck('idempotency_key'));
    const unanswered = [...kinds('no-response'), ...kinds('refused'), ...kinds('cut')];
    console.log(
      `       ${posted.length} requests: ${acknowledged.length} acknowledged (${kinds('acknowledged', true).length} of them after the signal, ` +
        `${acknowledged.filter((p) => p.outcome.kind === 'acknowledged' && p.outcome.connectionClose).length} with Connection: close), ` +
        `${kinds('refused').length} refused with 503, ${kinds('no-response').length} without a response ` +
        `(${[...new Set(kinds('no-response').map((p) => (p.outcome as { code: string }).code))].join(', ')}), ` +
        `${kinds('cut').length} cut, ${kinds('other').length} other`,
    );
    check(`the process exits with status 0 within the drain time (${drainMs} ms)`, exit !== 'timeout' && exit.code === 0 && exitMs <= drainMs, exit === 'timeout' ? 'still running' : `exit ${exit.code} after ${exitMs} ms`);
    check('the writers were busy when the signal came', acknowledged.length >= WRITERS && posted.some((p) => p.sentAt < signalAt && p.doneAt > signalAt));
    check('every acknowledged hand is stored', acknowledged.every((p) => stored.has(p.key)), `${acknowledged.filter((p) => stored.has(p.key)).length}/${acknowledged.length}`);
    check('no request was cut after a commit: nothing unanswered is stored', unanswered.every((p) => !stored.has(p.key)), `${unanswered.filter((p) => stored.has(p.key)).length} of ${unanswered.length} stored`);
    check('no response was cut halfway', kinds('cut').length === 0 && kinds('other').length === 0);
    check(
      'requests in flight at the signal are answered with Connection: close, later ones refused with it',
      kinds('acknowledged', true).some((p) => p.outcome.kind === 'acknowledged' && p.outcome.connectionClose) &&
        kinds('refused').every((p) => p.outcome.kind === 'refused' && p.outcome.connectionClose),
    );
    check(
      'the server stops taking new work: at most one answer per connection after the signal',
      kinds('acknowledged', true).length <= WRITERS,
      `${kinds('acknowledged', true).length} after the signal`,
    );
    check('the database has exactly the acknowledged hands', (await countRows(db, 'hands')) === before + acknowledged.length);
    check('the shutdown is logged', /shutting down/.test(web.logs()) && /closed; bye/.test(web.logs()));

    step('SIGTERM with a request in flight and another behind it on the same connection');
    const third = startWeb(processes.web ?? 'false', dir, env);
    webs.push(third);
    if ((await waitForHealthy(third.child, 15_000)) === null) throw new Error('the web process did not come up');
    const form = (token: string) =>
      new URLSearchParams({ _csrf: auth.csrf, token, playerA: String(pair[0]), playerB: String(pair[1]), outcome: 'gin', winner: 'a', deadwood: '7' }).toString();
    const head = (length: number) =>
      `POST /hands HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nCookie: ${auth.cookie}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
    const [first, second] = [`inflight-${crypto.randomBytes(6).toString('hex')}`, `behind-${crypto.randomBytes(6).toString('hex')}`];
    const socket = net.connect(PORT, '127.0.0.1');
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // The first request's headers now, its body after the signal: it is in flight then.
    socket.write(head(Buffer.byteLength(form(first))));
    await new Promise((r) => setTimeout(r, 300));
    const signalled = performance.now();
    third.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(form(first) + head(Buffer.byteLength(form(second))) + form(second));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    const thirdExit = await Promise.race([third.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    const responses = raw.split(/(?=HTTP\/1\.1 \d{3})/).filter(Boolean);
    const statusOf = (r: string | undefined) => Number(/^HTTP\/1\.1 (\d{3})/.exec(r ?? '')?.[1]);
    const keyOf = (token: string) => quickHandKey(token, { playerAId: pair[0], playerBId: pair[1], outcome: 'gin', winner: 'a', deadwood: 7 });
    const storedNow = new Set((await db('hands').whereIn('idempotency_key', [keyOf(first), keyOf(second)]).pluck('idempotency_key')).map((k) => (k === keyOf(first) ? first : second)));
    check(
      'the request in flight completes, saved, with Connection: close',
      statusOf(responses[0]) === 303 && /\r\nConnection: close\r\n/i.test(responses[0] ?? '') && storedNow.has(first),
      (responses[0] ?? raw).split('\r\n')[0],
    );
    check(
      'the one behind it is refused before the app sees it (503 with Connection: close, or never answered), not saved',
      !storedNow.has(second) && (responses.length === 1 || (statusOf(responses[1]) === 503 && /\r\nConnection: close\r\n/i.test(responses[1] ?? ''))),
      responses.length > 1 ? (responses[1] ?? '').split('\r\n')[0] : 'the connection closed after the first answer',
    );
    check('and the process exits 0', thirdExit !== 'timeout' && thirdExit.code === 0, thirdExit === 'timeout' ? 'still running' : `exit ${thirdExit.code} after ${Math.round(thirdExit.at - signalled)} ms`);

    step('SIGTERM with a log pipe nobody reads');
    const stalled = startWeb(processes.web ?? 'false', dir, env, 'stalled');
    webs.push(stalled);
    const stalledUp = await waitForHealthy(stalled.child, 15_000);
    // Each request logs a line of about 300 bytes: 600 of them overfill a 64 KB pipe.
    let answered = 0;
    for (let i = 0; i < 600 && stalledUp !== null; i++) {
      const res = await fetch(`${BASE}/livez`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (res?.ok) answered++;
      await res?.arrayBuffer();
    }
    const stalledStop = await stopWeb(stalled, 10_000);
    check('the server keeps answering and still exits 0 on SIGTERM', answered === 600 && stalledStop.code === 0, `${answered} answered; exit ${stalledStop.code} after ${stalledStop.ms} ms`);
  } finally {
    for (const web of webs) if (web.child.exitCode === null) web.child.kill('SIGKILL');
    await db.destroy().catch(() => {});
    await scratch.drop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main()
  .catch((err: unknown) => {
    failed++;
    console.error(`       FAIL ${(err as Error).message}`);
  })
  .finally(() => {
    console.log(`\nbuild-and-boot: ${passed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
