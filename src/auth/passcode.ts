import crypto from 'node:crypto';

/**
 * Compares a typed passcode with the league's in constant time. Both are hashed first, so
 * the comparison takes as long whatever the lengths, and nothing leaks through timing.
 */
export function passcodeMatches(expected: string, given: string): boolean {
  const a = crypto.createHash('sha256').update(expected, 'utf8').digest();
  const b = crypto.createHash('sha256').update(given, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * A keyed fingerprint of the league's passcode, stored with each session: a session opened
 * under another passcode (or another SECRET_KEY) no longer matches, so changing either
 * signs everyone out. Keyed, so that the table does not let anyone test guesses offline.
 */
export function passcodeFingerprint(secretKey: string, passcode: string | null): string {
  return crypto
    .createHmac('sha256', secretKey)
    .update(passcode === null ? '\u0000open league' : `passcode:${passcode}`, 'utf8')
    .digest('hex');
}

/** A new session token for the cookie, and the id it is stored under (its SHA-256). */
export function sessionTokenNew(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function sessionIdOf(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
