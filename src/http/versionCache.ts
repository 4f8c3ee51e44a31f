import { rawRows, type Db } from '../db.js';

/**
 * Page data memoised by the league's version (a counter the database's triggers move on
 * every change). Each request asks the database for the version — one indexed read — so
 * a cached answer is never older than the data, and two web processes cannot disagree.
 */
export class VersionCache {
  private version: string | null = null;
  private entries = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 500,
  ) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const rows = await rawRows<{ version: number }>(this.db, 'select version from league_version where id = 1');
    const version = String(rows[0]?.version);
    if (version !== this.version) {
      this.version = version;
      this.entries.clear();
    }
    // One map holds every page's data; the key names what was loaded, so its type is the loader's.
    let entry = this.entries.get(key) as Promise<T> | undefined;
    if (!entry) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      entry = load();
      this.entries.set(key, entry);
      // A failed read is not remembered.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }
}
