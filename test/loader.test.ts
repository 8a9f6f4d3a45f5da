import * as assert from 'assert';
import { kernel, implementation, nativeLoadError } from '../lib/kernels';

describe('kernel loader', () => {
  it('reports the active implementation and honours RRD_BACKENDS_NATIVE', () => {
    assert.ok(implementation === 'native' || implementation === 'fallback');
    assert.strictEqual(kernel.implementation, implementation);
    const want = process.env.RRD_BACKENDS_NATIVE;
    if (want === '0') {
      assert.strictEqual(implementation, 'fallback');
      assert.ok(nativeLoadError() instanceof Error);
    }
    if (want === '1') {
      assert.strictEqual(implementation, 'native');
      assert.strictEqual(nativeLoadError(), null);
    }
  });
});
