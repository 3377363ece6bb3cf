import { r as require$1 } from './_builtin-require.js';

var require$$0 = require$1("node:buffer");

export { require$$0 as r };
