/*
 * Merging two players who are one person (a duplicate the league already has): every hand
 * and game of the one moves to the other, ratings are recomputed, the merged player keeps
 * its row (history still names it) but leaves every list, and the activity log can undo
 * it exactly, because the merge remembers which rows it moved.
 */
import { z } from 'zod';
import { writeTransaction, type Db } from '../db.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord } from '../activity/services.js';
import { earliest, ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import { playerNameKey } from '../core/names.js';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const SEATS = ['player_a_id', 'player_b_id', 'winner_id'] as const;
type Seat = (typeof SEATS)[number];

const seatIds = z.object({ player_a_id: z.array(z.number()), player_b_id: z.array(z.number()), winner_id: z.array(z.number()) }) satisfies z.ZodType<Record<Seat, number[]>>;
/** merges.moved: what a merge moved, so that it can be undone exactly. */
const movedSchema = z.object({
  hands: seatIds,
  games: seatIds,
  keys: z.object({ from: z.string().nullable(), into: z.string().nullable() }),
});
type Moved = z.infer<typeof movedSchema>;

async function lockPlayers(db: Db, ids: number[]) {
  const rows = await db('players').whereIn('id', ids).orderBy('id').forUpdate().select('id', 'name', 'name_key', 'merged_into_id');
  return new Map(rows.map((r) => [r.id, r]));
}

/** The hands whose ratings a move touches, from the earliest on. */
async function recomputeFrom(db: Db, handIds: number[], elo?: EloSettings) {
  if (!handIds.length) return;
  const hands = await db('hands').whereIn('id', handIds).select('id', 'played_at');
  await ratingsRecompute({ db, elo, from: earliest(hands) });
}

export async function playerMerge({
  db,
  fromId,
  intoId,
  actorId = null,
  elo,
}: {
  db: Db;
  fromId: number;
  intoId: number;
  actorId?: number | null;
  elo?: EloSettings;
}): Promise<{ mergeId: number; hands: number; games: number }> {
  if (fromId === intoId) throw new ApplicationError('A player cannot be merged into themselves.', { fields: { into: 'Choose another player.' } });
  return writeTransaction(db, async (trx) => {
    const players = await lockPlayers(trx, [fromId, intoId]);
    const from = players.get(fromId);
    const into = players.get(intoId);
    if (!from || from.merged_into_id !== null) throw new NotFoundError(`No player ${fromId}`);
    if (!into || into.merged_into_id !== null) throw new ApplicationError('Choose a player from the list.', { fields: { into: 'Choose a player from the list; that one is not in the league.' } });

    const together = async (table: 'hands' | 'games') => {
      const [row] = await trx(table)
        .where((w) => {
          w.where({ player_a_id: fromId, player_b_id: intoId }).orWhere({ player_a_id: intoId, player_b_id: fromId });
        })
        .count({ n: '*' });
      return Number(row?.n);
    };
    if ((await together('hands')) + (await together('games')) > 0) {
      const message = `${from.name} and ${into.name} have played each other, so they are two people; rename one of them instead.`;
      throw new ApplicationError(message, { fields: { into: message } });
    }

    const moved: Moved = { hands: { player_a_id: [], player_b_id: [], winner_id: [] }, games: { player_a_id: [], player_b_id: [], winner_id: [] }, keys: { from: from.name_key, into: into.name_key } };
    for (const table of ['hands', 'games'] as const) {
      for (const seat of SEATS) moved[table][seat] = (await trx(table).where(seat, fromId).orderBy('id').select('id')).map((r) => r.id);
      // All seats of a row in one statement: the row's checks hold before and after, not between.
      await trx(table)
        .where((w) => {
          w.where('player_a_id', fromId).orWhere('player_b_id', fromId).orWhere('winner_id', fromId);
        })
        .update(Object.fromEntries(SEATS.map((seat) => [seat, trx.raw(`case when ?? = ? then ? else ?? end`, [seat, fromId, intoId, seat])])));
    }
    // The merged player's key is freed; the one kept takes it if it had none (a look-alike pair).
    await trx('players').where({ id: fromId }).update({ merged_into_id: intoId, name_key: null });
    if (into.name_key === null && from.name_key !== null && playerNameKey(into.name) === from.name_key) {
      await trx('players').where({ id: intoId }).update({ name_key: from.name_key });
    }
    const [merge] = await trx('merges').insert({ created_by: actorId, from_player_id: fromId, into_player_id: intoId, moved: JSON.stringify(moved) }).returning('id');
    if (!merge) throw new Error('The merge was not stored');
    const mergeId = merge.id;
    const handIds = [...new Set(SEATS.flatMap((s) => moved.hands[s]))];
    const gameIds = new Set(SEATS.flatMap((s) => moved.games[s]));
    await recomputeFrom(trx, handIds, elo);
    await activityRecord(trx, {
      actorId,
      action: 'player.merged',
      summary: `merged ${from.name} into ${into.name} (${count(handIds.length, 'hand')} and ${count(gameIds.size, 'game')} moved)`,
      link: `/players/${intoId}`,
      subject: { type: 'merge', id: mergeId },
    });
    return { mergeId, hands: handIds.length, games: gameIds.size };
  });
}

/** Takes a merge back: the rows it moved return to the merged player, who is back in every list. */
export async function playerMergeUndo({ db, mergeId, actorId = null, elo }: { db: Db; mergeId: number; actorId?: number | null; elo?: EloSettings }): Promise<{ name: string }> {
  return writeTransaction(db, async (trx) => {
    const merge = await trx('merges').where({ id: mergeId }).forUpdate().first();
    if (!merge) throw new NotFoundError(`No merge ${mergeId}`);
    if (merge.undone_at !== null) throw new ApplicationError('That merge was already undone.');
    const { from_player_id: fromId, into_player_id: intoId } = merge;
    const players = await lockPlayers(trx, [fromId, intoId]);
    const from = players.get(fromId);
    const into = players.get(intoId);
    // The merge's foreign keys keep both players.
    if (!from || !into) throw new Error(`Merge ${mergeId} names a player that is not there`);
    if (into.merged_into_id !== null) throw new ApplicationError(`${into.name} was merged into another player since: undo that merge first.`);
    const moved = movedSchema.parse(typeof merge.moved === 'string' ? JSON.parse(merge.moved) : merge.moved);
    for (const table of ['hands', 'games'] as const) {
      const ids = [...new Set(SEATS.flatMap((seat) => moved[table][seat]))];
      if (!ids.length) continue;
      await trx(table)
        .whereIn('id', ids)
        .update(Object.fromEntries(SEATS.map((seat) => [seat, trx.raw(`case when id = any(?) and ?? = ? then ? else ?? end`, [moved[table][seat], seat, intoId, fromId, seat])])));
    }
    // Keys as they were, where nobody has taken them since.
    if (into.name_key !== moved.keys.into) await trx('players').where({ id: intoId }).update({ name_key: moved.keys.into });
    const holder = moved.keys.from === null ? undefined : await trx('players').where({ name_key: moved.keys.from }).first('id');
    await trx('players').where({ id: fromId }).update({ merged_into_id: null, name_key: holder ? null : moved.keys.from });
    await trx('merges').where({ id: mergeId }).update({ undone_at: trx.fn.now(), undone_by: actorId });
    await recomputeFrom(trx, [...new Set(SEATS.flatMap((s) => moved.hands[s]))], elo);
    await activityRecord(trx, {
      actorId,
      action: 'player.merge_undone',
      summary: `undid the merge of ${from.name} into ${into.name}`,
      link: `/players/${fromId}`,
      subject: { type: 'merge', id: mergeId },
    });
    return { name: from.name };
  });
}
