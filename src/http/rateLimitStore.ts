import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Db } from '../db.js';

/**
 * express-rate-limit's counters kept in Postgres, so every web process counts the same
 * attempts (the library's own store is one process's memory).
 */
export class KnexRateLimitStore implements Store {
  localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly db: Db,
    readonly prefix = 'rl:',
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await this.db.raw(
      `insert into rate_limits (key, hits, reset_at)
         values (?, 1, now() + (? * interval '1 millisecond'))
       on conflict (key) do update set
         hits = case when rate_limits.reset_at <= now() then 1 else rate_limits.hits + 1 end,
         reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
       returning hits, reset_at`,
      [this.prefix + key, this.windowMs],
    );
    const row = (rows as { hits: number; reset_at: Date }[])[0];
    return { totalHits: row?.hits ?? 1, resetTime: row?.reset_at };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db('rate_limits').where({ key: this.prefix + key }).andWhere('reset_at', '>', this.db.fn.now()).first();
    return row ? { totalHits: row.hits as number, resetTime: row.reset_at as Date } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.db('rate_limits').where({ key: this.prefix + key }).andWhere('hits', '>', 0).decrement('hits', 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.db('rate_limits').where({ key: this.prefix + key }).delete();
  }
}
