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
