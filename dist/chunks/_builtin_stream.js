import { r as require$1 } from './_builtin-require.js';

var require$$2 = require$1("node:stream");

export { require$$2 as r };
