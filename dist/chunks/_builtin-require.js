import { createRequire } from 'node:module';

var require$1 = createRequire(import.meta.url);

export { require$1 as r };
