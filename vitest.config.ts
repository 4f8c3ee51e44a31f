import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/*
 * Long files first, so that the two workers finish together instead of one running the
 * phone layouts alone at the end. Vitest orders by the last run's durations when it has
 * them (node_modules/.vite), and otherwise by file size, which puts the 4-line phone-layout
 * files last: these patterns hold whatever the cache says. Within a rank, Vitest's order.
 */
const FIRST = [
  /^tests\/e2e\/phone-layout-/,
  /^tests\/e2e\/|^tests\/processes\/|^tests\/security\/|^tests\/http\/(security|transfer|transfer-property)\.test\.ts$|^tests\/unit\/production-start\.test\.ts$/,
];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const file = spec.moduleId.slice(spec.project.config.root.length + 1);
      const index = FIRST.findIndex((pattern) => pattern.test(file));
      return index === -1 ? FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/globalSetup.ts'],
    pool: 'forks',
    // Test files share their worker's module cache (Knex, Express, Nunjucks, PGlite's
    // WebAssembly): importing them afresh for each of ~60 files cost more than the tests.
    // Nothing is shared between files through modules: each file makes its own database
    // and app (tests/support/db.ts, app.ts), and no test mocks a module or stubs a global.
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Each file gets its own database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    sequence: { sequencer: LongFilesFirst },
  },
});
