import { buildAssets } from '../../src/cli/buildAssets.js';

/** Pages link to fingerprinted CSS: build it once before any test renders one. */
export default function setup(): void {
  buildAssets();
  if (process.env.TEST_DATABASE_URL) {
    console.log(`Tests run on Postgres (${new URL(process.env.TEST_DATABASE_URL).host}).`);
  } else {
    console.log('Tests run on embedded PGlite; set TEST_DATABASE_URL to run them on Postgres.');
  }
}
