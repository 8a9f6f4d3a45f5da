// Typed errors of the formatters: every error carries a stable `code` (CONVENTIONS: Level style).

export type FormatErrorCode =
  | 'ERR_FORMAT_OPTION'        // a formatter option has a value that is not accepted
  | 'ERR_FORMAT_HTTP_HOST'     // the HTTP Host header value would break the request
  | 'ERR_FORMAT_CHART'         // a chart's arrays do not match each other
  | 'ERR_FORMAT_WINDOW'        // the [after, before] window or the skip threshold is not whole seconds
  | 'ERR_FORMAT_KERNEL';       // the kernel returned a status the caller cannot handle

export class FormatError extends Error {
  constructor(readonly code: FormatErrorCode, message: string) {
    super(message);
    this.name = 'FormatError';
  }
}
