// The text of `rrd-backends --help`, and the exit codes it documents.

export const EXIT = Object.freeze({
  /** Ran and stopped cleanly; --once: everything buffered was sent. */
  OK: 0,
  /** --once: something buffered was not sent; or the agent failed while running. */
  FAILED: 1,
  /** Bad command line. */
  USAGE: 2,
  /** The configuration (file, destination, type) is not accepted. */
  CONFIG: 3,
  /** The HTTP address or the export file cannot be opened. */
  IO: 4,
});

export function helpText(version: string): string {
  return `rrd-backends ${version} - collects this machine's metrics and exports them like netdata's backends

Usage: rrd-backends [--config FILE] [--http HOST:PORT] [--demo-charts N] [--once]

Without --config it needs no server: it exports graphite lines to a local file
(--file, default under the temp dir), prints one status line per iteration, and
serves a dashboard and the Prometheus endpoint on http://127.0.0.1:19999/.

Options:
  -c, --config FILE     netdata.conf with [backend] and [backend:NAME] sections
                        (graphite, opentsdb, json, ...; destination = file:PATH too)
      --http HOST:PORT  where the dashboard and /api/v1/allmetrics listen
                        (default 127.0.0.1:19999; port 0 = any free port; off = none)
      --demo-charts N   add N synthetic charts of 50 dimensions (load trials)
      --once            collect for one export interval, run one export iteration,
                        print its counts and exit
      --file PATH       export file of the embedded default (not with --config)
      --log-level L     debug, info (default), warn or error; logs go to stderr
  -h, --help            this text
  -V, --version         the version

Signals: SIGINT/SIGTERM stop (last flush, final counts; a second one exits at
once with code 1); SIGHUP reloads --config.

Exit codes:
  0  stopped cleanly; with --once: everything buffered was sent
  1  with --once: something was not sent; or a failure while running
  2  bad command line
  3  configuration not accepted (the message names the file, line and key)
  4  the HTTP address or the export file cannot be opened
`;
}
