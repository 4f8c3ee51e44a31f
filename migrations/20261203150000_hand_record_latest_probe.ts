import type { Knex } from 'knex';
import * as previous from './20261203080000_hand_record_function.js';

/*
 * hand_record (20261203080000) asked "is there a rating later than the new hand?" as
 * `not exists (select 1 from ratings r where (r.played_at, r.hand_id) > (…))`. Inside
 * PL/pgSQL that statement gets a generic plan, which guesses a third of the table matches
 * and scans it from the start: 2 ms on a league of 10,000 hands (20,000 ratings), under
 * the league's lock, most of a hand's time in the database (auto_explain, 3 December 2026).
 * Here the latest rating is read backwards off ratings_time (played_at, hand_id) and
 * compared: one index probe whatever the size of the league. Nothing else changes.
 */
const RATINGS_LOCK = 4_206_711; // src/ratings/services.ts
const NOT_LATEST = previous.NOT_LATEST;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function hand_record(
      p_player_a integer, p_player_b integer, p_winner integer, p_outcome text, p_deadwood integer, p_points integer,
      p_gin_bonus integer, p_big_gin_bonus integer, p_undercut_bonus integer, p_line_bonus integer,
      p_key text, p_actor integer, p_played_at timestamptz,
      p_elo_start double precision, p_elo_k double precision,
      p_summary text, p_link text, p_must_append boolean
    )
    returns table (
      is_new boolean, is_rated boolean, hand_id integer, hand_played_at timestamptz,
      a_name text, b_name text, stored_winner_id integer, stored_outcome text, stored_points integer
    )
    language plpgsql as $$
    declare
      v_id integer;
      v_played_at timestamptz;
      v_a double precision;
      v_b double precision;
      v_score double precision;
      v_change double precision;
      v_rated boolean := false;
      v_name_a text;
      v_name_b text;
      v_last_at timestamptz;
      v_last_id integer;
    begin
      -- Players first, in id order, then the league's row: the order merge and rename take
      -- them (they lock players, then their writes' trigger locks league_version), so the
      -- two cannot deadlock. A merge that committed while we waited is seen by the reads
      -- below (each statement reads the latest commits).
      perform 1 from players p where p.id in (p_player_a, p_player_b, p_actor) order by p.id for key share;
      select p.name into v_name_a from players p where p.id = p_player_a and p.merged_into_id is null;
      select p.name into v_name_b from players p where p.id = p_player_b and p.merged_into_id is null;
      if v_name_a is null or v_name_b is null then
        return;
      end if;

      perform 1 from league_version lv where lv.id = 1 for update;
      -- A resend stores nothing, so it must not touch hands: the table's trigger would move
      -- the league's version (and every cache and live page with it) for a write that was not.
      -- (Checked under the league's row; the unique index's on conflict backs it up.)
      if not exists (select 1 from hands h where h.idempotency_key = p_key) then
        insert into hands (
          player_a_id, player_b_id, winner_id, outcome, deadwood, points,
          gin_bonus, big_gin_bonus, undercut_bonus, line_bonus, idempotency_key, created_by, played_at
        ) values (
          p_player_a, p_player_b, p_winner, p_outcome, p_deadwood, p_points,
          p_gin_bonus, p_big_gin_bonus, p_undercut_bonus, p_line_bonus, p_key, p_actor,
          coalesce(p_played_at, date_trunc('milliseconds', clock_timestamp()))
        )
        on conflict (idempotency_key) do nothing
        returning hands.id, hands.played_at into v_id, v_played_at;
      end if;

      if v_id is null then
        -- Sent before (a resend, or its twin, committed while this one waited): the first hand.
        return query
          select false, false, h.id, h.played_at, pa.name::text, pb.name::text, h.winner_id, h.outcome::text, h.points
          from hands h join players pa on pa.id = h.player_a_id join players pb on pb.id = h.player_b_id
          where h.idempotency_key = p_key;
        return;
      end if;

      perform pg_advisory_xact_lock(${RATINGS_LOCK});
      -- The latest rating, read backwards off ratings_time (played_at, hand_id): one probe.
      select r.played_at, r.hand_id into v_last_at, v_last_id from ratings r order by r.played_at desc, r.hand_id desc limit 1;
      if not exists (select 1 from live_hands h where (h.played_at, h.id) > (v_played_at, v_id))
         and (v_last_at is null or (v_last_at, v_last_id) <= (v_played_at, v_id)) then
        select r.after into v_a from ratings r where r.player_id = p_player_a order by r.played_at desc, r.hand_id desc limit 1;
        select r.after into v_b from ratings r where r.player_id = p_player_b order by r.played_at desc, r.hand_id desc limit 1;
        v_a := coalesce(v_a, p_elo_start);
        v_b := coalesce(v_b, p_elo_start);
        v_score := case when p_winner is null then 0.5 when p_winner = p_player_a then 1 else 0 end;
        -- eloUpdate(k, a, b, score): change = k * (score - expectedScore(a, b))
        v_change := p_elo_k * (v_score - 1 / (1 + power(10::double precision, (v_b - v_a) / 400)));
        insert into ratings (hand_id, player_id, played_at, before, after)
        values (v_id, p_player_a, v_played_at, v_a, v_a + v_change), (v_id, p_player_b, v_played_at, v_b, v_b - v_change);
        v_rated := true;
      elsif p_must_append then
        -- The caller cannot recompute in this transaction (it sent its COMMIT with this call).
        raise exception 'hand % is not the latest: its ratings need a recompute', v_id using errcode = '${NOT_LATEST}';
      end if;

      insert into activity (actor_id, action, summary, link, subject_type, subject_id)
      values (p_actor, 'hand.recorded', left(format(p_summary, v_name_a, v_name_b), 300), p_link, 'hand', v_id);

      return query select true, v_rated, v_id, v_played_at, v_name_a, v_name_b, p_winner, p_outcome, p_points;
    end $$
  `);
}

/** Back to the earlier definition: dropped, and made again by its own migration. */
export async function down(knex: Knex): Promise<void> {
  await previous.down(knex);
  await previous.up(knex);
}
