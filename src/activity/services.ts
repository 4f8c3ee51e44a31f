import type { Db } from '../db.js';

export interface ActivityEntry {
  actorId: number | null;
  action: string;
  summary: string;
  link?: string | null;
  subject?: { type: 'hand' | 'game' | 'player' | 'import' | 'merge'; id: number };
}

/** Notes a write in the league's activity log; called by services inside their transaction. */
export async function activityRecord(db: Db, entry: ActivityEntry): Promise<void> {
  await db('activity').insert({
    actor_id: entry.actorId,
    action: entry.action,
    summary: entry.summary.slice(0, 300),
    link: entry.link ?? null,
    subject_type: entry.subject?.type ?? null,
    subject_id: entry.subject?.id ?? null,
  });
}

/** "Alice" for an id, for the sentences of the log. */
export async function playerNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  const rows = await db('players').whereIn('id', ids).select('id', 'name');
  return new Map(rows.map((r) => [r.id, r.name]));
}
