import { createRequire } from 'node:module';

var require$$0 = createRequire(import.meta.url)("node:buffer");

export { require$$0 as r };
