// One process-wide counter for "something about names changed" stamps. Drawing every new stamp from the
// same counter means a stamp is never reused, so a cache keyed by (object, stamp) can never see a stale hit
// even if an object is replaced by another one with a similar history.
let last = 0;

export function nextNamesVersion(): number {
  return ++last;
}
