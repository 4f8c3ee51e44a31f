import { z } from 'zod';
import type { Rules } from './scoring/rules.js';

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` })
    .default(fallback);

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone such as Europe/London' },
);

const DEV_SECRET = 'development-only-secret-do-not-use-in-production';

// --- Secrets and proxies (issue 12: security hardening) -------------------------------
const GENERATE_SECRET = 'generate one with `openssl rand -hex 32` (on Heroku: heroku config:set SECRET_KEY=$(openssl rand -hex 32))';
export const SECRET_MIN_LENGTH = 32;
export const SECRET_MIN_DISTINCT = 12;

/**
 * Why a SECRET_KEY is too weak for production, or null when it will do. The rule: at
 * least 32 characters, no whitespace, at least 12 different characters, and not the
 * development default printed in this file. `openssl rand -hex 32` (64 characters of 16
 * kinds) and Heroku's `generator: secret` pass it; 'x' * 40 or 32 spaces do not.
 */
export function secretKeyProblem(secret: string | undefined): string | null {
  if (!secret) return `required in production: ${GENERATE_SECRET}`;
  if (secret === DEV_SECRET) return `the development default is public: ${GENERATE_SECRET}`;
  if (/\s/.test(secret)) return `must not contain spaces or other whitespace: ${GENERATE_SECRET}`;
  if (secret.length < SECRET_MIN_LENGTH) return `at least ${SECRET_MIN_LENGTH} characters: ${GENERATE_SECRET}`;
  if (new Set(secret).size < SECRET_MIN_DISTINCT) {
    return `too predictable: at least ${SECRET_MIN_DISTINCT} different characters: ${GENERATE_SECRET}`;
  }
  return null;
}

const hostName = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const hostAndPort = (value: string) => {
  const [host = '', port, ...rest] = value.split(':');
  return hostName.test(host) && rest.length === 0 && (port === undefined || /^\d{1,5}$/.test(port));
};
// An empty value (as a dashboard may leave it) means "not set", never 0 or "no host".
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
const securityEnv = {
  /** Proxy hops in front of the app whose X-Forwarded-* headers are believed. */
  TRUST_PROXY: unsetIfEmpty(z.coerce
    .number({ error: 'expected a whole number of proxy hops (0: none)' })
    .int({ error: 'expected a whole number of proxy hops (0: none)' })
    .min(0, { error: 'expected a whole number of proxy hops (0: none)' })
    .max(10, { error: 'expected at most 10 proxy hops' })
    .optional()),
  CANONICAL_HOST: unsetIfEmpty(z.string().trim().toLowerCase().refine(hostAndPort, { error: 'expected a host name such as league.example.com' }).optional()),
  ALLOWED_HOSTS: z
    .string()
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .refine((hosts) => hosts.every((h) => hostName.test(h)), { error: 'expected host names (no scheme, no port) separated by commas' })
    .default([]),
};
// ---------------------------------------------------------------------------------------

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(3000, 0, 65535), // 0: any free port, the one taken is logged (tests use it)
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ error: 'expected a postgres:// URL' }).optional(),
    DATABASE_SSL: z.enum(['true', 'false']).optional(),
    // Below the smallest Heroku plan's 20 connections, with the live feed's listening one (issue 16).
    DATABASE_POOL_MAX: int(5, 1, 18),
    DATABASE_STATEMENT_TIMEOUT_MS: int(5000, 100, 600_000),
    DATA_DIR: z.string().min(1).default('./.data'),
    SECRET_KEY: z.string().optional(),
    LEAGUE_NAME: z.string().trim().min(1).max(60).default('Gin Rummy League'),
    LEAGUE_TIME_ZONE: timeZone.default('UTC'),
    GIN_BONUS: int(25, 0, 1000),
    BIG_GIN_BONUS: int(31, 0, 1000),
    UNDERCUT_BONUS: int(25, 0, 1000),
    LINE_BONUS: int(25, 0, 1000),
    STALE_GAME_DAYS: int(14, 1, 3650),
    LEAGUE_PASSCODE: z.string().optional(),
    PRIVATE_LEAGUE: z.enum(['true', 'false']).default('false'),
    OPEN_LEAGUE: z.enum(['true', 'false']).default('false'),
    ELO_START: int(1500, 100, 5000),
    ELO_K: int(32, 1, 100),
    ...securityEnv,
    // Deployment (issue 13): the embedded database in production only on purpose; the drain time.
    EMBEDDED_DATABASE_IN_PRODUCTION: z.enum(['true', 'false']).default('false'),
    SHUTDOWN_DRAIN_MS: int(8000, 1000, 25_000),
    // Live pages (issue 16): a comment on every event stream this often, under Heroku's 55 s idle cut.
    LIVE_HEARTBEAT_SECONDS: int(25, 1, 54),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL && env.EMBEDDED_DATABASE_IN_PRODUCTION !== 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'required in production: without it the data would go to embedded PGlite in DATA_DIR on this machine\'s disk, ' +
          'which Heroku dynos and Fly machines lose at every restart. Set DATABASE_URL to a PostgreSQL URL, or ' +
          'EMBEDDED_DATABASE_IN_PRODUCTION=true if DATA_DIR is on a persistent volume (a single small server)',
      });
    }
    // Issue 12: spaces do not count towards a passcode's length (6 spaces is no passcode).
    if (env.LEAGUE_PASSCODE !== undefined && env.LEAGUE_PASSCODE.length > 0 && env.LEAGUE_PASSCODE.trim().length < 6) {
      ctx.addIssue({ code: 'custom', path: ['LEAGUE_PASSCODE'], message: 'at least 6 characters besides spaces (e.g. three words; or `openssl rand -base64 9`)' });
    }
    if (env.NODE_ENV === 'production' && !env.LEAGUE_PASSCODE && env.OPEN_LEAGUE !== 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['LEAGUE_PASSCODE'],
        message: 'required in production, so that strangers cannot change the scores (or set OPEN_LEAGUE=true on purpose)',
      });
    }
    if (env.PRIVATE_LEAGUE === 'true' && !env.LEAGUE_PASSCODE) {
      ctx.addIssue({ code: 'custom', path: ['PRIVATE_LEAGUE'], message: 'a private league needs LEAGUE_PASSCODE' });
    }
    // Issue 12: the development default, whitespace and low-variety keys are refused.
    const secretProblem = env.NODE_ENV === 'production' ? secretKeyProblem(env.SECRET_KEY) : null;
    if (secretProblem) ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: secretProblem });
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  logLevel: string;
  database:
    | { kind: 'postgres'; url: string; ssl: boolean; poolMax: number; statementTimeoutMs: number }
    | { kind: 'pglite'; dataDir: string };
  secretKey: string;
  league: {
    name: string;
    timeZone: string;
    rules: Rules;
    /** An unfinished game untouched for this many days is listed as stale. */
    staleGameDays: number;
  };
  access: {
    /** null: an open league, where anyone may record (development, or OPEN_LEAGUE=true). */
    passcode: string | null;
    /** Hide every page from signed-out visitors. */
    private: boolean;
  };
  elo: { start: number; k: number };
  /** Issue 12: proxies and hosts. */
  http: {
    /** Proxy hops whose X-Forwarded-For/-Proto/-Host are believed (0: none). */
    trustProxy: number;
    /** Where plain-HTTP requests are redirected; null: to the request's host if allowed. */
    canonicalHost: string | null;
    /** Hosts (lower case, no port) a request may name to be redirected to HTTPS on itself. */
    allowedHosts: string[];
  };
  /** After SIGTERM: how long requests in flight may take before the process exits anyway. */
  shutdownDrainMs: number;
  /** Live pages: seconds between heartbeats on an event stream. */
  liveHeartbeatSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once, at start; every bad variable is named in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          // Heroku Postgres requires SSL with a certificate it does not let us verify.
          ssl: e.DATABASE_SSL ? e.DATABASE_SSL === 'true' : e.NODE_ENV === 'production',
          poolMax: e.DATABASE_POOL_MAX,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: e.DATA_DIR },
    secretKey: e.SECRET_KEY || DEV_SECRET,
    league: {
      name: e.LEAGUE_NAME,
      timeZone: e.LEAGUE_TIME_ZONE,
      rules: {
        ginBonus: e.GIN_BONUS,
        bigGinBonus: e.BIG_GIN_BONUS,
        undercutBonus: e.UNDERCUT_BONUS,
        lineBonus: e.LINE_BONUS,
      },
      staleGameDays: e.STALE_GAME_DAYS,
    },
    access: { passcode: e.LEAGUE_PASSCODE || null, private: e.PRIVATE_LEAGUE === 'true' },
    elo: { start: e.ELO_START, k: e.ELO_K },
    http: {
      // Heroku's router and Fly's proxy are one hop; without a proxy, X-Forwarded-For is
      // whatever the client wrote, so it is ignored outside production unless configured.
      trustProxy: e.TRUST_PROXY ?? (e.NODE_ENV === 'production' ? 1 : 0),
      canonicalHost: e.CANONICAL_HOST ?? null,
      allowedHosts: e.ALLOWED_HOSTS,
    },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    liveHeartbeatSeconds: e.LIVE_HEARTBEAT_SECONDS,
  };
}
