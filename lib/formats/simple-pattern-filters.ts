// The call-site rules around simple patterns (SPEC §5.6, §5.7, §6.2, §7 row 16): the same pattern
// semantics, but hosts and charts treat "no pattern" in opposite ways, and charts are tried by id
// and then by name. Caching the decisions is the exporter's job (SPEC §5.6/§5.7 step 2).
import { SimplePattern } from './simple-pattern';

function compile(p: SimplePattern | string | null | undefined): SimplePattern {
  return p instanceof SimplePattern ? p : SimplePattern.parse(p ?? null);
}

/** `send hosts matching`: an empty (null) pattern sends every host (SPEC §5.6). */
export class HostFilter {
  readonly pattern: SimplePattern;

  constructor(pattern: SimplePattern | string | null | undefined) {
    this.pattern = compile(pattern);
  }

  /**
   * The local host is matched by the literal name `localhost` whatever its real hostname is;
   * children by their own hostname (SPEC §5.6).
   */
  allows(hostname: string, isLocalhost: boolean): boolean {
    if (this.pattern.isNull) return true;
    return this.pattern.matches(isLocalhost ? 'localhost' : hostname);
  }
}

/** `send charts matching`: an empty (null) pattern sends no chart at all (SPEC §7 row 16, kept). */
export class ChartFilter {
  readonly pattern: SimplePattern;

  constructor(pattern: SimplePattern | string | null | undefined) {
    this.pattern = compile(pattern);
  }

  /**
   * The whole list is evaluated against the chart id and, if that gives "no match", again against the
   * chart name (SPEC §6.2): so `!apps.cpu *` still sends id `apps.cpu` when its name is `apps.cpu_total`.
   */
  allows(chartId: string, chartName: string | null | undefined): boolean {
    if (this.pattern.matches(chartId)) return true;
    return chartName !== null && chartName !== undefined && this.pattern.matches(chartName);
  }
}
