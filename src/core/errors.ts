/**
 * A broken business rule, raised by a service. The route turns it into a 422 re-render,
 * with `fields` naming the form fields to mark (field name -> message).
 */
export class ApplicationError extends Error {
  override name = 'ApplicationError';
  readonly fields: Record<string, string>;

  constructor(message: string, options: { fields?: Record<string, string> } = {}) {
    super(message);
    this.fields = options.fields ?? {};
  }
}

/** Something the user asked for does not exist; answered with 404. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/**
 * The connection to the database broke while a transaction was committing: it may or may
 * not have been saved. Forms carry one-time tokens, so sending the same form again is safe.
 */
export class CommitUnknownError extends Error {
  override name = 'CommitUnknownError';

  constructor(options: { cause: unknown }) {
    super('The connection to the database was lost while saving.', options);
  }
}

/** A hand was sent to a game that has already been won. */
export class GameOverError extends ApplicationError {
  override name = 'GameOverError';

  constructor() {
    super('This game is over, so the hand was not saved. Undo or correct a hand to reopen it.');
  }
}

/** The connection to the database was lost inside a transaction, before its commit: nothing was saved. */
export class RolledBackError extends Error {
  override name = 'RolledBackError';

  constructor(options: { cause: unknown }) {
    super('The connection to the database was lost before saving; nothing was saved.', options);
  }
}

/** An error's `code` (Node's errno names, PostgreSQL's SQLSTATE), when it has one in text. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** A field of a thrown value of unknown make (a driver's error, a library's), to be checked where it is used. */
export const errorField = (err: unknown, key: string): unknown => (typeof err === 'object' && err !== null ? Reflect.get(err, key) : undefined);

/** An error's message, for a sentence. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
