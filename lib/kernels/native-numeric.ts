// PLACEHOLDER owned by the native-numeric work: maps the addon's numeric functions to NumericKernel.
import { NumericKernel } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NativeNumericBinding {}

export function wrapNativeNumeric(_binding: NativeNumericBinding): NumericKernel {
  throw new Error('native numeric kernel not implemented yet');
}
