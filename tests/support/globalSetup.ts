import { buildAssets } from '../../src/cli/buildAssets.js';
import { buildIsCurrent } from '../../bin/build-stamp.mjs';

/**
 * Pages link to fingerprinted CSS: build it once before any test renders one, unless the
 * build in public/ is current (Heroku CI built it in heroku-postbuild).
 */
export default function setup(): void {
  if (buildIsCurrent()) console.log('Assets are current (same sources as the last build).');
  else buildAssets();
  if (process.env.TEST_DATABASE_URL) {
    console.log(`Tests run on Postgres (${new URL(process.env.TEST_DATABASE_URL).host}).`);
  } else {
    console.log('Tests run on embedded PGlite; set TEST_DATABASE_URL to run them on Postgres.');
  }
}
