// A string that must never reach a log line, an error message or a JSON dump (SPEC §7 rows 8, 25: the
// reference printed the AWS secret key in its debug log). Only an explicit reveal() gives the value.
import { inspect } from 'util';
import { REDACTED } from './config-errors';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one place that needs it (an Authorization header, a signer). */
  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}
