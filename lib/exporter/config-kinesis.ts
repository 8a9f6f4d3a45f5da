// aws_kinesis.conf (SPEC §5.14): lines trimmed; empty and `#` lines ignored; lines without `=` logged and
// ignored; name and value trimmed; a value starting with `"` or `'` loses that char and one trailing `"`
// or `'` (either kind); keys `aws_access_key_id`, `aws_secret_access_key`, `stream name` (exact); unknown
// keys ignored; later duplicates win. Warnings never quote a line: it may hold a key (SPEC §7 row 25).
import { ConfigError, WarningSink } from './config-errors';
import { cTrim } from './config-values';
import { KinesisCredentials } from './config-options';
import { Secret } from './config-secret';

/** strip_quotes() of the reference: only the value's first char decides; the last char may be either quote. */
function stripQuotes(v: string): string {
  if (v[0] !== '"' && v[0] !== "'") return v;
  const s = v.slice(1);
  const last = s[s.length - 1];
  return last === '"' || last === "'" ? s.slice(0, -1) : s;
}

/** Key names are quoted in warnings only when they look like names, not like pasted credentials. */
function printableName(name: string): string {
  return /^[A-Za-z_ ]{1,40}$/.test(name) ? `'${name}'` : 'an unknown key';
}

/**
 * Parses the text of aws_kinesis.conf. Throws ERR_CONFIG_KINESIS when the stream name is missing or
 * empty (the reference exits then); empty key id or secret mean "use the AWS default credential chain".
 */
export function parseKinesisConf(text: string, file: string, onWarning?: WarningSink): KinesisCredentials {
  let accessKeyId = '';
  let secret = '';
  let streamName = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const s = cTrim(i === 0 && lines[0].charCodeAt(0) === 0xfeff ? lines[0].slice(1) : lines[i]);
    if (s === '' || s[0] === '#') continue;
    const eq = s.indexOf('=');
    if (eq < 0) {
      onWarning?.({ code: 'WARN_CONFIG_IGNORED_LINE', message: `${file}:${line}: ignoring the line, there is no = in it (as netdata)`, file, line });
      continue;
    }
    const name = cTrim(s.slice(0, eq));
    const value = stripQuotes(cTrim(s.slice(eq + 1)));
    if (name === '') {
      onWarning?.({ code: 'WARN_CONFIG_IGNORED_LINE', message: `${file}:${line}: ignoring the line, the name is empty (as netdata)`, file, line });
      continue;
    }
    if (name === 'aws_access_key_id') accessKeyId = value;
    else if (name === 'aws_secret_access_key') secret = value;
    else if (name === 'stream name') streamName = value;
    else {
      onWarning?.({
        code: 'WARN_CONFIG_UNKNOWN_KEY',
        message: `${file}:${line}: ${printableName(name)} is not a kinesis key and is ignored; accepted: aws_access_key_id, aws_secret_access_key, stream name`,
        file, line,
      });
    }
  }
  if (streamName === '') {
    throw new ConfigError('ERR_CONFIG_KINESIS',
      `${file}: stream name is a mandatory Kinesis parameter but it is not configured; accepted: a line "stream name = NAME"`, { file });
  }
  return {
    accessKeyId: accessKeyId === '' ? null : accessKeyId,
    secretAccessKey: secret === '' ? null : new Secret(secret),
    streamName,
  };
}
