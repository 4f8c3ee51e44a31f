import type { Knex } from 'knex';
import { rawRows, type Db } from '../db.js';
import type { HandRow } from '../core/tables.js';
import { eloReplay, type EloSettings } from '../scoring/elo.js';

export const DEFAULT_ELO: EloSettings = { start: 1500, k: 32 };

/** Where a change to the hands begins, in their order (played_at, then id). */
export interface HandPoint {
  playedAt: Date;
  handId: number;
}

/**
 * One writer at a time rewrites ratings; other writes wait for it, briefly. The quick
 * hand's append (migrations/20261203080000_hand_record_function.ts) takes it too.
 */
export const RATINGS_LOCK = 4_206_711;

/**
 * Rewrites the stored ratings from `from` onwards (everything when null): called by every
 * service that adds, hides or changes a hand, inside its transaction, after its change to
 * the hands (the lock order: the league_version row, which that change locks, then this).
 * A quick hand that is the latest is appended by hand_record instead; this is the path for
 * corrections, voids and hands given an earlier time of play.
 */
export async function ratingsRecompute({ db, elo = DEFAULT_ELO, from }: { db: Db; elo?: EloSettings; from: HandPoint | null }): Promise<void> {
  await db.raw('select pg_advisory_xact_lock(?)', [RATINGS_LOCK]);
  // (whereRaw adds to the builder it is called on.)
  const after = <Q extends Knex.QueryBuilder>(q: Q, time: string, id: string): Q => {
    if (from) q.whereRaw(`(${time}, ${id}) >= (?, ?)`, [from.playedAt, from.handId]);
    return q;
  };
  await after(db('ratings'), 'played_at', 'hand_id').delete();
  const hands = await after(db('live_hands'), 'played_at', 'id')
    .orderBy([{ column: 'played_at' }, { column: 'id' }])
    .select('id', 'player_a_id', 'player_b_id', 'winner_id', 'played_at');
  if (hands.length === 0) return;
  // Each replayed player's latest rating left, by an index probe each: what remains is all
  // before `from`. (Not one scan of every rating, which grew with the league.)
  const players = [...new Set(hands.flatMap((h) => [h.player_a_id, h.player_b_id]))];
  const latest = from
    ? await rawRows<{ player_id: number; after: number }>(
        db,
        `select p.id as player_id, r.after
         from unnest(?::integer[]) as p(id)
         cross join lateral (select after from ratings where player_id = p.id order by played_at desc, hand_id desc limit 1) r`,
        [players],
      )
    : [];
  const current = new Map(latest.map((r) => [r.player_id, r.after]));
  const playedAt = new Map(hands.map((h) => [h.id, h.played_at]));
  const steps = eloReplay(
    elo,
    current,
    hands.map((h) => ({ handId: h.id, playerAId: h.player_a_id, playerBId: h.player_b_id, winnerId: h.winner_id })),
  );
  const rows = steps.map((s) => ({ hand_id: s.handId, player_id: s.playerId, played_at: playedAt.get(s.handId), before: s.before, after: s.after }));
  for (let i = 0; i < rows.length; i += 1000) await db('ratings').insert(rows.slice(i, i + 1000));
}

/** The earliest of some hands, as the point to recompute from. */
export function earliest(hands: Pick<HandRow, 'played_at' | 'id'>[]): HandPoint | null {
  let best: HandPoint | null = null;
  for (const h of hands) {
    if (!best || h.played_at < best.playedAt || (h.played_at.getTime() === best.playedAt.getTime() && h.id < best.handId)) {
      best = { playedAt: h.played_at, handId: h.id };
    }
  }
  return best;
}
