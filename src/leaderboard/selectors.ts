import { rawRows, type Db } from '../db.js';
import { ALL_TIME, periodCondition, type Period } from '../core/period.js';
import { handListRecent } from '../hands/selectors.js';
import { gameListActive, gamesWithStaleness } from '../games/selectors.js';
import { ratingListCurrent } from '../ratings/selectors.js';
import { unmemoised, type Memo } from '../core/memo.js';

export interface Standing {
  playerId: number;
  name: string;
  played: number;
  won: number;
  /** Whole percent, or null when the player has not played. */
  winPercent: number | null;
  points: number;
  /** points + line bonus for every hand won: the ranking. */
  total: number;
  gamesPlayed: number;
  gamesWon: number;
  /** The margins of the games won. */
  gamePoints: number;
}


/**
 * The standings for a period in the league's time zone. All time lists every player;
 * a year or a month lists those who played in it. Ratings are the current ones.
 */
export async function leaderboardGet({
  db,
  timeZone,
  period = ALL_TIME,
}: {
  db: Db;
  timeZone: string;
  period?: Period;
}): Promise<Standing[]> {
  const hands = periodCondition(period, 'h.played_at', timeZone);
  const games = periodCondition(period, 'g.finished_at', timeZone);
  const bindings = [...hands.bindings, ...games.bindings];
  const all = period.kind === 'all';
  const rows = await rawRows<Omit<Standing, 'winPercent'>>(
    db,
    `
    with f as (
      select h.player_a_id, h.player_b_id, h.winner_id, h.points, h.line_bonus from live_hands h where ${hands.sql}
    ),
    -- Played counts both seats; wins need only the winner: two cheap groupings, not a join.
    played as (
      select player_id, count(*) as played
      from (select player_a_id as player_id from f union all select player_b_id from f) seats
      group by player_id
    ),
    wins as (
      select winner_id as player_id, count(*) as won, sum(points) as points, sum(points + line_bonus) as total
      from f where winner_id is not null group by winner_id
    ),
    per_player as (
      select pd.player_id, pd.played, coalesce(w.won, 0) as won, coalesce(w.points, 0) as points, coalesce(w.total, 0) as total
      from played pd left join wins w on w.player_id = pd.player_id
    ),
    per_player_games as (
      select x.player_id,
        count(*) as games_played,
        count(*) filter (where g.winner_id = x.player_id) as games_won,
        coalesce(sum(g.margin) filter (where g.winner_id = x.player_id), 0) as game_points
      from games g
      cross join lateral (values (g.player_a_id), (g.player_b_id)) as x(player_id)
      where g.status = 'finished' and g.voided_at is null and ${games.sql}
      group by x.player_id
    )
    select pl.id as "playerId", pl.name,
      coalesce(pp.played, 0) as played, coalesce(pp.won, 0) as won,
      coalesce(pp.points, 0) as points, coalesce(pp.total, 0) as total,
      coalesce(pg.games_played, 0) as "gamesPlayed", coalesce(pg.games_won, 0) as "gamesWon",
      coalesce(pg.game_points, 0) as "gamePoints"
    from players pl
    left join per_player pp on pp.player_id = pl.id
    left join per_player_games pg on pg.player_id = pl.id
    where pl.merged_into_id is null ${all ? '' : 'and (pp.player_id is not null or pg.player_id is not null)'}
    -- On a tie, whoever has not played yet comes after those who have.
    order by total desc, won desc, "gamePoints" desc, (coalesce(pp.played, 0) + coalesce(pg.games_played, 0) = 0), played asc, lower(pl.name)
    `,
    bindings,
  );
  return rows.map((r) => ({
    ...r,
    winPercent: r.played > 0 ? Math.round((100 * r.won) / r.played) : null,
  }));
}

export interface MonthChampion {
  month: string; // YYYY-MM
  playerId: number;
  name: string;
  played: number;
  won: number;
  total: number;
  /** Total score ahead of second place; the whole total when nobody else played. */
  lead: number;
}

/** For every finished month (before the current one in the league's zone), its champion. */
export async function hallOfFameList({
  db,
  timeZone,
  now = new Date(),
}: {
  db: Db;
  timeZone: string;
  now?: Date;
}): Promise<MonthChampion[]> {
  return rawRows<MonthChampion>(
    db,
    `
    with f as (
      select date_trunc('month', h.played_at at time zone ?) as month, h.player_a_id, h.player_b_id, h.winner_id, h.points + h.line_bonus as score
      from live_hands h
      where h.played_at < (date_trunc('month', cast(? as timestamptz) at time zone ?) at time zone ?)
    ),
    played as (
      select month, player_id, count(*) as played
      from (select month, player_a_id as player_id from f union all select month, player_b_id from f) seats
      group by month, player_id
    ),
    wins as (
      select month, winner_id as player_id, count(*) as won, sum(score) as total
      from f where winner_id is not null group by month, winner_id
    ),
    per_month as (
      select to_char(pd.month, 'YYYY-MM') as month, pd.player_id, pd.played, coalesce(w.won, 0) as won, coalesce(w.total, 0) as total
      from played pd left join wins w on w.month = pd.month and w.player_id = pd.player_id
    ),
    ranked as (
      select per_month.*,
        row_number() over w as rank,
        lead(total) over w as runner_up_total
      from per_month
      window w as (partition by month order by total desc, won desc, played asc, player_id)
    )
    select r.month, r.player_id as "playerId", pl.name, r.played, r.won, r.total,
      r.total - coalesce(r.runner_up_total, 0) as lead
    from ranked r join players pl on pl.id = r.player_id
    where r.rank = 1
    order by r.month desc
    `,
    [timeZone, now.toISOString(), timeZone, timeZone],
  );
}

/** Months that have hands, newest first, for the month picker. */
export async function monthListActive({ db, timeZone }: { db: Db; timeZone: string }): Promise<string[]> {
  // A skip scan: one probe of the (played_at) index per month instead of reading every
  // hand. It reads hands, not live_hands, to keep the index: a month whose only hands are
  // in voided games still gets a tab (an empty one).
  const rows = await rawRows<{ month: string }>(
    db,
    `with recursive m(month) as (
       select date_trunc('month', min(played_at) at time zone :tz) from hands where voided_at is null
       union all
       select (select date_trunc('month', min(h.played_at) at time zone :tz) from hands h
               where h.voided_at is null and h.played_at >= ((m.month + interval '1 month') at time zone :tz))
       from m where m.month is not null
     )
     select to_char(month, 'YYYY-MM') as month from m where month is not null order by month desc`,
    { tz: timeZone },
  );
  return rows.map((r) => r.month);
}


/** The home page's unfinished games: the three latest, the rest one tap away. */
const HOME_GAMES = 3;

/**
 * The home page: the standings (by total, or by rating with those who have not played yet
 * last), the finished games' table, the latest unfinished games, the latest hands, the
 * hall of fame and the months that have hands. Staleness is the request's time, not the memo's.
 */
export async function leaderboardPageGet({
  db,
  timeZone,
  period,
  order,
  now,
  eloStart,
  staleDays,
  memo = unmemoised,
}: {
  db: Db;
  timeZone: string;
  period: Period;
  order: 'total' | 'rating';
  now: Date;
  eloStart: number;
  staleDays: number;
  memo?: Memo;
}) {
  const [standings, recent, hallOfFame, months, activeGames, ratings] = await memo(() =>
    Promise.all([
      leaderboardGet({ db, timeZone, period }),
      handListRecent({ db, limit: 10 }),
      hallOfFameList({ db, timeZone, now }),
      monthListActive({ db, timeZone }),
      gameListActive({ db }),
      ratingListCurrent({ db, start: eloStart }),
    ]),
  );
  const rated = standings.map((s) => ({ ...s, rating: Math.round(ratings.get(s.playerId) ?? eloStart) }));
  const unplayed = (s: Standing) => (s.played + s.gamesPlayed === 0 ? 1 : 0);
  if (order === 'rating') rated.sort((x, y) => unplayed(x) - unplayed(y) || y.rating - x.rating || x.name.localeCompare(y.name));
  const unfinished = gamesWithStaleness(activeGames, { now, staleDays });
  return {
    standings: rated,
    byRating: order === 'rating',
    gameStandings: standings.filter((s) => s.gamesPlayed > 0).sort((x, y) => y.gamesWon - x.gamesWon || y.gamePoints - x.gamePoints),
    activeGames: unfinished.slice(0, HOME_GAMES),
    activeCount: unfinished.length,
    staleCount: unfinished.filter((g) => g.stale).length,
    recent,
    hallOfFame,
    months,
    // The next moment an unfinished game turns a day older (its staleness shown may change):
    // a page kept in a cache is good until then.
    changesAt: Math.min(...unfinished.map((g) => g.lastPlayed.getTime() + (g.idleDays + 1) * DAY_MS)),
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
