// ESM entry point: the implementation is the CommonJS build; Node exposes its named exports.
export * from '../dist/lib/index.js';
import cjs from '../dist/lib/index.js';
export default cjs;
