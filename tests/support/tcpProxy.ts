import net from 'node:net';
import { createDb, type Db } from '../../src/db.js';

/**
 * What a commit looks like on the wire: COMMIT, and the quick hand's one statement, which
 * runs outside any transaction and so commits before it answers (src/hands/services.ts).
 */
const COMMITS = ['COMMIT', 'hand_record('];

export type CommitCut = 'before-commit' | 'after-commit-sent' | 'after-commit-answered';
interface Trap {
  when: CommitCut;
  sprung: () => void;
}

/**
 * A TCP proxy in front of the test Postgres, so a test can take the database away from
 * the app (refused connections, broken ones in flight) and give it back, without touching
 * the server that other tests are using.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  private commitTrap: Trap | null = null;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        const trap = this.commitTrap && COMMITS.some((c) => chunk.includes(c)) ? this.commitTrap : null;
        if (trap) this.commitTrap = null;
        if (trap?.when === 'before-commit') return this.spring(trap);
        upstream.write(chunk);
        // Flushed to the server, then gone before any answer comes back.
        if (trap?.when === 'after-commit-sent') return void upstream.end(() => this.spring(trap));
        if (trap) answerTrap = trap;
      });
      let answerTrap: Trap | null = null;
      upstream.on('data', (chunk: Buffer) => {
        const trap = answerTrap;
        answerTrap = null;
        // The app hears "COMMIT done", then the database vanishes.
        if (trap) return void client.end(chunk, () => this.spring(trap));
        client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /**
   * Cuts the database away at the next commit any connection sends (a COMMIT, or a statement
   * that is a transaction of its own: see COMMITS): before it reaches the
   * server (not saved), after it reached the server but before the answer (saved, and the
   * app cannot know), or right after the app heard that it committed (saved). Resolves
   * once cut.
   */
  cutAtNextCommit(when: CommitCut): Promise<void> {
    return new Promise((resolve) => {
      this.commitTrap = { when, sprung: resolve };
    });
  }

  private spring(trap: Trap): void {
    void this.cut().then(() => trap.sprung());
  }

  /** The database becomes unreachable: open connections break, new ones are refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** The database is back, on the same address. */
  async restore(): Promise<void> {
    await this.start(this.port);
  }
}

/**
 * A proxy in front of the test database at `databaseUrl`, and a Knex handle that reaches
 * the database only through it: what the outage tests give the app.
 */
export async function proxiedDb(databaseUrl: string): Promise<{ proxy: TcpProxy; db: Db }> {
  const url = new URL(databaseUrl);
  const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
  await proxy.start();
  url.host = `127.0.0.1:${proxy.port}`;
  const db = createDb({ kind: 'postgres', url: url.toString(), ssl: false, poolMax: 5, statementTimeoutMs: 5000 }, { warn: () => {}, error: () => {} });
  return { proxy, db };
}
