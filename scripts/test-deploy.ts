/*
 * The build-and-boot test: does to a clean copy of this checkout what Heroku's Node.js
 * buildpack and release phase do, then boots the Procfile's web process in production mode
 * against a fresh PostgreSQL database and checks it from outside.
 *
 *   npm run test:deploy      (DEPLOY_TEST_DATABASE_URL or TEST_DATABASE_URL names the server;
 *                             default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scratchDatabase } from '../tests/support/scratchDatabase.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER_URL =
  process.env.DEPLOY_TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = 5000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;

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

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-slug-'));
  const scratch = await scratchDatabase(SERVER_URL, 'grl_deploy');
  let web: ChildProcess | undefined;
  try {
    step(`Copying a clean checkout to ${dir}`);
    console.log(`       ${copyCheckout(dir)} files`);

    step('Installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    step('Build (npm run heroku-postbuild)');
    run('npm', ['run', 'heroku-postbuild', '--silent'], dir);
    step('Pruning devDependencies (npm prune --omit=dev)');
    run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    const slug = folderSize(dir);
    console.log(`       slug size: ${(slug / 1024 / 1024).toFixed(1)} MB`);
    check('the build left no devDependencies behind', !fs.existsSync(path.join(dir, 'node_modules', 'typescript')));

    const processes = procfile(dir);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(PORT),
      DATABASE_URL: scratch.url,
      DATABASE_SSL: 'false',
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      LEAGUE_PASSCODE: 'deploy-test-passcode',
      CANONICAL_HOST: 'league.example',
    };

    step(`Release phase: ${processes.release}`);
    const badRelease = spawnSync('sh', ['-c', processes.release ?? 'false'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
    });
    check('a release that cannot migrate fails (and so stops the release)', badRelease.status !== 0, `exit ${badRelease.status}`);
    run('sh', ['-c', processes.release ?? 'false'], dir, env);

    step(`Web process: ${processes.web}`);
    web = spawn('sh', ['-c', `exec ${processes.web}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    web.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    web.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    const coldStart = await waitForHealthy(web, 15_000);
    check('boots and answers /healthz', coldStart !== null, coldStart ? `first 200 after ${Math.round(coldStart)} ms` : logs.slice(-500));
    if (coldStart === null) throw new Error('the web process did not come up');

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
    check('logs are JSON lines with request ids', logs.split('\n').some((l) => l.startsWith('{') && l.includes('"req":{"id"')));

    step('SIGTERM');
    const stopping = performance.now();
    const exited = new Promise<number | null>((resolve) => web?.once('exit', (code) => resolve(code)));
    web.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    const took = Math.round(performance.now() - stopping);
    check('SIGTERM ends the process with status 0 within 10 s', code === 0, `exit ${code} after ${took} ms`);
  } finally {
    if (web && web.exitCode === null) web.kill('SIGKILL');
    await scratch.drop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
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
