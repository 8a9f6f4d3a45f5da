// Public entry point of rrd-backends.
export { kernel, implementation, nativeLoadError, getKernel } from './kernels';
export * from './kernels/types';
