import { createRequire } from 'node:module';

var require$$0 = createRequire(import.meta.url)("node:http2");

var require$$1 = createRequire(import.meta.url)("node:url");

var require$$3 = createRequire(import.meta.url)("node:dns");

export { require$$1 as a, require$$3 as b, require$$0 as r };
