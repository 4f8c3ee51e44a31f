/*
 * Fills an empty league with years of play for the benchmark: 12 players and `hands`
 * hands (10,000 by default) over three years, scored by the rules, with their ratings.
 */
import type { Db } from '../db.js';
import { NORTH_AMERICAN, type Outcome } from '../scoring/rules.js';
import { quickHandRules, scoreGameHand } from '../scoring/game.js';
import { ratingsRecompute } from '../ratings/services.js';
import { playerNameKey } from '../core/names.js';
import { handRulesColumns } from '../core/tables.js';
import { itemAt } from './pick.js';

export async function seedBench({ db, hands = 10_000, players = 12 }: { db: Db; hands?: number; players?: number }): Promise<void> {
  const ids = (await db('players').insert(Array.from({ length: players }, (_, i) => ({ name: `Player ${i + 1}`, name_key: playerNameKey(`Player ${i + 1}`) }))).returning('id')).map(
    (r) => r.id,
  );
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const outcomes: Outcome[] = ['knock', 'knock', 'knock', 'knock', 'gin', 'gin', 'undercut', 'big_gin', 'draw'];
  const start = Date.UTC(2023, 10, 1);
  const span = 3 * 365 * 86_400_000;
  // The same scoring as every other way a hand comes in.
  const pointsOf = (outcome: Outcome, deadwood: number | null) => {
    if (deadwood === null) return 0;
    const scored = scoreGameHand(quickHandRules(NORTH_AMERICAN), { outcome, winner: 'a', difference: deadwood });
    if (!scored.ok) throw new Error(`seedBench made an impossible hand: ${JSON.stringify(scored.errors)}`);
    return scored.hand.points;
  };
  const rows = Array.from({ length: hands }, (_, i) => {
    const a = itemAt(ids, Math.floor(random() * ids.length));
    let b = itemAt(ids, Math.floor(random() * ids.length));
    if (b === a) b = itemAt(ids, (ids.indexOf(a) + 1) % ids.length);
    const outcome = itemAt(outcomes, Math.floor(random() * outcomes.length));
    const deadwood = outcome === 'draw' ? null : (outcome === 'knock' ? 1 : 0) + Math.floor(random() * 40); // no knock of 0
    return {
      played_at: new Date(start + (i * span) / hands),
      player_a_id: a,
      player_b_id: b,
      winner_id: outcome === 'draw' ? null : random() < 0.5 ? a : b,
      outcome,
      deadwood,
      points: pointsOf(outcome, deadwood),
      ...handRulesColumns(NORTH_AMERICAN),
      idempotency_key: `bench-${i}`,
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await db('hands').insert(rows.slice(i, i + 1000));
  await ratingsRecompute({ db, from: null });
}
