import { createRequire } from 'node:module';

var require$$0 = createRequire(import.meta.url)("node:http2");

var require$$3 = createRequire(import.meta.url)("node:dns");

export { require$$3 as a, require$$0 as r };
