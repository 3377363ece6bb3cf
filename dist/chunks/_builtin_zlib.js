import { r as require$1 } from './_builtin-require.js';

var require$$3 = require$1("node:zlib");

export { require$$3 as r };
