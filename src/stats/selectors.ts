/*
 * The stories behind the scores: one player's record, a rivalry, the league's records.
 * Everything is aggregated in SQL (window functions for streaks) over indexed columns;
 * no selector loads a whole history into JavaScript.
 */
import { rawRow, rawRows, type Db } from '../db.js';
import { ALL_TIME, periodCondition, periodConditionNamed, type PairRead, type PlayerRead } from '../core/period.js';
import type { Outcome } from '../scoring/rules.js';
import { periodLabel } from '../core/period.js';
import { lineChartSvg, sample } from '../charts/svg.js';
import { unmemoised, type Memo } from '../core/memo.js';
import { monthListActive } from '../leaderboard/selectors.js';
import { playerList } from '../players/selectors.js';
import { ratingHistoryGet, ratingListCurrent } from '../ratings/selectors.js';

export interface PlayerStats {
  id: number;
  name: string;
  /** Set when this player was merged into another: the page sends visitors there. */
  mergedIntoId: number | null;
  played: number;
  won: number;
  drawn: number;
  winPercent: number | null;
  byOutcome: Record<'knock' | 'gin' | 'big_gin' | 'undercut', { count: number; rate: number | null }>;
  biggestHand: number | null;
  averageWin: number | null;
  currentStreak: number;
  longestStreak: number;
  gamesPlayed: number;
  gamesWon: number;
  form: { result: 'W' | 'L' | 'D'; points: number; outcome: Outcome; opponent: string; playedAt: Date }[];
}

/** A player's hands in the period, numbered in time order, with "won" spelled out. */
const PLAYER_HANDS = (periodSql: string) => `
  ph as (
    select h.id, h.played_at, h.outcome, h.points,
      coalesce(h.winner_id = :player, false) as won,
      h.winner_id is null as drawn,
      case when h.player_a_id = :player then h.player_b_id else h.player_a_id end as opponent_id,
      row_number() over (order by h.played_at, h.id) as rn
    from live_hands h
    where (h.player_a_id = :player or h.player_b_id = :player) and ${periodSql}
  ),
  islands as (
    select won, rn - row_number() over (partition by won order by rn) as grp from ph
  )`;

export async function playerStatsGet({ db, playerId, timeZone, period = ALL_TIME }: PlayerRead): Promise<PlayerStats | undefined> {
  const player = await db('players').where({ id: playerId }).first('id', 'name', 'merged_into_id');
  if (!player) return undefined;
  const p = periodConditionNamed(period, 'h.played_at', timeZone, 'hp');
  const g = periodConditionNamed(period, 'g.finished_at', timeZone, 'gp');
  const r = await rawRow<{
    played: number; won: number; drawn: number; knock: number; gin: number; big_gin: number; undercut: number;
    biggest: number | null; average_win: number | null; longest_streak: number; current_streak: number; games_played: number; games_won: number;
  }>(
    db,
    `
    with ${PLAYER_HANDS(p.sql)},
    streaks as (select count(*) as len from islands where won group by grp)
    select
      (select count(*) from ph) as played,
      (select count(*) from ph where won) as won,
      (select count(*) from ph where drawn) as drawn,
      (select count(*) from ph where won and outcome = 'knock') as knock,
      (select count(*) from ph where won and outcome = 'gin') as gin,
      (select count(*) from ph where won and outcome = 'big_gin') as big_gin,
      (select count(*) from ph where won and outcome = 'undercut') as undercut,
      (select max(points) from ph where won) as biggest,
      (select round(avg(points), 1) from ph where won) as average_win,
      (select coalesce(max(len), 0) from streaks) as longest_streak,
      (select count(*) from ph where rn > coalesce((select max(rn) from ph where not won), 0)) as current_streak,
      (select count(*) from games g where g.status = 'finished' and g.voided_at is null
         and :player in (g.player_a_id, g.player_b_id) and ${g.sql}) as games_played,
      (select count(*) from games g where g.status = 'finished' and g.voided_at is null
         and g.winner_id = :player and ${g.sql}) as games_won
    `,
    { player: playerId, ...p.bindings, ...g.bindings },
  );
  const form = await rawRows<PlayerStats['form'][number]>(
    db,
    `with ${PLAYER_HANDS(p.sql)}
     select case when won then 'W' when drawn then 'D' else 'L' end as result, ph.points, ph.outcome,
       o.name as opponent, ph.played_at as "playedAt"
     from ph join players o on o.id = ph.opponent_id
     order by rn desc limit 10`,
    { player: playerId, ...p.bindings },
  );
  const rate = (n: number) => (r.won > 0 ? Math.round((100 * n) / r.won) : null);
  return {
    id: player.id,
    name: player.name,
    mergedIntoId: player.merged_into_id,
    played: r.played,
    won: r.won,
    drawn: r.drawn,
    winPercent: r.played > 0 ? Math.round((100 * r.won) / r.played) : null,
    byOutcome: {
      knock: { count: r.knock, rate: rate(r.knock) },
      gin: { count: r.gin, rate: rate(r.gin) },
      big_gin: { count: r.big_gin, rate: rate(r.big_gin) },
      undercut: { count: r.undercut, rate: rate(r.undercut) },
    },
    biggestHand: r.biggest,
    averageWin: r.average_win,
    currentStreak: r.current_streak,
    longestStreak: r.longest_streak,
    gamesPlayed: r.games_played,
    gamesWon: r.games_won,
    form,
  };
}

export interface DayPoint {
  day: string;
  value: number;
}

/** A player's points won, added up day by day (the days they played). */
export async function playerPointsByDay({ db, playerId, timeZone, period = ALL_TIME }: PlayerRead): Promise<DayPoint[]> {
  const c = periodCondition(period, 'h.played_at', timeZone);
  return rawRows<DayPoint>(
    db,
    `select day, sum(points) over (order by day) as value from (
       select to_char(h.played_at at time zone ?, 'YYYY-MM-DD') as day,
         coalesce(sum(h.points) filter (where h.winner_id = ?), 0) as points
       from live_hands h
       where (h.player_a_id = ? or h.player_b_id = ?) and ${c.sql}
       group by 1
     ) d order by day`,
    [timeZone, playerId, playerId, playerId, ...c.bindings],
  );
}

export interface HeadToHead {
  a: { id: number; name: string };
  b: { id: number; name: string };
  played: number;
  wins: { a: number; b: number };
  draws: number;
  points: { a: number; b: number };
  longestStreak: { a: number; b: number };
  months: { month: string; winsA: number; winsB: number; draws: number; pointsA: number; pointsB: number }[];
  biggest: { points: number; winner: string; outcome: Outcome; playedAt: Date }[];
}

const PAIR_HANDS = (periodSql: string) => `
  pair as (
    select h.id, h.played_at, h.outcome, h.points, h.winner_id,
      row_number() over (order by h.played_at, h.id) as rn
    from live_hands h
    where ((h.player_a_id = :a and h.player_b_id = :b) or (h.player_a_id = :b and h.player_b_id = :a)) and ${periodSql}
  )`;

export async function headToHeadGet({ db, a, b, timeZone, period = ALL_TIME }: PairRead): Promise<HeadToHead | undefined> {
  const players = await db('players').whereIn('id', [a, b]).select('id', 'name');
  const pa = players.find((p) => p.id === a);
  const pb = players.find((p) => p.id === b);
  if (!pa || !pb || a === b) return undefined;
  const p = periodConditionNamed(period, 'h.played_at', timeZone, 'hp');
  const bindings = { a, b, tz: timeZone, ...p.bindings };
  const [t, months, biggest] = await Promise.all([
    rawRow<{ played: number; wins_a: number; wins_b: number; draws: number; points_a: number; points_b: number; streak_a: number; streak_b: number }>(
      db,
      `with ${PAIR_HANDS(p.sql)},
       islands as (select winner_id, rn - row_number() over (partition by winner_id order by rn) as grp from pair),
       streaks as (select winner_id, count(*) as len from islands where winner_id is not null group by winner_id, grp)
       select count(*) as played,
         count(*) filter (where winner_id = :a) as wins_a,
         count(*) filter (where winner_id = :b) as wins_b,
         count(*) filter (where winner_id is null) as draws,
         coalesce(sum(points) filter (where winner_id = :a), 0) as points_a,
         coalesce(sum(points) filter (where winner_id = :b), 0) as points_b,
         (select coalesce(max(len), 0) from streaks where winner_id = :a) as streak_a,
         (select coalesce(max(len), 0) from streaks where winner_id = :b) as streak_b
       from pair`,
      bindings,
    ),
    rawRows<HeadToHead['months'][number]>(
      db,
      `with ${PAIR_HANDS(p.sql)}
       select to_char(played_at at time zone :tz, 'YYYY-MM') as month,
         count(*) filter (where winner_id = :a) as "winsA",
         count(*) filter (where winner_id = :b) as "winsB",
         count(*) filter (where winner_id is null) as draws,
         coalesce(sum(points) filter (where winner_id = :a), 0) as "pointsA",
         coalesce(sum(points) filter (where winner_id = :b), 0) as "pointsB"
       from pair group by 1 order by 1 desc`,
      bindings,
    ),
    rawRows<HeadToHead['biggest'][number]>(
      db,
      `with ${PAIR_HANDS(p.sql)}
       select pair.points, w.name as winner, pair.outcome, pair.played_at as "playedAt"
       from pair join players w on w.id = pair.winner_id
       order by pair.points desc, pair.played_at limit 5`,
      bindings,
    ),
  ]);
  return {
    a: pa,
    b: pb,
    played: t.played,
    wins: { a: t.wins_a, b: t.wins_b },
    draws: t.draws,
    points: { a: t.points_a, b: t.points_b },
    longestStreak: { a: t.streak_a, b: t.streak_b },
    months,
    biggest,
  };
}

/** The running lead of a over b (points a minus points b), at the end of each day. */
export async function headToHeadLeadByDay({ db, a, b, timeZone, period = ALL_TIME }: PairRead): Promise<DayPoint[]> {
  const p = periodConditionNamed(period, 'h.played_at', timeZone, 'hp');
  return rawRows<DayPoint>(
    db,
    `with ${PAIR_HANDS(p.sql)}
     select day, sum(diff) over (order by day) as value from (
       select to_char(played_at at time zone :tz, 'YYYY-MM-DD') as day,
         coalesce(sum(case when winner_id = :a then points when winner_id = :b then -points else 0 end), 0) as diff
       from pair group by 1
     ) d order by day`,
    { a, b, tz: timeZone, ...p.bindings },
  );
}

export interface LeagueRecord {
  title: string;
  holder: string | null;
  holderId: number | null;
  value: number | null;
  detail: string | null;
}

interface RecordRow {
  id: number;
  name: string;
  value: number;
  detail: string;
}

/** The league's records and who holds each (the earliest to set it, on a tie). */
export async function recordsGet({ db, timeZone }: { db: Db; timeZone: string }): Promise<LeagueRecord[]> {
  const [biggest, gins, streak, day] = await Promise.all([
    rawRows<RecordRow>(
      db,
      `select p.id, p.name, h.points as value, to_char(h.played_at at time zone ?, 'YYYY-MM-DD') as detail
       from live_hands h join players p on p.id = h.winner_id
       order by h.points desc, h.played_at, h.id limit 1`,
      [timeZone],
    ),
    rawRows<RecordRow>(
      db,
      `select p.id, p.name, count(*) as value, to_char(h.played_at at time zone ?, 'YYYY-MM') as detail
       from live_hands h join players p on p.id = h.winner_id
       where h.outcome in ('gin', 'big_gin')
       group by p.id, p.name, 4
       order by value desc, detail, p.id limit 1`,
      [timeZone],
    ),
    rawRows<RecordRow>(
      db,
      `with part as (
         select x.player_id, coalesce(h.winner_id = x.player_id, false) as won, h.played_at,
           row_number() over (partition by x.player_id order by h.played_at, h.id) as rn
         from live_hands h cross join lateral (values (h.player_a_id), (h.player_b_id)) as x(player_id)
       ),
       islands as (
         select player_id, won, played_at, rn - row_number() over (partition by player_id, won order by rn) as grp from part
       )
       select p.id, p.name, count(*) as value, to_char(max(i.played_at) at time zone ?, 'YYYY-MM-DD') as detail
       from islands i join players p on p.id = i.player_id
       where i.won
       group by p.id, p.name, i.grp
       order by value desc, max(i.played_at), p.id limit 1`,
      [timeZone],
    ),
    rawRows<RecordRow>(
      db,
      `select p.id, p.name, count(*) as value, to_char(h.played_at at time zone ?, 'YYYY-MM-DD') as detail
       from live_hands h cross join lateral (values (h.player_a_id), (h.player_b_id)) as x(player_id)
       join players p on p.id = x.player_id
       group by p.id, p.name, 4
       order by value desc, detail, p.id limit 1`,
      [timeZone],
    ),
  ]);
  const record = (title: string, rows: RecordRow[]): LeagueRecord => {
    const row = rows[0];
    return { title, holder: row?.name ?? null, holderId: row?.id ?? null, value: row?.value ?? null, detail: row?.detail ?? null };
  };
  return [
    record('Biggest hand', biggest),
    record('Most gins in a month', gins),
    record('Longest winning streak', streak),
    record('Most hands in a day', day),
  ];
}


/** A chart and the table of the same data (thinned to at most 60 points for both). */
function chartOf(title: string, description: string, days: DayPoint[], series: string, zeroLine = false) {
  const points = sample(days);
  return {
    svg: lineChartSvg({
      title,
      description,
      labels: points.map((p) => p.day),
      series: [{ name: series, values: points.map((p) => p.value), className: 'chart-line-1' }],
      zeroLine,
    }),
    rows: points,
    series,
    title,
  };
}

/**
 * A player's page for a period: the record, the current rating, the points and rating
 * charts, the others to compare with, and the months that have hands. Undefined: no such player.
 */
export async function playerPageGet({ db, playerId, timeZone, period = ALL_TIME, eloStart, memo = unmemoised }: PlayerRead & { eloStart: number; memo?: Memo }) {
  const [stats, points, months, ratings, others, history] = await memo(() =>
    Promise.all([
      playerStatsGet({ db, playerId, timeZone, period }),
      playerPointsByDay({ db, playerId, timeZone, period }),
      monthListActive({ db, timeZone }),
      ratingListCurrent({ db, start: eloStart }),
      playerList({ db }),
      ratingHistoryGet({ db, playerId, timeZone, period }),
    ]),
  );
  if (!stats) return undefined;
  const label = periodLabel(period).toLowerCase();
  return {
    stats,
    months,
    rating: Math.round(ratings.get(playerId) ?? eloStart),
    pointsChart: points.length
      ? chartOf(`${stats.name}: points over time`, `Points won by ${stats.name}, added up day by day, ${label}.`, points, 'Points')
      : null,
    ratingChart: history.length
      ? chartOf(`${stats.name}: Elo rating over time`, `${stats.name}'s rating at the end of each day played, ${label}.`, history.map((h) => ({ day: h.day, value: Math.round(h.rating) })), 'Rating')
      : null,
    opponents: others.filter((o) => o.id !== playerId),
  };
}

/** A rivalry's page for a period: the head-to-head, the running lead's chart, the months that have hands. */
export async function headToHeadPageGet({ db, a, b, timeZone, period = ALL_TIME, memo = unmemoised }: PairRead & { memo?: Memo }) {
  const [h2h, lead, months] = await memo(() =>
    Promise.all([headToHeadGet({ db, a, b, timeZone, period }), headToHeadLeadByDay({ db, a, b, timeZone, period }), monthListActive({ db, timeZone })]),
  );
  if (!h2h) return undefined;
  return {
    h2h,
    months,
    leadChart: lead.length
      ? chartOf(
          `Running lead of ${h2h.a.name} over ${h2h.b.name}`,
          `Points of ${h2h.a.name} minus points of ${h2h.b.name}, added up day by day; above zero ${h2h.a.name} leads.`,
          lead,
          `${h2h.a.name}'s lead`,
          true,
        )
      : null,
  };
}
