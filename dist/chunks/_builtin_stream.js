import { createRequire } from 'node:module';

var require$$2 = createRequire(import.meta.url)("node:stream");

export { require$$2 as r };
