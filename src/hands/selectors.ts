import type { Db } from '../db.js';
import { OUTCOME_LABELS, OUTCOMES, type Outcome } from '../scoring/rules.js';
import { playerList } from '../players/selectors.js';
import type { Player } from '../players/services.js';

export interface HandView {
  id: number;
  playedAt: Date;
  outcome: Outcome;
  points: number;
  deadwood: number | null;
  playerA: string;
  playerB: string;
  winner: string | null;
  gameId: number | null;
}

function handViewQuery(db: Db) {
  return db('live_hands as h')
    .join('players as a', 'a.id', 'h.player_a_id')
    .join('players as b', 'b.id', 'h.player_b_id')
    .leftJoin('players as w', 'w.id', 'h.winner_id')
    .select<HandView[]>(
      'h.id',
      'h.played_at as playedAt',
      'h.outcome',
      'h.points',
      'h.deadwood',
      'a.name as playerA',
      'b.name as playerB',
      'w.name as winner',
      'h.game_id as gameId',
    );
}

export async function handGet({ db, id }: { db: Db; id: number }): Promise<HandView | undefined> {
  return handViewQuery(db).where('h.id', id).first();
}

export async function handListRecent({ db, limit = 10 }: { db: Db; limit?: number }): Promise<HandView[]> {
  return handViewQuery(db).orderBy([{ column: 'h.played_at', order: 'desc' }, { column: 'h.id', order: 'desc' }]).limit(limit);
}

export interface HandForm {
  players: Player[];
  /** The pair that played the most recent hand, to preselect. */
  lastPair: { playerAId: number; playerBId: number } | null;
}

export async function handFormGet({ db }: { db: Db }): Promise<HandForm> {
  const [players, last] = await Promise.all([
    playerList({ db }),
    db('live_hands').orderBy([{ column: 'played_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first('player_a_id', 'player_b_id'),
  ]);
  return {
    players,
    lastPair: last ? { playerAId: last.player_a_id, playerBId: last.player_b_id } : null,
  };
}

/** The pair a new hand or game starts with: the last pair that played, else the first two players. */
export function handFormPair(form: HandForm): { playerA: string; playerB: string } {
  const [first, second] = form.players;
  return {
    playerA: String(form.lastPair?.playerAId ?? first?.id ?? ''),
    playerB: String(form.lastPair?.playerBId ?? second?.id ?? ''),
  };
}

/** The ways a hand can end, labelled for the forms' radio buttons. */
export const handOutcomeChoices = () => OUTCOMES.map((value) => ({ value, label: OUTCOME_LABELS[value] }));
