/*
 * Creates a new embedded database folder (PGlite's initdb) and exits. createPgliteDb runs
 * this as a short-lived child process, so that initdb's memory (several hundred MB of
 * WebAssembly memory, which a process never gives back) leaves with it.
 */
import { createPgliteDb } from '../db.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: initEmbedded <data folder>');
  process.exit(2);
}
const db = await createPgliteDb(dataDir, { initInChild: false });
await db.raw('select 1');
await db.destroy();
