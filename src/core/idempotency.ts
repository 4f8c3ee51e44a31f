import crypto from 'node:crypto';

/**
 * The key a write is stored under: the form's one-time token together with what the form
 * said. The same form sent again (a double tap, a resend after an error or an outage)
 * finds the row it made the first time; a different hand sent with a spent token (Back,
 * then another hand) has another key and is recorded as the new hand it is. This is
 * Stripe's rule — a key protects one request, never a different one — without refusing
 * the player's second hand.
 */
export function requestKey(token: string, content: Record<string, string | number | boolean | null | undefined>): string {
  const canonical = JSON.stringify(
    Object.keys(content)
      .sort()
      .map((k) => [k, content[k] ?? null]),
  );
  return crypto.createHash('sha256').update(token).update('\0').update(canonical).digest('base64url');
}
