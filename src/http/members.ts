import type express from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import { passcodeFingerprint } from '../auth/passcode.js';
import { memberSessionMemory } from '../auth/selectors.js';

import type { Member } from '../core/member.js';

export type { Member };

/** Paths a signed-out visitor of a private league may still reach. */
const ALWAYS_OPEN = new Set(['/sign-in', '/healthz', '/manifest.webmanifest']);

/**
 * Who is asking: the signed-in member, if any. A league with a passcode lets anyone read
 * (unless it is private) and only members write; a league without one is open to all.
 *
 * A member cookie holds a session token, checked against its row (one primary-key read,
 * only for requests that carry one; remembered for a moment while every change to
 * sessions and players is announced: `generation`, see memberSessionMemory): an ended
 * session, or one opened under another passcode, is signed out here, and the cookie
 * forgets it. A request that follows a write of its own (it carries a flash) reads the row.
 */
export function memberAccess({ config, db, generation, rememberMs }: { config: Config; db: Db; generation: () => number | null; rememberMs?: number }) {
  const open = config.access.passcode === null;
  const fingerprint = passcodeFingerprint(config.secretKey, config.access.passcode);
  const memberSessionGet = memberSessionMemory(generation, rememberMs);
  return async (req: express.Request, res: express.Response, next: express.NextFunction): Promise<void> => {
    const token = req.session?.sid;
    let member: Member | null = null;
    if (token) {
      member = await memberSessionGet({ db, token, passcodeFingerprint: fingerprint, fresh: res.locals.flashes.length > 0 });
      if (!member && req.session) req.session.sid = undefined;
    }
    res.locals.member = member;
    res.locals.openLeague = open;
    res.locals.canWrite = open || member !== null;
    if (config.access.private && !member && !ALWAYS_OPEN.has(req.path)) {
      if (req.method === 'GET' || req.method === 'HEAD') {
        res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      } else {
        res.status(401).render('errors/sign-in-required.njk');
      }
      return;
    }
    if (!res.locals.canWrite && req.method !== 'GET' && req.method !== 'HEAD' && req.path !== '/sign-in') {
      res.status(401).render('errors/sign-in-required.njk');
      return;
    }
    next();
  };
}

/** For pages that are forms: a signed-out visitor is sent to sign in first, then back. */
export function requireMember(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (res.locals.canWrite) return next();
  res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
}

/** The player to record as the author of a write (null in an open league without sign-in). */
export const actorOf = (res: express.Response): number | null => res.locals.member?.playerId ?? null;

/** A `next` that stays on this site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/';
}
