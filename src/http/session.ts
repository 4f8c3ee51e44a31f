import type express from 'express';
import cookieSession from 'cookie-session';
import { csrfSync } from 'csrf-sync';
import { isRecord } from '../core/schemas.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace CookieSessionInterfaces {
    interface CookieSessionObject {
      csrfToken?: string;
      flash?: Flash[];
      /** The member's session token; its row in member_sessions says who, and whether it still holds. */
      sid?: string;
      /** Step one of signing in passed: under which passcode (its fingerprint), and when. */
      passcodeOk?: { fingerprint: string; at: number };
    }
  }
}

export interface Flash {
  kind: 'success' | 'danger' | 'info';
  text: string;
  /** A button in the message that posts to `action`, e.g. Undo after voiding. */
  undo?: { action: string; label: string } | undefined;
}

/*
 * The session lives in a signed cookie, so any number of web processes agree on it and
 * nothing is kept in memory. It holds the CSRF token, the flash messages and, for a
 * member, a session token whose row in the database can be ended (see members.ts).
 */
export function sessions({ secretKey, secure }: { secretKey: string; secure: boolean }) {
  return cookieSession({
    name: 'grl.session',
    keys: [secretKey],
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 365 * 24 * 60 * 60 * 1000,
  });
}

const formField = (body: unknown, name: string): unknown => (isRecord(body) ? body[name] : undefined);

const first = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const csrf = csrfSync({
  // From the form; for uploads, whose bodies are parsed only after this check, from the
  // form's action URL (?_csrf=) or a header.
  getTokenFromRequest: (req) =>
    first(formField(req.body, '_csrf')) ?? first(req.get('x-csrf-token')) ?? first(req.query._csrf),
  errorConfig: { statusCode: 403, message: 'This form has expired or did not come from this site. Please try again.', code: 'EBADCSRFTOKEN' },
});

/** Rejects unsafe requests without the session's token; pages get `csrfToken()` lazily. */
export const csrfProtection = csrf.csrfSynchronisedProtection;

/** A new token after signing in or out, so a token seen before cannot be replayed. */
export const csrfRenew = (req: express.Request) => csrf.generateToken(req, true);

export function flash(req: express.Request, kind: Flash['kind'], text: string, undo?: Flash['undo']): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, text, ...(undo ? { undo } : {}) }];
}

/** Makes the flash messages and the CSRF token available to every template, once. */
export function pageLocals(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const session = req.session;
  res.locals.flashes = session?.flash ?? [];
  if (session?.flash) session.flash = undefined;
  // Lazily: a page with no form does not need to set a session cookie.
  res.locals.csrfToken = () => csrf.generateToken(req);
  res.locals.path = req.path;
  next();
}
