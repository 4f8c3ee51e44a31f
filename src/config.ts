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

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(3000, 1, 65535),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ error: 'expected a postgres:// URL' }).optional(),
    DATABASE_SSL: z.enum(['true', 'false']).optional(),
    DATABASE_POOL_MAX: int(5, 1, 19),
    DATABASE_STATEMENT_TIMEOUT_MS: int(5000, 100, 600_000),
    DATA_DIR: z.string().min(1).default('./.data'),
    SECRET_KEY: z.string().optional(),
    LEAGUE_NAME: z.string().trim().min(1).max(60).default('Gin Rummy League'),
    LEAGUE_TIME_ZONE: timeZone.default('UTC'),
    GIN_BONUS: int(25, 0, 1000),
    BIG_GIN_BONUS: int(31, 0, 1000),
    UNDERCUT_BONUS: int(25, 0, 1000),
    LINE_BONUS: int(25, 0, 1000),
    LEAGUE_PASSCODE: z.string().optional(),
    PRIVATE_LEAGUE: z.enum(['true', 'false']).default('false'),
    OPEN_LEAGUE: z.enum(['true', 'false']).default('false'),
    ELO_START: int(1500, 100, 5000),
    ELO_K: int(32, 1, 100),
    // Deployment (issue 13): the embedded database in production only on purpose; the drain time.
    EMBEDDED_DATABASE_IN_PRODUCTION: z.enum(['true', 'false']).default('false'),
    SHUTDOWN_DRAIN_MS: int(8000, 1000, 25_000),
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
    if (env.LEAGUE_PASSCODE !== undefined && env.LEAGUE_PASSCODE.length > 0 && env.LEAGUE_PASSCODE.length < 6) {
      ctx.addIssue({ code: 'custom', path: ['LEAGUE_PASSCODE'], message: 'at least 6 characters' });
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
    if (env.NODE_ENV === 'production' && (env.SECRET_KEY ?? '').length < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['SECRET_KEY'],
        message: 'required in production, at least 32 characters (heroku config:set SECRET_KEY=$(openssl rand -hex 32))',
      });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  logLevel: string;
  database:
    | { kind: 'postgres'; url: string; ssl: boolean; poolMax: number; statementTimeoutMs: number }
    | { kind: 'pglite'; dataDir: string };
  secretKey: string;
  league: { name: string; timeZone: string; rules: Rules };
  access: {
    /** null: an open league, where anyone may record (development, or OPEN_LEAGUE=true). */
    passcode: string | null;
    /** Hide every page from signed-out visitors. */
    private: boolean;
  };
  elo: { start: number; k: number };
  /** After SIGTERM: how long requests in flight may take before the process exits anyway. */
  shutdownDrainMs: number;
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
    },
    access: { passcode: e.LEAGUE_PASSCODE || null, private: e.PRIVATE_LEAGUE === 'true' },
    elo: { start: e.ELO_START, k: e.ELO_K },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}
