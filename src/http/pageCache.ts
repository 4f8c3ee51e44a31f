import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type express from 'express';

/*
 * Whole pages, rendered once per league version and variant, kept with their compressed
 * bodies and ETag (issue 17). A request then costs the session check and, on a page with
 * forms, its CSRF token, put into the kept page as it goes out:
 *
 * - The page is rendered with a placeholder where each token goes and split there.
 * - gzip: each part is raw-deflated on its own, with everything before it (a token slot as
 *   as many NUL bytes as a token has characters) as its preset dictionary, and ended with a
 *   sync flush. Per request the parts are joined with the token as a stored block in
 *   between; the dictionary makes back-references reach across the parts just as in one
 *   stream, so the page compresses about as well as a whole, and positions line up because
 *   every token has the same length. The CRC-32 is computed per request (microseconds).
 * - brotli has no such splicing in Node, so a page with a token goes out gzipped; a page
 *   without one (a signed-out visitor of a league with a passcode) goes out as kept
 *   brotli (or gzip).
 *
 * What a page may depend on is in its key: the URL (path and query), who is signed in
 * (their name is in the footer), whether they may write, whether the league is open, and
 * the league's version. A response carrying a flash is never kept nor served from here.
 * Time-dependent parts (stale games, the current month) are handled by an expiry the
 * route sets (`res.locals.pageExpiresAt`), and no page lives beyond a quarter of an hour.
 */

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const deflateRaw = promisify(zlib.deflateRaw);

/** csrf-sync's tokens: 128 random bytes in hex. A token of another length is handled, only slower. */
export const TOKEN_LENGTH = 256;
const SLOT = `\u0000csrf-slot-${crypto.randomBytes(12).toString('hex')}\u0000`;
const WINDOW = 32 * 1024;
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** Every time zone's midnight falls on a quarter hour of UTC: "this month" cannot change within one. */
const QUARTER_HOUR_MS = 15 * 60 * 1000;

interface Page {
  version: number;
  expiresAt: number;
  /** The HTML, split where a token goes. */
  parts: Buffer[];
  bytes: number;
  etag: string;
  /** One part: the whole page compressed. */
  br?: Buffer;
  gzip?: Buffer;
  /** Several: each part raw-deflated (see above), the last one finished. */
  deflated?: Buffer[];
  /** For each slot after the first, the block that copies the token from the slot before (or null: stored). */
  copies?: (Buffer | null)[];
}

export interface PageCacheOptions {
  /** The version this request sees (memoised per request by the app). */
  versionOf: (res: express.Response) => Promise<number | null>;
  maxPages?: number;
  brotliQuality?: number;
}

export class PageCache {
  private pages = new Map<string, Page>();
  private building = new Map<string, Promise<Page | null>>();
  private version: number | null = null;
  /** Pages served from the cache, and pages rendered to be kept: for tests and diagnosis. */
  readonly stats = { hits: 0, renders: 0 };
  private readonly maxPages: number;
  private readonly brotliQuality: number;

  constructor(private readonly options: PageCacheOptions) {
    this.maxPages = options.maxPages ?? 100;
    // Quality 5, as the compression middleware: on the leaderboard (26 KB of HTML) 2,850
    // bytes in 0.4 ms, where quality 9 took 7 ms for 2,810 bytes (1 % smaller), after
    // every change of the league, before the first phone to ask got its page.
    this.brotliQuality = options.brotliQuality ?? 5;
  }

  /** Route middleware: serves the page from the cache, or lets the route render it and keeps it. */
  readonly serve: express.RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || res.locals.flashes.length > 0) return next();
    this.options.versionOf(res).then((version) => {
      if (version === null) return next();
      if (version !== this.version) {
        this.version = version;
        this.pages.clear();
      }
      const key = variantOf(req, res);
      const page = this.pages.get(key);
      if (page && page.version === version && page.expiresAt > Date.now()) {
        this.stats.hits++;
        // Least recently used goes first when the cache is full: a flood of one-off
        // addresses (any query string is a page of its own) pushes out each other, not
        // the pages people keep asking for.
        this.pages.delete(key);
        this.pages.set(key, page);
        return send(req, res, page);
      }
      const pending = this.building.get(`${version}\n${key}`);
      if (pending) {
        return void pending.then((built) => (built && !res.headersSent ? send(req, res, built) : next()), next);
      }
      this.capture(req, res, next, key, version);
    }, next);
  };

  private capture(req: express.Request, res: express.Response, next: express.NextFunction, key: string, version: number): void {
    const buildKey = `${version}\n${key}`;
    let settle: (page: Page | null) => void = () => {};
    this.building.set(buildKey, new Promise((resolve) => (settle = resolve)));
    let settled = false;
    const done = (page: Page | null) => {
      if (settled) return;
      settled = true;
      this.building.delete(buildKey);
      settle(page);
    };
    // A route that ends without rendering a 200 (a redirect, an error) leaves nothing to keep.
    res.once('close', () => done(null));
    const render = res.render.bind(res);
    // (Express types render as overloads; this one function stands in for all of them:
    // the cast below. Each call goes on in its own overload's shape.)
    res.render = ((view: string, options?: object | ((err: Error | null, html: string) => void), callback?: (err: Error | null, html: string) => void) => {
      res.render = render;
      if (typeof options === 'function') {
        done(null);
        return render(view, options);
      }
      if (callback || res.statusCode !== 200) {
        done(null);
        return render(view, options, callback);
      }
      this.stats.renders++;
      const token = res.locals.csrfToken;
      res.locals.csrfToken = () => SLOT;
      render(view, options ?? {}, (err: Error | null, html: string) => {
        res.locals.csrfToken = token;
        if (err) {
          done(null);
          return req.next?.(err);
        }
        const expiresAt = Math.min(res.locals.pageExpiresAt ?? Infinity, (Math.floor(Date.now() / QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS);
        this.build(html, version, expiresAt).then(
          (page) => {
            if (this.version === version) {
              const oldest = this.pages.keys().next();
              if (this.pages.size >= this.maxPages && !oldest.done) this.pages.delete(oldest.value);
              this.pages.set(key, page);
            }
            done(page);
            send(req, res, page);
          },
          (e: unknown) => {
            done(null);
            req.next?.(e);
          },
        );
      });
    }) as express.Response['render'];
    next();
  }

  private async build(html: string, version: number, expiresAt: number): Promise<Page> {
    const parts = html.split(SLOT).map((p) => Buffer.from(p, 'utf8'));
    const bytes = parts.reduce((n, p) => n + p.length, 0);
    const etag = crypto.createHash('sha1').update(html).digest('base64url').slice(0, 22);
    const page: Page = { version, expiresAt, parts, bytes, etag };
    const [whole] = parts;
    if (parts.length === 1 && whole) {
      [page.br, page.gzip] = await Promise.all([
        brotli(whole, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: this.brotliQuality,
            [zlib.constants.BROTLI_PARAM_LGWIN]: 18,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: whole.length,
          },
        }),
        gzip(whole, { level: 9 }),
      ]);
    } else {
      const slot = Buffer.alloc(TOKEN_LENGTH);
      const before: Buffer[] = [];
      page.deflated = await Promise.all(
        parts.map((part, i) => {
          const dictionary = Buffer.concat(before).subarray(-WINDOW);
          before.push(part, slot);
          const last = i === parts.length - 1;
          return deflateRaw(part, { level: 9, finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH, ...(dictionary.length ? { dictionary } : {}) });
        }),
      );
      // Slot i (after part i) is TOKEN_LENGTH + part i's bytes after slot i - 1.
      page.copies = parts.slice(0, -1).map((part, i) => (i === 0 ? null : tokenCopyBlock(TOKEN_LENGTH + part.length)));
    }
    return page;
  }

  /** For tests: drops every kept page. */
  clear(): void {
    this.pages.clear();
  }
}

function variantOf(req: express.Request, res: express.Response): string {
  const member = res.locals.member;
  return `${req.originalUrl}\n${member ? `${member.playerId}:${member.name}` : ''}\n${res.locals.canWrite ? 1 : 0}${res.locals.openLeague ? 1 : 0}`;
}

type Encoding = 'br' | 'gzip' | 'identity';
const accepted = new Map<string, { br: boolean; gzip: boolean }>();

/** Which of br and gzip the request's Accept-Encoding allows (q=0 refuses), remembered per header value. */
function acceptsOf(header: string): { br: boolean; gzip: boolean } {
  let known = accepted.get(header);
  if (!known) {
    const allowed = new Set<string>();
    for (const item of header.toLowerCase().split(',')) {
      const [name = '', ...params] = item.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      if (q && Number(q.slice(2)) === 0) continue;
      allowed.add(name.trim());
    }
    known = { br: allowed.has('br') || allowed.has('*'), gzip: allowed.has('gzip') || allowed.has('*') };
    if (accepted.size > 100) accepted.clear();
    accepted.set(header, known);
  }
  return known;
}

/** Deflate's bits: packed from the least significant bit; Huffman codes go most significant bit first. */
class BitWriter {
  private bytes: number[] = [];
  private bit = 0;
  private current = 0;
  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.push((value >> i) & 1);
  }
  code(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.push((value >> i) & 1);
  }
  private push(b: number): void {
    this.current |= b << this.bit;
    if (++this.bit === 8) this.flush();
  }
  flush(): void {
    if (this.bit > 0) this.bytes.push(this.current);
    this.bit = 0;
    this.current = 0;
  }
  buffer(): Buffer {
    this.flush();
    return Buffer.from(this.bytes);
  }
}

/**
 * A deflate block that copies the token from the slot `distance` bytes back (every slot of
 * a page holds the same token), then an empty stored block to end on a byte as a sync flush
 * does: a page's second and later tokens cost 8 bytes and no work per request. Null when the
 * earlier slot is beyond deflate's 32 KB window.
 */
export function tokenCopyBlock(distance: number, length = TOKEN_LENGTH): Buffer | null {
  if (distance > 32768 || distance < length || length < 227 || length > 257) return null;
  const w = new BitWriter();
  w.bits(0, 1); // not the last block
  w.bits(1, 2); // fixed Huffman codes
  w.code(0b11000000 + (284 - 280), 8); // length code 284: 227-257, 5 extra bits
  w.bits(length - 227, 5);
  // Distance codes: 0-3 are 1-4; then each pair of codes doubles the range, with one more extra bit.
  let code: number;
  let base: number;
  let extra = 0;
  if (distance <= 4) {
    code = distance - 1;
    base = distance;
  } else {
    extra = Math.floor(Math.log2(distance - 1)) - 1;
    const half = 1 << extra;
    const start = (1 << (extra + 1)) + 1;
    code = 2 * extra + 2 + (distance - start >= half ? 1 : 0);
    base = start + (distance - start >= half ? half : 0);
  }
  w.code(code, 5);
  w.bits(distance - base, extra);
  w.code(0, 7); // end of block (256)
  w.bits(0, 1); // an empty stored block: not the last…
  w.bits(0, 2);
  w.flush(); // …aligned on a byte…
  return Buffer.concat([w.buffer(), Buffer.from([0, 0, 0xff, 0xff])]); // …of length 0
}

function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0; // not the last block; stored
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/** The page's gzip body with `token` in each slot. */
export function splicedGzip(parts: Buffer[], deflated: Buffer[], token: Buffer, copies: (Buffer | null)[] = []): Buffer {
  const chunks: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  let stored: Buffer | undefined;
  parts.forEach((part, i) => {
    const compressed = deflated[i];
    if (!compressed) throw new Error(`splicedGzip: no deflated part ${i} of ${parts.length}`);
    chunks.push(compressed);
    crc = zlib.crc32(part, crc);
    size += part.length;
    if (i < parts.length - 1) {
      chunks.push(copies[i] ?? (stored ??= storedBlock(token)));
      crc = zlib.crc32(token, crc);
      size += token.length;
    }
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

function send(req: express.Request, res: express.Response, page: Page): void {
  const { br, gzip: acceptsGzip } = acceptsOf(req.headers['accept-encoding'] ?? '');
  let body: Buffer;
  let encoding: Encoding = 'identity';
  let etag = page.etag;
  const [whole] = page.parts;
  if (page.parts.length === 1 && whole) {
    if (br && page.br) [body, encoding] = [page.br, 'br'];
    else if (acceptsGzip && page.gzip) [body, encoding] = [page.gzip, 'gzip'];
    else body = whole;
  } else {
    // This session's token (made now, and kept in its cookie, if it had none).
    const token = Buffer.from(res.locals.csrfToken(), 'utf8');
    etag += `.${crypto.createHash('sha1').update(token).digest('base64url').slice(0, 12)}`;
    const parts = page.parts;
    if (acceptsGzip && page.deflated && token.length === TOKEN_LENGTH) {
      [body, encoding] = [splicedGzip(parts, page.deflated, token, page.copies), 'gzip'];
    } else {
      const plain = Buffer.concat(parts.flatMap((p, i) => (i < parts.length - 1 ? [p, token] : [p])));
      // A token of an unexpected length: compressed whole, as the uncached path would.
      if (acceptsGzip) [body, encoding] = [zlib.gzipSync(plain), 'gzip'];
      else body = plain;
    }
  }
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('ETag', `W/"${etag}"`);
  res.vary('Accept-Encoding');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}
