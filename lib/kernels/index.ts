// The loader runs once: honour RRD_BACKENDS_NATIVE, try node-gyp-build, check the shape
// and ABI of what loaded, keep the load error, export which implementation is active.
import * as path from 'path';
import { Kernel, ImplementationName, KERNEL_ABI } from './types';
import { createFallbackKernel } from './fallback';
import { createNativeKernel, NativeBinding } from './native';

export * from './types';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

export class KernelLoadError extends Error {
  readonly code = 'ERR_RRD_NATIVE_LOAD';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'KernelLoadError';
  }
}

function loadBinding(): NativeBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('node-gyp-build') as (dir: string) => unknown;
  // RRD_BACKENDS_ADDON_PATH loads one specific .node file instead (e.g. the ASan/UBSan build of
  // scripts/sanitize.sh); a file that does not load is a load error naming it (node-gyp-build is not tried).
  const override = process.env.RRD_BACKENDS_ADDON_PATH;
  let binding: Partial<NativeBinding> & { abi?: number };
  if (override) {
    const file = path.resolve(override);
    try {
      binding = require(file) as typeof binding; // eslint-disable-line @typescript-eslint/no-require-imports
    } catch (err) {
      throw new KernelLoadError(`RRD_BACKENDS_ADDON_PATH=${file} did not load: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  } else {
    binding = load(PACKAGE_ROOT) as typeof binding;
  }
  if (!binding || typeof binding !== 'object') throw new KernelLoadError('native binding is not an object');
  if (binding.abi !== KERNEL_ABI) {
    throw new KernelLoadError(`native binding ABI ${String(binding.abi)} does not match the TypeScript facade's ABI ${KERNEL_ABI}; rebuild the addon`);
  }
  return binding as NativeBinding;
}

let nativeKernel: Kernel | null = null;
let loadError: Error | null = null;
// Set when RRD_BACKENDS_NATIVE=0 chose the fallback: the native kernel stays loadable for tests
// and benchmarks that compare the two (getKernel('native')).
let forcedReason: Error | null = null;

/** Loads the native kernel (once); returns null and records the error when it cannot. */
export function tryNativeKernel(): Kernel | null {
  if (nativeKernel || loadError) return nativeKernel;
  try {
    nativeKernel = createNativeKernel(loadBinding());
  } catch (err) {
    loadError = err instanceof Error ? err : new KernelLoadError(String(err));
  }
  return nativeKernel;
}

const fallbackKernel: Kernel = createFallbackKernel();

function selectKernel(): Kernel {
  const want = process.env.RRD_BACKENDS_NATIVE;
  if (want === '0') {
    forcedReason = new KernelLoadError('the fallback was forced by RRD_BACKENDS_NATIVE=0');
    return fallbackKernel;
  }
  const k = tryNativeKernel();
  if (k) return k;
  if (want === '1') {
    throw new KernelLoadError(`RRD_BACKENDS_NATIVE=1 but the native addon did not load: ${loadError?.message}`, loadError);
  }
  // One clear warning saying why; RRD_BACKENDS_NATIVE=0 chooses the fallback silently.
  process.emitWarning(`native addon not loaded (${loadError?.message ?? 'unknown error'}); using the pure TypeScript fallback, which produces the same bytes more slowly`, {
    code: 'RRD_BACKENDS_FALLBACK',
  });
  return fallbackKernel;
}

/** The active kernel. */
export const kernel: Kernel = selectKernel();
/** Which implementation is active: 'native' or 'fallback'. */
export const implementation: ImplementationName = kernel.implementation;

/** Why the native kernel is not active (null when it is). */
export function nativeLoadError(): Error | null {
  return kernel.implementation === 'native' ? null : forcedReason ?? loadError;
}

/** Both implementations, for tests and benchmarks that compare them. */
export function getKernel(name: ImplementationName): Kernel {
  if (name === 'fallback') return fallbackKernel;
  const k = tryNativeKernel();
  if (!k) throw new KernelLoadError(`native kernel unavailable: ${loadError?.message}`, loadError);
  return k;
}
