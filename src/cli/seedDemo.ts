/*
 * Fills an empty league with a demo: two players and about three months of hands, made
 * through the same services as the app. Does nothing to a league that has players already,
 * so Heroku's Review App postdeploy can run it safely.
 */
import { loadDotEnv } from '../core/dotenv.js';
import { migrateLatest, type Db } from '../db.js';
import { configOrExit, openDatabase } from './openDatabase.js';
import { playerCreate } from '../players/services.js';
import { handRecord } from '../hands/services.js';
import type { Outcome, Rules } from '../scoring/rules.js';
import { itemAt } from './pick.js';

/** A small seeded generator, so every demo league is the same one. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedDemo({ db, rules, now = new Date() }: { db: Db; rules: Rules; now?: Date }): Promise<number> {
  // Never touch a league that has anything in it, even voided rows.
  for (const table of ['players', 'hands', 'games'] as const) {
    const existing = await db(table).count({ n: '*' });
    if (Number(existing[0]?.n) > 0) return 0;
  }
  const alice = await playerCreate({ db, name: 'Alice' });
  const bob = await playerCreate({ db, name: 'Bob' });
  const random = mulberry32(42);
  const outcomes: Outcome[] = ['knock', 'knock', 'knock', 'knock', 'gin', 'gin', 'undercut', 'big_gin', 'draw'];
  let hands = 0;
  for (let daysAgo = 90; daysAgo >= 0; daysAgo -= 3) {
    const evening = new Date(now.getTime() - daysAgo * 86_400_000);
    evening.setUTCHours(19, 0, 0, 0);
    const count = 3 + Math.floor(random() * 5);
    for (let i = 0; i < count; i++) {
      const outcome = itemAt(outcomes, Math.floor(random() * outcomes.length));
      await handRecord({
        db,
        rules,
        playerAId: alice.id,
        playerBId: bob.id,
        outcome,
        winner: random() < 0.52 ? 'a' : 'b',
        deadwood: outcome === 'knock' ? 1 + Math.floor(random() * 30) : Math.floor(random() * 40),
        idempotencyKey: `demo-${daysAgo}-${i}`,
        playedAt: new Date(evening.getTime() + i * 12 * 60_000),
      });
      hands++;
    }
  }
  return hands;
}

/*
 * `node dist/src/cli/seedDemo.js` seeds (npm run db:seed-demo). With `--if-asked` (app.json's
 * postdeploy, which Heroku runs once after creating a Review App or a Deploy-button app) it
 * seeds only when SEED_DEMO=true, which only environments.review sets.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  loadDotEnv();
  if (process.argv.includes('--if-asked') && process.env.SEED_DEMO !== 'true') {
    console.log('SEED_DEMO is not true: the demo league was not seeded.');
    process.exit(0);
  }
  const config = configOrExit();
  const db = await openDatabase(config.database);
  try {
    await migrateLatest(db);
    const hands = await seedDemo({ db, rules: config.league.rules });
    console.log(hands ? `Seeded the demo league: Alice, Bob and ${hands} hands.` : 'The league is not empty; nothing seeded.');
  } finally {
    await db.destroy();
  }
}
