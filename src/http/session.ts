import type express from 'express';
import cookieSession from 'cookie-session';
import { csrfSync } from 'csrf-sync';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace CookieSessionInterfaces {
    interface CookieSessionObject {
      csrfToken?: string;
      flash?: Flash[];
      member?: { playerId: number; name: string };
    }
  }
}

export interface Flash {
  kind: 'success' | 'danger' | 'info';
  text: string;
  /** A button under the message that takes the change back (a POST, so no JavaScript). */
  undo?: { action: string; label: string };
}

/*
 * The session lives in a signed cookie, so any number of web processes agree on it and
 * nothing is kept in memory. It holds the CSRF token and the flash messages.
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

const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
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
