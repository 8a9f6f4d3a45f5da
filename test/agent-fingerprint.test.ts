// Issue 8 §5: secrets never in clear text where they could leak. The agent compares instance options on a
// reload by a fingerprint kept on every instance: it must change with a secret, but never contain it.
import * as assert from 'assert';
import { inspect } from 'util';
import { optionsFingerprint } from '../lib/agent/instances';
import { resolveBackendOptions } from '../lib/exporter/config-options';

describe('agent: option fingerprints (SIGHUP reload) keep secrets out', () => {
  const opts = (password: string) => resolveBackendOptions({
    type: 'prometheus_remote_write', destination: '127.0.0.1:9090', remoteWriteUsername: 'admin', remoteWritePassword: password,
  });

  it('changes when only the password changes, is stable otherwise, and never holds the password', () => {
    const secret = 'hunter2-very-secret-password';
    const a = optionsFingerprint(opts(secret));
    assert.strictEqual(optionsFingerprint(opts(secret)), a, 'same options, same fingerprint');
    assert.notStrictEqual(optionsFingerprint(opts(`${secret}!`)), a, 'a changed password is a change');
    assert.ok(!a.includes(secret) && !a.includes('hunter2'), 'the secret is not in the fingerprint');
    assert.ok(!inspect(a).includes('hunter2'));
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
