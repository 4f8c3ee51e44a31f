import { defineConfig } from 'vitest/config';

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
  },
});
