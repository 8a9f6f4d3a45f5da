// Errors of the agent's HTTP server: each maps to a status code and carries a stable `code`.

export type HttpErrorCode =
  | 'ERR_HTTP_QUERY'       // a query parameter is unknown, repeated or has a value that is not accepted (400)
  | 'ERR_HTTP_NOT_FOUND'   // no such path or chart (404)
  | 'ERR_HTTP_METHOD'      // only GET and HEAD are served (405)
  | 'ERR_HTTP_LISTEN';     // the server cannot listen on the address given

export class HttpError extends Error {
  constructor(readonly code: HttpErrorCode, message: string, readonly status = statusOf(code)) {
    super(message);
    this.name = 'HttpError';
  }
}

function statusOf(code: HttpErrorCode): number {
  switch (code) {
    case 'ERR_HTTP_QUERY': return 400;
    case 'ERR_HTTP_NOT_FOUND': return 404;
    case 'ERR_HTTP_METHOD': return 405;
    default: return 500;
  }
}
