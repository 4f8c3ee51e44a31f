/*
 * A production-like run on this machine, in one command (`npm run start:prod-local`): the
 * build in dist/ (built first when stale), NODE_ENV=production, the local PostgreSQL
 * (the database is created when missing), the Procfile's release command and then its web
 * command, heap settings included, behind a small proxy that plays Heroku's router: it
 * adds `X-Forwarded-Proto: https`, so the app sets its Secure session cookie (browsers
 * accept those from http://localhost) instead of refusing plain HTTP. Variables come from
 * the environment, then .env, then the defaults below; see .env.example.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { loadDotEnv } from '../src/core/dotenv.js';
import { freePort } from '../tests/support/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const envFile = loadDotEnv(['--dotenv'], ROOT);
const defaults: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gin_rummy_local',
  // The local server speaks plain TCP.
  DATABASE_SSL: 'false',
  PORT: '3000',
  LEAGUE_PASSCODE: 'local-passcode',
};
const env: NodeJS.ProcessEnv = { ...process.env };
const defaulted: string[] = [];
for (const [key, value] of Object.entries(defaults)) {
  if (env[key] === undefined || env[key] === '') {
    env[key] = value;
    defaulted.push(key);
  }
}
if (!env.SECRET_KEY) {
  // Sessions then last until this run stops: set SECRET_KEY in .env to keep them.
  env.SECRET_KEY = crypto.randomBytes(32).toString('hex');
  defaulted.push('SECRET_KEY (random, for this run)');
}

/** Creates the database named in DATABASE_URL when the server does not have it yet. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), ssl: env.DATABASE_SSL === 'true' ? { rejectUnauthorized: false } : false });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      console.log(`Created the database ${name} on ${target.host}.`);
    }
  } finally {
    await client.end();
  }
}

function procfile(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(ROOT, 'Procfile'), 'utf8').split('\n')) {
    const m = /^([a-z]+):\s*(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

const url = env.DATABASE_URL as string;
const shown = new URL(url);
if (shown.password) shown.password = '***';
console.log(`Production-like run: NODE_ENV=${env.NODE_ENV}, ${shown.toString()}, http://localhost:${env.PORT}`);
if (envFile) console.log(`Read ${envFile}.`);
if (defaulted.length) console.log(`Defaults used for: ${defaulted.join(', ')}. (The passcode is ${env.LEAGUE_PASSCODE}.)`);

try {
  await ensureDatabase(url);
} catch (err) {
  console.error(`Cannot reach PostgreSQL at ${shown.host}: ${(err as Error).message}\nStart it, or set DATABASE_URL (in .env or the environment).`);
  process.exit(1);
}

const processes = procfile();
const release = spawnSync('sh', ['-c', processes.release ?? 'false'], { cwd: ROOT, env, stdio: 'inherit' });
if (release.status !== 0) process.exit(release.status ?? 1);

const publicPort = Number(env.PORT);
const appPort = await freePort();
const web = spawn('sh', ['-c', `exec ${processes.web}`], { cwd: ROOT, env: { ...env, PORT: String(appPort) }, stdio: 'inherit' });

// The router: every request passes to the app as if it had arrived over HTTPS.
const router = http.createServer((req, res) => {
  const upstream = http.request(
    { host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress ?? '' } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('The app is not answering (starting, or stopped).\n');
  });
  req.pipe(upstream);
});
router.listen(publicPort, () => console.log(`Open http://localhost:${publicPort} (the app itself listens on ${appPort}).`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => web.kill(signal));
web.on('exit', (code, signal) => {
  router.close();
  process.exit(code ?? (signal ? 1 : 0));
});
