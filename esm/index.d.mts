// Types of the ESM entry point (esm/index.mjs) for `import ... from 'rrd-backends'`: the same API as the
// CommonJS build, whose declarations these re-export (named exports, and the default export that is the
// CommonJS module object, as Node gives it to ESM importers).
export * from '../dist/lib/index.js';
import cjs from '../dist/lib/index.js';
export default cjs;
