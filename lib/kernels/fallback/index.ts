// The pure TypeScript implementation of the kernel interface.
import { Kernel } from '../types';
import { fallbackNumeric } from './numeric';
import { fallbackFormat } from './format';

export function createFallbackKernel(): Kernel {
  return {
    implementation: 'fallback',
    ...fallbackNumeric,
    ...fallbackFormat,
  };
}
