/**
 * How a page selector reads its data: once, or through the route's memo (the version cache,
 * src/http/versionCache.ts), which keeps an answer until the league changes.
 */
export type Memo = <T>(load: () => Promise<T>) => Promise<T>;

export const unmemoised: Memo = (load) => load();
