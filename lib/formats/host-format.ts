// The constant bytes of every line for one (formatter options, host) pair (SPEC §4.1-4.4, Appendix A),
// computed once: prefix, hostname, host tags and HTTP framing never change between charts.
import { FMT_BATCH, FMT_HTTP_HEADER, FMT_MODE_AVERAGE, FMT_MODE_COLLECTED, FMT_MODE_SUM, FMT_RECORDS, FMT_TS_FIRST } from '../kernels/types';
import { effectiveTags, jsonHostTagsFragment, parseOpenTsdbTags } from './host-tags';
import { escapeJsonString } from './json-escape';
import { checkHttpHost, ResolvedFormatOptions } from './options';

export interface HostSegments {
  /** Bytes before the chart part of the lead (graphite/opentsdb/http) or before the chart fields (json). */
  leadPrefix: Buffer;
  afterDim: Buffer;
  mid: Buffer;
  tail: Buffer;
  /** HTTP request head up to "Content-Length: " and the blank line after the length (single mode). */
  reqHead: Buffer;
  reqSep: Buffer;
  flags: number;
  /** Host-tag words that could not become OpenTSDB tag keys in batched mode (see parseOpenTsdbTags). */
  droppedTags: string[];
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const j = escapeJsonString;
/**
 * Graphite and OpenTSDB telnet are line protocols: a CR or LF in the prefix, a hostname or the tags (a
 * streaming child chooses its own name and tags) would end the line early and let the rest be read as
 * another metric. They become spaces, as in JSON host tags (host-tags.ts); all other bytes stay verbatim.
 * The reference's output for such input is broken, so no byte-exact case changes (SPEC §7 preamble).
 */
const oneLine = (s: string): string => s.replace(/[\r\n]/g, ' ');

function modeFlag(o: ResolvedFormatOptions): number {
  return o.source === 'as-collected' ? FMT_MODE_COLLECTED : o.source === 'sum' ? FMT_MODE_SUM : FMT_MODE_AVERAGE;
}

/** The request line and headers of one OpenTSDB HTTP request, up to the length (SPEC §4.3). */
export function httpRequestHead(host: string): Buffer {
  return utf8(`POST /api/put HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: `);
}
export const HTTP_HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

export function buildHostSegments(o: ResolvedFormatOptions, hostname: string, hostTags: string | null): HostSegments {
  const tags = effectiveTags(hostTags);
  const mode = modeFlag(o);
  const none = Buffer.alloc(0);
  const seg: HostSegments = { leadPrefix: none, afterDim: none, mid: none, tail: none, reqHead: none, reqSep: none, flags: mode, droppedTags: [] };
  switch (o.format) {
    case 'graphite':
      // "%s.%s.%s.%s%s%s %lld %llu\n" (SPEC §4.1); prefix, hostname and tags are never sanitised (but oneLine).
      seg.leadPrefix = utf8(`${oneLine(o.prefix)}.${oneLine(hostname)}.`);
      seg.afterDim = utf8(tags === null ? ' ' : `;${oneLine(tags)} `);
      seg.mid = utf8(' ');
      seg.tail = utf8('\n');
      break;
    case 'opentsdb':
      // "put %s.%s.%s %llu %lld host=%s%s%s\n" (SPEC §4.2)
      seg.leadPrefix = utf8(`put ${oneLine(o.prefix)}.`);
      seg.afterDim = utf8(' ');
      seg.mid = utf8(' ');
      seg.tail = utf8(` host=${oneLine(hostname)}${tags === null ? '' : ' ' + oneLine(tags)}\n`);
      seg.flags |= FMT_TS_FIRST;
      break;
    case 'json': {
      // SPEC §4.4 with every string JSON-escaped (SPEC §7 row 15 fix); the quirky spaces are kept.
      seg.leadPrefix = utf8(`{"prefix":"${j(o.prefix)}","hostname":"${j(hostname)}",${jsonHostTagsFragment(tags)}`);
      seg.afterDim = utf8(',"value":');
      seg.mid = utf8(',"timestamp": ');
      seg.tail = utf8('}\n');
      break;
    }
    case 'opentsdb-http': {
      seg.flags |= FMT_TS_FIRST;
      const h = o.http;
      if (h.mode === 'single') {
        // SPEC §4.3 body, byte-identical to the reference when nothing needs escaping; tags stay glued
        // into the host value in this compatibility mode.
        seg.leadPrefix = utf8(`{  "metric": "${j(o.prefix)}.`);
        seg.afterDim = utf8('",  "timestamp": ');
        seg.mid = utf8(',  "value": ');
        seg.tail = utf8(`,  "tags": {    "host": "${j(hostname)}${tags === null ? '' : ' ' + j(tags)}"  }}`);
        seg.flags |= FMT_RECORDS;
        if (h.framing === 'request') {
          const host = h.host ?? hostname;
          checkHttpHost(host, h.host === null ? 'hostname (used as the HTTP Host header)' : 'http.host');
          seg.reqHead = httpRequestHead(host);
          seg.reqSep = HTTP_HEAD_END;
          seg.flags |= FMT_HTTP_HEADER;
        }
      } else {
        // Batched mode (SPEC §7 row 9 fix): compact points in a JSON array, host tags as tag keys.
        const parsed = parseOpenTsdbTags(tags);
        seg.droppedTags = parsed.dropped;
        const extra = parsed.pairs.map(([k, v]) => `,"${j(k)}":"${j(v)}"`).join('');
        seg.leadPrefix = utf8(`{"metric":"${j(o.prefix)}.`);
        seg.afterDim = utf8('","timestamp":');
        seg.mid = utf8(',"value":');
        seg.tail = utf8(`,"tags":{"host":"${j(hostname)}"${extra}}}`);
        seg.flags |= FMT_BATCH;
        if (h.framing === 'request') {
          const host = h.host ?? hostname;
          checkHttpHost(host, h.host === null ? 'hostname (used as the HTTP Host header)' : 'http.host');
          seg.reqHead = httpRequestHead(host);
          seg.reqSep = HTTP_HEAD_END;
        }
      }
      break;
    }
  }
  return seg;
}
