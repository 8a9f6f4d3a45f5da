// Host tags in each wire format (SPEC §4.1-4.4) and the empty-tags fix.
import { escapeJsonString, isValidJson, wellFormed } from './json-escape';

/**
 * Empty-tags fix: the database stores an empty tags string as NULL (SPEC §1.1), but a formatter fed ""
 * printed a stray ';' (graphite) or a trailing space (OpenTSDB). Here "" is simply no tags.
 */
export function effectiveTags(tags: string | null | undefined): string | null {
  return tags === undefined || tags === null || tags === '' ? null : tags;
}

/**
 * The `"host_tags":…,` fragment of a JSON line (SPEC §4.4) with the row-15 fix:
 * - no tags → nothing;
 * - tags starting with '{', '[' or '"' that are one valid JSON text → inserted raw, as the reference did,
 *   except that CR/LF become spaces: in valid JSON they can only be whitespace between tokens, and a raw
 *   newline would split the JSON line;
 * - anything else → a JSON string (escaped).
 */
export function jsonHostTagsFragment(tags: string | null): string {
  if (tags === null) return '';
  const c = tags.charCodeAt(0);
  if ((c === 0x7b || c === 0x5b || c === 0x22) && isValidJson(tags)) {
    return `"host_tags":${wellFormed(tags).replace(/[\r\n]/g, ' ')},`;
  }
  return `"host_tags":"${escapeJsonString(tags)}",`;
}

/** True when the JSON fragment for `tags` differs from the reference's raw insertion. */
export function jsonHostTagsNeedFix(tags: string | null): boolean {
  if (tags === null) return false;
  return jsonHostTagsFragment(tags) !== referenceJsonHostTagsFragment(tags);
}

function referenceJsonHostTagsFragment(tags: string): string {
  const c = tags.charCodeAt(0);
  if (c === 0x7b || c === 0x5b || c === 0x22) return `"host_tags":${tags},`;
  return `"host_tags":"${tags}",`;
}

export interface OpenTsdbTags {
  /** Well-formed key/value pairs, in order. */
  pairs: Array<[string, string]>;
  /** Words that are not `key=value` with a non-empty key and value, or that reuse the key `host`. */
  dropped: string[];
}

/**
 * OpenTSDB-style host tags (`k1=v1 k2=v2`, SPEC §4.2) as separate tag keys for the batched HTTP mode
 * (SPEC §7 row 9 fix). Words are split at whitespace and each at its first '='. A word without '=' or
 * with an empty key or value cannot be a tag and is dropped (and reported, so the exporter can log it);
 * so is the key `host`, which the formatter always sets to the host name. A later duplicate key wins,
 * as it would in a JSON object.
 */
export function parseOpenTsdbTags(tags: string | null): OpenTsdbTags {
  const out: OpenTsdbTags = { pairs: [], dropped: [] };
  if (tags === null) return out;
  const seen = new Map<string, number>();
  for (const word of tags.split(/[ \t\r\n\f\v]+/)) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    const key = eq > 0 ? word.slice(0, eq) : '';
    const value = eq > 0 ? word.slice(eq + 1) : '';
    if (key === '' || value === '' || key === 'host') {
      out.dropped.push(word);
      continue;
    }
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.pairs.length);
      out.pairs.push([key, value]);
    } else {
      (out.pairs[at] as [string, string])[1] = value;
    }
  }
  return out;
}
