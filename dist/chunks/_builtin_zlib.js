import { createRequire } from 'node:module';

var require$$3 = createRequire(import.meta.url)("node:zlib");

export { require$$3 as r };
