// The pure TypeScript implementation of the kernel interface.
import { Kernel } from '../types';
import { fallbackNumeric } from './numeric';

export function createFallbackKernel(): Kernel {
  return {
    implementation: 'fallback',
    ...fallbackNumeric,
  };
}
