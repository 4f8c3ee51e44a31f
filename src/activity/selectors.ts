import type { Db } from '../db.js';
import type { ActivityRow, GameRow, HandRow, ImportRecordRow, MergeRow, PlayerRow } from '../core/tables.js';

export interface ActivityView {
  id: number;
  at: Date;
  actor: string | null;
  action: string;
  summary: string;
  link: string | null;
  /** What "Restore" would bring back, when the entry voided something still voided. */
  restorable: { type: 'hand' | 'game' | 'abandoned_game'; id: number; gameId: number | null } | null;
  /** A whole write that can be taken back from the log: an import, a merge of players. */
  undo: { action: string; label: string } | null;
}

/** Links of the log lead inside the app only (a restored backup could hold anything). */
export function safeLink(link: string | null): string | null {
  return link !== null && /^\/(?![/\\])[^\s\\]*$/.test(link) ? link : null;
}

/** An entry of the log with what became of its subject since (the left joins' columns are null for other subjects). */
type ActivityJoinRow = Pick<ActivityRow, 'id' | 'at' | 'action' | 'summary' | 'link' | 'subject_type' | 'subject_id'> & {
  actor: PlayerRow['name'] | null;
  hand_voided_at: HandRow['voided_at'];
  hand_replaced_by: HandRow['replaced_by_id'];
  hand_game_id: HandRow['game_id'];
  game_voided_at: GameRow['voided_at'];
  game_abandoned_at: GameRow['abandoned_at'];
  import_id: ImportRecordRow['id'] | null;
  import_undone_at: ImportRecordRow['undone_at'];
  merge_id: MergeRow['id'] | null;
  merge_undone_at: MergeRow['undone_at'];
};

/** The most recent writes and corrections, newest first. */
export async function activityList({ db, limit = 50 }: { db: Db; limit?: number }): Promise<ActivityView[]> {
  const rows = await db('activity as a')
    .leftJoin('players as p', 'p.id', 'a.actor_id')
    .leftJoin('hands as h', function joinHand() {
      this.on('h.id', '=', 'a.subject_id').andOn('a.subject_type', '=', db.raw('?', ['hand']));
    })
    .leftJoin('games as g', function joinGame() {
      this.on('g.id', '=', 'a.subject_id').andOn('a.subject_type', '=', db.raw('?', ['game']));
    })
    .leftJoin('imports as i', function joinImport() {
      this.on('i.id', '=', 'a.subject_id').andOn('a.subject_type', '=', db.raw('?', ['import']));
    })
    .leftJoin('merges as m', function joinMerge() {
      this.on('m.id', '=', 'a.subject_id').andOn('a.subject_type', '=', db.raw('?', ['merge']));
    })
    .select<ActivityJoinRow[]>(
      'a.id',
      'a.at',
      'p.name as actor',
      'a.action',
      'a.summary',
      'a.link',
      'a.subject_type',
      'a.subject_id',
      'h.voided_at as hand_voided_at',
      'h.replaced_by_id as hand_replaced_by',
      'h.game_id as hand_game_id',
      'g.voided_at as game_voided_at',
      'i.id as import_id',
      'i.undone_at as import_undone_at',
      'm.id as merge_id',
      'm.undone_at as merge_undone_at',
      'g.abandoned_at as game_abandoned_at',
    )
    .orderBy([{ column: 'a.at', order: 'desc' }, { column: 'a.id', order: 'desc' }])
    .limit(limit);
  return rows.map((r) => {
    const voidAction = r.action === 'hand.voided' || r.action === 'game.voided' || r.action === 'game.hand_deleted' || r.action === 'game.hand_undone';
    let restorable: ActivityView['restorable'] = null;
    // (activityRecord writes a subject's type and id together.)
    if (r.subject_id === null) restorable = null;
    else if (voidAction && r.subject_type === 'hand' && r.hand_voided_at && !r.hand_replaced_by) {
      restorable = { type: 'hand', id: r.subject_id, gameId: r.hand_game_id };
    } else if (voidAction && r.subject_type === 'game' && r.game_voided_at) {
      restorable = { type: 'game', id: r.subject_id, gameId: r.subject_id };
    } else if (r.action === 'game.abandoned' && r.subject_type === 'game' && r.game_abandoned_at && !r.game_voided_at) {
      restorable = { type: 'abandoned_game', id: r.subject_id, gameId: r.subject_id };
    }
    let undo: ActivityView['undo'] = null;
    if (r.action === 'hands.imported' && r.import_id && !r.import_undone_at) undo = { action: `/imports/${r.import_id}/undo`, label: 'Undo this import' };
    if (r.action === 'player.merged' && r.merge_id && !r.merge_undone_at) undo = { action: `/merges/${r.merge_id}/undo`, label: 'Undo this merge' };
    return { id: r.id, at: r.at, actor: r.actor, action: r.action, summary: r.summary, link: safeLink(r.link), restorable, undo };
  });
}
