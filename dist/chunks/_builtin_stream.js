import { r as require$1 } from './_builtin-require.js';

function _mergeNamespaces(n, m) {
	m.forEach(function (e) {
		e && typeof e !== 'string' && !Array.isArray(e) && Object.keys(e).forEach(function (k) {
			if (k !== 'default' && !(k in n)) {
				var d = Object.getOwnPropertyDescriptor(e, k);
				Object.defineProperty(n, k, d.get ? d : {
					enumerable: true,
					get: function () { return e[k]; }
				});
			}
		});
	});
	return Object.freeze(n);
}

var require$$2$4 = require$1("node:https");

var https = /*#__PURE__*/_mergeNamespaces({
	__proto__: null
}, [require$$2$4]);

var require$$0 = require$1("node:net");

var require$$1 = require$1("node:tls");

var require$$2$3 = require$1("node:events");

var require$$2$2 = require$1("node:assert");

var require$$2$1 = require$1("node:string_decoder");

var require$$2 = require$1("node:stream");

export { require$$2$2 as a, require$$2$3 as b, require$$2 as c, require$$0 as d, require$$1 as e, require$$2$1 as f, https as h, require$$2$4 as r };
