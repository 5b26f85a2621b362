/**
 * Bad user input: a malformed spec, a shape mismatch, NaN data, a corrupt file, an unknown
 * backend. The CLI prints `message` as one line and exits with code 2 (no stack trace).
 */
export class BadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInputError';
  }
}

/** Throws a BadInputError when `cond` is false. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new BadInputError(typeof message === 'string' ? message : message());
}
