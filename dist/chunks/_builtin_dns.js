import { r as require$1 } from './_builtin-require.js';

var require$$0 = require$1("node:http2");

var require$$3 = require$1("node:dns");

export { require$$3 as a, require$$0 as r };
