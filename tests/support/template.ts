/** Where globalSetup leaves the dump of a migrated PGlite database, for each test file to start from. */
export const PGLITE_TEMPLATE_ENV = 'GRL_PGLITE_TEMPLATE';
