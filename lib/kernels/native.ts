// Typed facade over the C++ addon. The numeric half lives in native-numeric.ts.
import { Kernel } from './types';
import { NativeNumericBinding, wrapNativeNumeric } from './native-numeric';
import { NativeFormatBinding, wrapNativeFormat } from './native-format';

export interface NativeBinding extends NativeNumericBinding, NativeFormatBinding {
  abi: number;
}

export function createNativeKernel(binding: NativeBinding): Kernel {
  return {
    implementation: 'native',
    ...wrapNativeNumeric(binding),
    ...wrapNativeFormat(binding),
  };
}
