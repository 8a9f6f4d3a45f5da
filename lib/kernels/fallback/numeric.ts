// PLACEHOLDER owned by the fallback-numeric work: replace with the real implementation.
import { NumericKernel } from '../types';

function notYet(): never {
  throw new Error('fallback numeric kernel not implemented yet');
}

export const fallbackNumeric: NumericKernel = {
  pack: notYet,
  packDetailed: notYet,
  packInto: notYet,
  unpack: notYet,
  unpackInto: notYet,
  unpackText: notYet,
  storedValue: notYet,
  storedValuesInto: notYet,
};
