import { createRequire } from 'node:module';

var require$$0 = createRequire(import.meta.url)("node:stream");

export { require$$0 as r };
