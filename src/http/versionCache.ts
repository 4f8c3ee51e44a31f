import type express from 'express';

/**
 * Page data memoised by the league's version (a counter the database's triggers move on
 * every change). The version is the request's (`versionOf`): kept in memory while the
 * live feed listens, read from the database otherwise (src/live/version.ts), so a cached
 * answer is never older than what the request knows of the league.
 */
export class VersionCache {
  private version: number | null = null;
  private entries = new Map<string, Promise<unknown>>();

  constructor(
    private readonly versionOf: (res: express.Response) => Promise<number | null>,
    private readonly maxEntries = 500,
  ) {}

  async get<T>(res: express.Response, key: string, load: () => Promise<T>): Promise<T> {
    const version = await this.versionOf(res);
    if (version === null) return load();
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
