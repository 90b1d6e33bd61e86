// A small stand-in for LuCI's client-side runtime (luci.js, dom, poll, rpc, uci, ui, form,
// validation, view), enough to load and render an unmodified LuCI view in a browser without a
// router. Written for the cwmpd view's test page (tests/luci/index.html); it behaves like
// luci-base where a view could notice the difference:
//
// - views are fetched and compiled like luci.js does: the leading 'require NAME' string
//   statements name the classes handed to the view's factory, which must yield a view class;
// - E()/dom.append put a scalar child in with innerHTML (arrays become text nodes), as
//   luci.js does, so markup in data is markup here too;
// - rpc.declare() builds ubus JSON-RPC "call" messages and reads the replies like rpc.js:
//   a JSON-RPC error rejects, a non-zero ubus status resolves to the status code unless the
//   declaration says `reject: true`, then `expect` and `filter` apply;
// - the replies come from a stand-in rpcd (window.LuCIStub.rpcd) that checks the view's ACL
//   (rpcd/acl.d) and answers `uci get` from a parsed UCI config and other objects from handlers;
// - form classes check their arguments like form.js (subclasses, declared tabs), render
//   the same markup (cbi-map, cbi-section, cbi-value, cbid.* ids, tab menus), hide options
//   whose depends() are not met, and validate values (datatypes and validate()) on render;
// - poll.add() runs the function at once and then every `interval` ticks of the clock, which
//   the page advances by itself or a test advances by hand (LuCIStub.poll.advance()).
//
// This is no copy of LuCI: only the behaviour a view depends on is reproduced.
'use strict';

(function(window, document) {

// --- String.prototype.format (luci.js subset: %s %d %u %f %x %h %q %%) -----------------------

const htmlEscapes = { '&': '&#38;', '"': '&#34;', '\'': '&#39;', '<': '&#60;', '>': '&#62;' };

String.prototype.format = function() {
	const args = arguments;
	let n = 0;
	return String(this).replace(/%(\.\d+)?([sdufxhq%])/g, function(m, precision, conv) {
		if (conv == '%')
			return '%';
		const arg = args[n++];
		switch (conv) {
		case 'd': return Math.floor(+arg || 0).toFixed(0);
		case 'u': return Math.floor(Math.max(0, +arg || 0)).toFixed(0);
		case 'f': return precision ? (+arg || 0).toFixed(+precision.substring(1)) : String(+arg || 0);
		case 'x': return Math.floor(+arg || 0).toString(16);
		case 'h': return (arg == null || typeof arg == 'object') ? '' : String(arg).replace(/[&"'<>]/g, c => htmlEscapes[c]);
		case 'q': return (arg == null || typeof arg == 'object') ? '' : String(arg).replace(/["']/g, c => htmlEscapes[c]);
		default: return String(arg);
		}
	});
};

// --- Class (luci.js's prototype-chain classes: extend, super, instantiate, isSubclass) ------

const Class = Object.assign(function() {}, {
	extend(properties) {
		const parent = this;
		const ClassConstructor = function() {
			if (!(this instanceof ClassConstructor))
				throw new TypeError('Constructor must not be called without "new"');
			if (typeof this.__init__ == 'function')
				this.__init__.apply(this, arguments);
		};
		ClassConstructor.prototype = Object.create(parent.prototype);
		for (const key of Object.keys(properties || {}))
			Object.defineProperty(ClassConstructor.prototype, key,
				{ value: properties[key], writable: true, configurable: true });
		Object.defineProperty(ClassConstructor.prototype, 'constructor', { value: ClassConstructor });
		Object.defineProperty(ClassConstructor.prototype, '__base__', { value: parent.prototype });
		Object.assign(ClassConstructor, parent);
		return ClassConstructor;
	},
	singleton(properties /*, ... */) {
		return this.extend(properties).instantiate(Array.prototype.slice.call(arguments, 1));
	},
	instantiate(args) {
		return new (Function.prototype.bind.apply(this, [null].concat(args)))();
	},
	isSubclass(cls) {
		return cls != null && typeof cls == 'function' && cls.prototype instanceof this;
	},
	prototype: {
		varargs(args, offset /*, ... */) {
			return Array.prototype.slice.call(arguments, 2).concat(Array.prototype.slice.call(args, offset));
		},
		// this.super('name', [args]): the nearest definition above the calling class's own.
		super(key, callArgs) {
			let proto = Object.getPrototypeOf(this);
			const own = proto[key];
			while (proto && (!Object.prototype.hasOwnProperty.call(proto, key) || proto[key] === own))
				proto = Object.getPrototypeOf(proto);
			const fn = proto ? proto[key] : null;
			if (arguments.length < 2)
				return fn;
			if (typeof fn != 'function')
				throw new ReferenceError(key + ' is not a function in base class');
			return fn.apply(this, callArgs);
		}
	}
});

// --- dom (luci.js LuCI.dom) -------------------------------------------------------------------

const instances = new WeakMap();

const dom = Class.singleton({
	elem(e) {
		return e != null && typeof e == 'object' && 'nodeType' in e;
	},
	parse(s) {
		const t = document.createElement('template');
		t.innerHTML = s;
		return t.content.firstChild;
	},
	matches(node, selector) {
		return this.elem(node) && node.nodeType == 1 ? node.matches(selector) : false;
	},
	parent(node, selector) {
		return this.elem(node) && node.closest ? node.closest(selector) : null;
	},
	// As luci.js: array members that are not nodes become text nodes, a function is called
	// with the node, a node is appended, and any other value becomes the node's innerHTML.
	append(node, children) {
		if (!this.elem(node))
			return null;
		if (Array.isArray(children)) {
			for (const child of children) {
				if (this.elem(child))
					node.appendChild(child);
				else if (child != null)
					node.appendChild(document.createTextNode(String(child)));
			}
			return node.lastChild;
		}
		if (typeof children == 'function')
			return this.append(node, children(node));
		if (this.elem(children))
			return node.appendChild(children);
		if (children != null) {
			node.innerHTML = String(children);
			return node.lastChild;
		}
		return null;
	},
	content(node, children) {
		if (!this.elem(node))
			return null;
		while (node.firstChild)
			node.removeChild(node.firstChild);
		return this.append(node, children);
	},
	attr(node, key, val) {
		if (!this.elem(node))
			return null;
		const attrs = (typeof key == 'object' && key != null) ? key : { [key]: val };
		for (const name of Object.keys(attrs)) {
			const value = attrs[name];
			if (value == null)
				continue;
			if (typeof value == 'function')
				node.addEventListener(name, value);
			else if (typeof value == 'object')
				node.setAttribute(name, JSON.stringify(value));
			else
				node.setAttribute(name, value);
		}
	},
	create(html, attr, data) {
		// As luci.js: anything but a plain object or array in second place is taken for
		// attributes (a node there is not appended).
		if (!(attr instanceof Object) || Array.isArray(attr))
			data = attr, attr = null;
		let elem;
		if (Array.isArray(html)) {
			elem = document.createDocumentFragment();
			for (const h of html)
				elem.appendChild(this.create(h));
		}
		else if (this.elem(html))
			elem = html;
		else if (String(html).charAt(0) == '<')
			elem = this.parse(html);
		else
			elem = document.createElement(html);
		if (!elem)
			return null;
		this.attr(elem, attr);
		this.append(elem, data);
		return elem;
	},
	bindClassInstance(node, inst) {
		if (!(inst instanceof Class))
			L.error('TypeError', 'Argument must be a class instance');
		instances.set(node, inst);
		return inst;
	},
	findClassInstance(node) {
		for (; node != null; node = node.parentNode)
			if (instances.has(node))
				return instances.get(node);
		return null;
	},
	callClassMethod(node, method /*, ... */) {
		const inst = this.findClassInstance(node);
		if (inst == null || typeof inst[method] != 'function')
			return null;
		return inst[method].apply(inst, Array.prototype.slice.call(arguments, 2));
	},
	isEmpty(node) {
		return !node || !node.firstElementChild;
	}
});

const E = function() { return dom.create.apply(dom, arguments); };

// --- poll (luci.js LuCI.poll: one tick a second; a function runs every `interval` ticks) -----

const poll = Class.singleton({
	queue: [],
	tick: 0,
	add(fn, interval) {
		if (interval == null || interval <= 0)
			interval = L.env.pollinterval;
		if (isNaN(interval) || typeof fn != 'function')
			throw new TypeError('Invalid argument to LuCI.poll.add()');
		if (this.queue.some(e => e.fn === fn))
			return false;
		this.queue.push({ r: true, i: interval >>> 0, fn: fn });
		// luci-base starts the poller when the first function is added: tick 0 runs it at once.
		if (!this.active())
			this.start();
		return true;
	},
	remove(fn) {
		const len = this.queue.length;
		this.queue = this.queue.filter(e => e.fn !== fn);
		return this.queue.length != len;
	},
	start() {
		if (this.active())
			return false;
		this.tick = 0;
		this.started = true;
		if (!LuCIStub.manualClock)
			this.timer = window.setInterval(() => this.step(), 1000);
		this.step();
		return true;
	},
	stop() {
		if (!this.active())
			return false;
		window.clearInterval(this.timer);
		this.started = false;
		return true;
	},
	active() {
		return !!this.started;
	},
	// One tick; resolves when the functions it started have settled.
	step() {
		const running = [];
		for (const e of this.queue) {
			if (this.tick % e.i != 0 || !e.r)
				continue;
			e.r = false;
			running.push(Promise.resolve().then(() => e.fn()).catch(err => LuCIStub.fail(err))
				.finally(() => { e.r = true; }));
		}
		this.tick = (this.tick + 1) % 4294967296;
		return Promise.all(running);
	}
});

// --- rpc (rpc.js: ubus JSON-RPC calls, replies read like rpc.js reads them) ------------------

const ubusStatusText = ['Command OK', 'Invalid command', 'Invalid argument', 'Method not found',
	'Resource not found', 'No data received', 'Permission denied', 'Request timeout',
	'Not supported', 'Unspecified error', 'Connection lost'];

let rpcRequestID = 1;

const rpc = Class.singleton({
	getStatusText(code) {
		return ubusStatusText[code] || 'Unknown error code';
	},
	// The transport: the stand-in rpcd answers a JSON copy of the message, a moment later.
	call(msg) {
		const wire = JSON.parse(JSON.stringify(msg));
		return new Promise(resolve => window.setTimeout(resolve, 0))
			.then(() => JSON.parse(JSON.stringify(LuCIStub.rpcd.handle(wire))));
	},
	handleReply(req, msg) {
		if (msg == null || typeof msg != 'object' || msg.jsonrpc != '2.0')
			L.raise('RPCError', 'RPC call to %s/%s returned invalid message frame', req.object, req.method);
		if (msg.error != null && typeof msg.error == 'object' && msg.error.code && msg.error.message)
			L.raise('RPCError', 'RPC call to %s/%s failed with error %d: %s',
				req.object, req.method, msg.error.code, msg.error.message);
		let ret = null;
		if (Array.isArray(msg.result)) {
			if (req.raise && msg.result[0] !== 0)
				L.raise('RPCError', 'RPC call to %s/%s failed with ubus code %d: %s',
					req.object, req.method, msg.result[0], this.getStatusText(msg.result[0]));
			ret = (msg.result.length > 1) ? msg.result[1] : msg.result[0];
		}
		if (req.expect) {
			for (const key in req.expect) {
				if (ret != null && key != '')
					ret = ret[key];
				if (ret == null || Object.prototype.toString.call(ret) != Object.prototype.toString.call(req.expect[key]))
					ret = req.expect[key];
				break;
			}
		}
		if (typeof req.filter == 'function')
			ret = req.filter.apply(this, [ret, req.params].concat(req.extra));
		return ret;
	},
	declare(options) {
		const self = this;
		if (options == null || typeof options.object != 'string' || typeof options.method != 'string')
			throw new TypeError('rpc.declare() needs an object and a method name');
		return function() {
			const args = Array.prototype.slice.call(arguments);
			const params = {};
			let n = 0;
			if (Array.isArray(options.params))
				for (; n < options.params.length; n++)
					params[options.params[n]] = args[n];
			const req = {
				object: options.object, method: options.method, params: params,
				expect: options.expect, filter: options.filter, raise: options.reject,
				extra: args.slice(n)
			};
			return self.call({
				jsonrpc: '2.0', id: rpcRequestID++, method: 'call',
				params: [L.env.sessionid, options.object, options.method, params]
			}).then(msg => self.handleReply(req, msg));
		};
	}
});

// --- uci (uci.js: load via `ubus call uci get`, then get/set/unset/sections locally) ---------

const callUciGet = rpc.declare({ object: 'uci', method: 'get', params: ['config'], expect: { values: {} } });

const uci = Class.singleton({
	state: { values: {}, changes: {} },
	load(packages) {
		const configs = Array.isArray(packages) ? packages : [packages];
		return Promise.all(configs.map(config => this.state.values[config]
			? Promise.resolve()
			: callUciGet(config).then(values => { this.state.values[config] = values; })))
			.then(() => configs);
	},
	unload(packages) {
		for (const config of (Array.isArray(packages) ? packages : [packages]))
			delete this.state.values[config];
	},
	sections(config, type, cb) {
		const values = this.state.values[config] || {};
		const list = Object.keys(values).map(sid => values[sid])
			.filter(s => type == null || s['.type'] == type)
			.sort((a, b) => a['.index'] - b['.index']);
		if (typeof cb == 'function')
			list.forEach(s => cb.call(this, s, s['.name']));
		return list;
	},
	resolveSID(config, sid) {
		const m = /^@([^\[]+)\[(-?\d+)\]$/.exec(sid || '');
		if (!m)
			return sid;
		const list = this.sections(config, m[1]);
		const s = list[+m[2] >= 0 ? +m[2] : list.length + +m[2]];
		return s ? s['.name'] : null;
	},
	get(config, sid, opt) {
		sid = this.resolveSID(config, sid);
		const section = (this.state.values[config] || {})[sid];
		const changed = ((this.state.changes[config] || {})[sid]) || {};
		if (sid == null || section == null)
			return opt == null ? null : undefined;
		if (opt == null)
			return Object.assign({}, section, changed);
		if (Object.prototype.hasOwnProperty.call(changed, opt))
			return changed[opt] == null ? undefined : changed[opt];
		return section[opt];
	},
	set(config, sid, opt, value) {
		sid = this.resolveSID(config, sid);
		if (sid == null || opt == null || opt.charAt(0) == '.')
			return;
		const c = this.state.changes[config] = this.state.changes[config] || {};
		(c[sid] = c[sid] || {})[opt] = (value == null || value === '') ? null
			: (Array.isArray(value) ? value.map(String) : String(value));
	},
	unset(config, sid, opt) {
		return this.set(config, sid, opt, null);
	},
	get_first(config, type, opt) {
		const s = this.sections(config, type)[0];
		return s ? this.get(config, s['.name'], opt) : null;
	},
	changes() {
		return JSON.parse(JSON.stringify(this.state.changes));
	},
	save() {
		LuCIStub.saved.push(this.changes());
		return Promise.resolve();
	},
	apply() {
		return Promise.resolve();
	}
});

// --- validation (validation.js subset: the datatype expressions and the validator) ------------

function parseDatatype(expr) {
	let pos = 0;
	function fail() { throw new SyntaxError('Cannot parse datatype "' + expr + '" at ' + pos); }
	function term() {
		const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(expr.substring(pos));
		if (!m) {
			const lit = /^\s*(-?\d+(?:\.\d+)?|'[^']*'|"[^"]*")/.exec(expr.substring(pos));
			if (!lit) fail();
			pos += lit[0].length;
			return /^['"]/.test(lit[1]) ? lit[1].slice(1, -1) : +lit[1];
		}
		pos += m[0].length;
		const node = { name: m[1], args: [] };
		if (expr.charAt(pos) == '(') {
			pos++;
			if (expr.charAt(pos) != ')') {
				for (;;) {
					node.args.push(term());
					if (expr.charAt(pos) == ',') { pos++; continue; }
					break;
				}
			}
			if (expr.charAt(pos) != ')') fail();
			pos++;
		}
		return node;
	}
	const tree = term();
	if (pos != expr.length) fail();
	(function check(node) {
		if (node == null || typeof node != 'object') return;
		if (!Object.prototype.hasOwnProperty.call(datatypes, node.name))
			throw new SyntaxError('Unknown datatype "' + node.name + '" in "' + expr + '"');
		node.args.forEach(check);
	})(tree);
	return tree;
}

function ip4(value, nomask) {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value);
	return !!m && m.slice(1, 5).every(o => +o <= 255) && (m[5] == null || (!nomask && +m[5] <= 32));
}

function ip6(value, nomask) {
	const m = /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?$/.exec(value);
	if (!m || (m[2] != null && (nomask || +m[2] > 128)))
		return false;
	let addr = m[1], groups = 8;
	const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
	if (v4) {
		if (!ip4(v4[1], true)) return false;
		addr = addr.slice(0, -v4[1].length) + '0';
		groups = 7;
	}
	const halves = addr.split('::');
	if (halves.length > 2) return false;
	const parts = halves.map(h => h == '' ? [] : h.split(':'));
	if (!parts.every(p => p.every(g => /^[0-9A-Fa-f]{1,4}$/.test(g)))) return false;
	const n = parts.reduce((a, p) => a + p.length, 0);
	return halves.length == 2 ? n < groups : n == groups;
}

const isInt = v => /^-?\d+$/.test(v);
const isNum = v => /^-?(\d+|\d*\.\d+)$/.test(v);

// Each returns true or the expectation as text (validation.js's assert messages).
const datatypes = {
	string: () => true,
	integer: v => isInt(v) || 'valid integer value',
	uinteger: v => (isInt(v) && +v >= 0) || 'positive integer value',
	float: v => isNum(v) || 'valid decimal value',
	ufloat: v => (isNum(v) && +v >= 0) || 'positive decimal value',
	min: (v, min) => (isNum(v) && +v >= min) || 'value greater or equal to %f'.format(min),
	max: (v, max) => (isNum(v) && +v <= max) || 'value smaller or equal to %f'.format(max),
	range: (v, min, max) => (isNum(v) && +v >= min && +v <= max) || 'value between %f and %f'.format(min, max),
	minlength: (v, n) => v.length >= n || 'value with at least %d characters'.format(n),
	maxlength: (v, n) => v.length <= n || 'value with at most %d characters'.format(n),
	port: v => (isInt(v) && +v >= 0 && +v <= 65535) || 'valid port value',
	portrange: v => /^\d+(-\d+)?$/.test(v) && v.split('-').every(p => +p <= 65535) || 'valid port or port range (port1-port2)',
	ipaddr: (v, nomask) => ip4(v, nomask) || ip6(v, nomask) || (nomask ? 'valid IP address' : 'valid IP address or prefix'),
	ip4addr: (v, nomask) => ip4(v, nomask) || (nomask ? 'valid IPv4 address' : 'valid IPv4 address or network'),
	ip6addr: (v, nomask) => ip6(v, nomask) || (nomask ? 'valid IPv6 address' : 'valid IPv6 address or prefix'),
	hostname: v => (v.length <= 253 && /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(v)) || 'valid hostname',
	host: v => datatypes.hostname(v) === true || ip4(v, true) || ip6(v, true) || 'valid hostname or IP address',
	hexstring: v => /^([0-9A-Fa-f]{2})+$/.test(v) || 'hexadecimal encoded value',
	uciname: v => /^[a-zA-Z0-9_]+$/.test(v) || 'valid UCI identifier',
	macaddr: v => /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(v) || 'valid MAC address',
	and: null, or: null, not: null, list: null
};

function evalDatatype(node, value) {
	switch (node.name) {
	case 'and':
		for (const a of node.args) {
			const r = evalDatatype(a, value);
			if (r !== true) return r;
		}
		return true;
	case 'or': {
		const errors = [];
		for (const a of node.args) {
			const r = evalDatatype(a, value);
			if (r === true) return true;
			errors.push(r);
		}
		return errors.join(' or ');
	}
	case 'not':
		return evalDatatype(node.args[0], value) !== true || 'not ' + node.args[0].name;
	case 'list':
		return String(value).split(/\s+/).every(v => evalDatatype(node.args[0], v) === true) || 'list of values';
	default:
		return datatypes[node.name].apply(null, [value].concat(node.args));
	}
}

const validation = Class.singleton({
	parse: parseDatatype,
	// A validator for `field`: empty values pass when optional, others must match the datatype;
	// then the widget's validate() function (the form option's) has its say, empty or not.
	create(field, type, optional, vfunc) {
		const tree = parseDatatype(type || 'string');
		return function validate() {
			// Detached fields are not validated, except inside an option's frame (as
			// form.js validates while rendering).
			if (!field.isConnected && !field.closest('[data-field]'))
				return true;
			field.classList.remove('cbi-input-invalid');
			const value = field.value != null ? String(field.value) : '';
			let result = (value.length == 0) ? (optional ? true : 'non-empty value') : evalDatatype(tree, value);
			let message = result === true ? null : 'Expecting: %s'.format(result);
			if (message == null && typeof vfunc == 'function') {
				result = vfunc(value);
				if (result !== true)
					message = String(result);
			}
			if (message != null) {
				field.classList.add('cbi-input-invalid');
				field.setAttribute('data-tooltip', message);
				field.dispatchEvent(new CustomEvent('validation-failure', { bubbles: true, detail: { message: message } }));
				return false;
			}
			field.removeAttribute('data-tooltip');
			field.dispatchEvent(new CustomEvent('validation-success', { bubbles: true, detail: { value: value } }));
			return true;
		};
	}
});

// --- ui (ui.js subset: widgets, tabs, notifications, handler functions) ----------------------

const UIElement = Class.extend({
	getValue() {
		return (dom.matches(this.node, 'select') || dom.matches(this.node, 'input')) ? this.node.value : null;
	},
	setValue(value) {
		if (dom.matches(this.node, 'select') || dom.matches(this.node, 'input'))
			this.node.value = value;
	},
	isValid() {
		return this.validState !== false;
	},
	isChanged() {
		return this.node && this.node.getAttribute('data-changed') == 'true';
	},
	triggerValidation() {
		if (typeof this.vfunc != 'function')
			return false;
		const was = this.isValid();
		this.vfunc();
		return was != this.isValid();
	},
	registerEvents(target, synevent, events) {
		const fire = () => this.node.dispatchEvent(new CustomEvent(synevent, { bubbles: true }));
		events.forEach(ev => target.addEventListener(ev, fire));
	},
	setUpdateEvents(target /*, ... */) {
		const events = Array.prototype.slice.call(arguments, 1);
		this.registerEvents(target, 'widget-update', events);
		if (!this.options.datatype && !this.options.validate)
			return;
		const optional = Object.prototype.hasOwnProperty.call(this.options, 'optional') ? this.options.optional : true;
		try {
			this.vfunc = validation.create(target, this.options.datatype, optional, this.options.validate);
		}
		catch (err) {
			// luci-base drops a validator it cannot compile without a word; a view that names
			// an unknown datatype has a bug all the same, so it is reported here.
			LuCIStub.fail(err);
			return;
		}
		events.forEach(ev => target.addEventListener(ev, this.vfunc));
		this.node.addEventListener('validation-success', () => { this.validState = true; });
		this.node.addEventListener('validation-failure', () => { this.validState = false; });
	},
	setChangeEvents(target /*, ... */) {
		const events = Array.prototype.slice.call(arguments, 1);
		events.forEach(ev => target.addEventListener(ev, () => this.node.setAttribute('data-changed', true)));
		this.registerEvents(target, 'widget-change', events);
	},
	render() {}
});

const UITextfield = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({ optional: true, password: false }, options);
	},
	render() {
		const frame = E('div', { 'id': this.options.id });
		const input = E('input', {
			'id': this.options.id ? 'widget.' + this.options.id : null,
			'name': this.options.name,
			'type': 'text',
			'class': this.options.password ? 'cbi-input-password' : 'cbi-input-text',
			'readonly': this.options.readonly ? '' : null,
			'disabled': this.options.disabled ? '' : null,
			'maxlength': this.options.maxlength,
			'placeholder': this.options.placeholder,
			'value': this.value
		});
		if (this.options.password) {
			frame.appendChild(E('div', { 'class': 'control-group' }, [
				input,
				E('button', {
					'class': 'cbi-button cbi-button-neutral',
					'title': _('Reveal/hide password'),
					'click': function(ev) {
						const field = this.previousElementSibling;
						field.type = (field.type == 'password') ? 'text' : 'password';
						ev.preventDefault();
					}
				}, '∗')
			]));
			// As ui.js: the field becomes a password field after it is shown.
			window.requestAnimationFrame(() => { input.type = 'password'; });
		}
		else {
			frame.appendChild(input);
		}
		this.node = frame;
		this.setUpdateEvents(input, 'keyup', 'blur');
		this.setChangeEvents(input, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	getValue() { return this.node.querySelector('input').value; },
	setValue(value) { this.node.querySelector('input').value = value; }
});

const UITextarea = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({ optional: true }, options);
	},
	render() {
		const frame = E('div', { 'id': this.options.id });
		const area = E('textarea', {
			'id': this.options.id ? 'widget.' + this.options.id : null,
			'class': 'cbi-input-textarea',
			'placeholder': this.options.placeholder,
			'rows': this.options.rows, 'cols': this.options.cols
		}, [this.value != null ? String(this.value) : '']);
		frame.appendChild(area);
		this.node = frame;
		this.setUpdateEvents(area, 'keyup', 'blur');
		this.setChangeEvents(area, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	getValue() { return this.node.firstElementChild.value; },
	setValue(value) { this.node.firstElementChild.value = value; }
});

let checkboxCount = 0;

const UICheckbox = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({ value_enabled: '1', value_disabled: '0' }, options);
	},
	render() {
		const id = 'cb%08x'.format(++checkboxCount);
		const frame = E('div', { 'id': this.options.id, 'class': 'cbi-checkbox' }, [
			E('input', {
				'id': id,
				'name': this.options.name,
				'type': 'checkbox',
				'value': this.options.value_enabled,
				'checked': (this.value == this.options.value_enabled) ? '' : null,
				'disabled': this.options.disabled ? '' : null,
				'data-widget-id': this.options.id ? 'widget.' + this.options.id : null
			}),
			E('label', { 'for': id })
		]);
		this.node = frame;
		const input = frame.querySelector('input[type="checkbox"]');
		this.setUpdateEvents(input, 'click', 'blur');
		this.setChangeEvents(input, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	isChecked() { return this.node.querySelector('input[type="checkbox"]').checked; },
	getValue() { return this.isChecked() ? this.options.value_enabled : this.options.value_disabled; },
	setValue(value) { this.node.querySelector('input[type="checkbox"]').checked = (value == this.options.value_enabled); }
});

function sortedKeys(choices, sort) {
	if (Array.isArray(sort))
		return sort;
	const keys = Object.keys(choices);
	return sort === true ? keys.sort() : keys;
}

const UISelect = UIElement.extend({
	__init__(value, choices, options) {
		this.choices = (choices != null && typeof choices == 'object') ? choices : {};
		this.values = Array.isArray(value) ? value : ((value != null && value != '') ? [value] : []);
		this.options = Object.assign({ multiple: false, widget: 'select' }, options);
		if (!this.options.multiple && this.values.length > 1)
			this.values.length = 1;
		if (Object.prototype.hasOwnProperty.call(this.choices, ''))
			this.options.optional = true;
	},
	render() {
		const select = E('select', {
			'id': this.options.id ? 'widget.' + this.options.id : null,
			'name': this.options.name,
			'size': this.options.size,
			'class': 'cbi-input-select',
			'multiple': this.options.multiple ? '' : null,
			'disabled': this.options.disabled ? '' : null
		});
		if (this.options.optional)
			select.appendChild(E('option', {
				'value': '', 'selected': (this.values.length == 0 || this.values[0] == '') ? '' : null
			}, [this.choices[''] || this.options.placeholder || _('-- Please choose --')]));
		for (const key of sortedKeys(this.choices, this.options.sort)) {
			if (key == null || key == '')
				continue;
			select.appendChild(E('option', {
				'value': key, 'selected': this.values.indexOf(key) > -1 ? '' : null
			}, [this.choices[key] || key]));
		}
		const frame = E('div', { 'id': this.options.id }, select);
		this.node = frame;
		this.setUpdateEvents(select, 'change', 'click', 'blur');
		this.setChangeEvents(select, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	getValue() { return this.node.firstChild.value; },
	setValue(value) {
		for (const o of this.node.firstChild.options)
			o.selected = (o.value == (value == null ? '' : value));
	}
});

// ui.DynamicList: one row per value, and a text field with an add button for more.
const UIDynamicList = UIElement.extend({
	__init__(values, choices, options) {
		this.values = Array.isArray(values) ? values : ((values != null && values != '') ? [values] : []);
		this.choices = choices;
		this.options = Object.assign({}, options, { multiple: false, optional: true });
	},
	render() {
		const frame = E('div', { 'id': this.options.id, 'class': 'cbi-dynlist' });
		const add = E('div', { 'class': 'add-item control-group' }, [
			E('input', {
				'type': 'text',
				'name': 'cbi.dynlist.' + (this.options.id || ''),
				'id': this.options.id ? 'widget.' + this.options.id : null,
				'placeholder': this.options.placeholder,
				'class': 'cbi-input-text'
			}),
			E('button', {
				'class': 'cbi-button cbi-button-add',
				'click': ev => { ev.preventDefault(); this.addFromInput(); }
			}, '+')
		]);
		frame.appendChild(add);
		this.node = frame;
		this.values.forEach(v => this.addItem(v));
		const input = add.querySelector('input');
		this.setUpdateEvents(input, 'keyup', 'blur');
		this.setChangeEvents(input, 'change');
		dom.bindClassInstance(frame, this);
		return frame;
	},
	addItem(value) {
		const item = E('div', { 'class': 'item', 'data-value': value }, [
			E('span', {}, [(this.choices && this.choices[value]) || value]),
			E('input', { 'type': 'hidden', 'name': this.options.name, 'value': value }),
			E('button', {
				'class': 'cbi-button cbi-button-remove',
				'click': ev => { ev.preventDefault(); item.remove(); this.node.dispatchEvent(new CustomEvent('widget-change', { bubbles: true })); }
			}, '×')
		]);
		this.node.insertBefore(item, this.node.querySelector('.add-item'));
	},
	addFromInput() {
		const input = this.node.querySelector('.add-item input');
		if (input.value == '' || input.classList.contains('cbi-input-invalid'))
			return;
		this.addItem(input.value);
		input.value = '';
		this.node.dispatchEvent(new CustomEvent('widget-change', { bubbles: true }));
	},
	getValue() {
		return Array.prototype.map.call(this.node.querySelectorAll('.item'), i => i.getAttribute('data-value'));
	},
	setValue(values) {
		this.node.querySelectorAll('.item').forEach(i => i.remove());
		(Array.isArray(values) ? values : (values != null && values != '' ? [values] : [])).forEach(v => this.addItem(v));
	}
});

const UIHiddenfield = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({}, options);
	},
	render() {
		this.node = E('input', { 'type': 'hidden', 'id': this.options.id, 'value': this.value });
		dom.bindClassInstance(this.node, this);
		return this.node;
	}
});

const ui = Class.singleton({
	AbstractElement: UIElement,
	Textfield: UITextfield,
	Textarea: UITextarea,
	Checkbox: UICheckbox,
	Select: UISelect,
	Combobox: UISelect,
	Dropdown: UISelect,
	DynamicList: UIDynamicList,
	Hiddenfield: UIHiddenfield,

	addNotification(title, children /*, ... classes */) {
		const mc = document.querySelector('#maincontent') || document.body;
		const msg = E('div', { 'class': 'alert-message fade-in', 'style': 'display:flex' }, [
			E('div', { 'style': 'flex:10' }),
			E('div', { 'style': 'flex:1 1 auto; display:flex' }, [
				E('button', {
					'class': 'btn',
					'style': 'margin-left:auto; margin-top:auto',
					'click': ev => dom.parent(ev.target, '.alert-message').remove()
				}, [_('Dismiss')])
			])
		]);
		if (title != null)
			dom.append(msg.firstElementChild, E('h4', {}, title));
		dom.append(msg.firstElementChild, children);
		for (let i = 2; i < arguments.length; i++)
			msg.classList.add(arguments[i]);
		mc.insertBefore(msg, mc.firstElementChild);
		return msg;
	},

	showModal(title, children) {
		let modal = document.querySelector('#modal_overlay');
		if (!modal) {
			modal = E('div', { 'id': 'modal_overlay' }, E('div', { 'class': 'modal' }));
			document.body.appendChild(modal);
		}
		dom.content(modal.firstElementChild, [E('h4', {}, [title])].concat(Array.isArray(children) ? children : [children]));
		document.body.classList.add('modal-overlay-active');
		return modal.firstElementChild;
	},

	hideModal() {
		document.body.classList.remove('modal-overlay-active');
	},

	// As ui.js: a click handler that calls ctx[fn] (or fn) with the given arguments and the
	// event, and keeps the clicked element busy (spinning, disabled) until its promise settles.
	createHandlerFn(ctx, fn /*, ... */) {
		if (typeof fn == 'string')
			fn = ctx[fn];
		if (typeof fn != 'function')
			return null;
		const bound = Array.prototype.slice.call(arguments, 2);
		return function(ev) {
			const t = ev.currentTarget;
			t.classList.add('spinning');
			t.disabled = true;
			if (t.blur)
				t.blur();
			Promise.resolve(fn.apply(ctx, bound.concat(Array.prototype.slice.call(arguments))))
				.catch(err => LuCIStub.fail(err))
				.finally(() => { t.classList.remove('spinning'); t.disabled = false; });
		};
	},

	addValidator(field, type, optional, vfunc /*, ... events */) {
		const v = validation.create(field, type, optional, vfunc);
		for (let i = 4; i < arguments.length; i++)
			field.addEventListener(arguments[i], v);
		v();
		return v;
	},

	tabs: Class.singleton({
		// The panes (children with data-tab) of one group get a tab menu before them; the
		// pane marked data-tab-active, else the first, is shown.
		initTabGroup(panes) {
			panes = Array.prototype.filter.call(panes, p => p.nodeType == 1 && p.hasAttribute('data-tab'));
			if (!panes.length)
				return;
			const group = panes[0].parentNode;
			if (group.getAttribute('data-initialized') == 'true')
				return;
			const menu = E('ul', { 'class': 'cbi-tabmenu' });
			let selected = panes.findIndex(p => p.getAttribute('data-tab-active') == 'true');
			if (selected < 0)
				selected = 0;
			panes.forEach((pane, i) => {
				menu.appendChild(E('li', {
					'class': i == selected ? 'cbi-tab' : 'cbi-tab-disabled',
					'data-tab': pane.getAttribute('data-tab')
				}, E('a', { 'href': '#', 'click': ev => this.switchTab(ev) }, [pane.getAttribute('data-tab-title')])));
				pane.setAttribute('data-tab-active', i == selected ? 'true' : 'false');
			});
			group.parentNode.insertBefore(menu, group);
			group.setAttribute('data-initialized', 'true');
		},
		switchTab(ev) {
			ev.preventDefault();
			const li = ev.currentTarget.parentNode;
			const menu = li.parentNode;
			const group = menu.nextElementSibling;
			const name = li.getAttribute('data-tab');
			menu.querySelectorAll(':scope > li').forEach(l => {
				l.classList.toggle('cbi-tab', l === li);
				l.classList.toggle('cbi-tab-disabled', l !== li);
			});
			Array.prototype.forEach.call(group.children, pane => {
				if (pane.hasAttribute('data-tab'))
					pane.setAttribute('data-tab-active', pane.getAttribute('data-tab') == name ? 'true' : 'false');
			});
		},
		// Tabs holding an invalid field are marked, as ui.js does.
		updateTabs(ev, root) {
			(root || document).querySelectorAll('ul.cbi-tabmenu > li').forEach(li => {
				const group = li.parentNode.nextElementSibling;
				const pane = group ? group.querySelector(':scope > [data-tab="' + li.getAttribute('data-tab') + '"]') : null;
				li.classList.toggle('cbi-tab-error', !!(pane && pane.querySelector('.cbi-input-invalid')));
			});
		}
	})
});

// --- form (form.js subset: Map, sections, options) -------------------------------------------

function isEqual(x, y) {
	if (x != null && y != null && typeof x != typeof y)
		return false;
	if ((x == null) != (y == null))
		return false;
	if (Array.isArray(x))
		return Array.isArray(y) && x.length == y.length && x.every((v, i) => isEqual(v, y[i]));
	if (x != null && typeof x == 'object')
		return Object.keys(x).length == Object.keys(y).length && Object.keys(x).every(k => isEqual(x[k], y[k]));
	return x == y;
}

const CBINode = Class.extend({
	__init__(title, description) {
		this.title = title || '';
		this.description = description || '';
		this.children = [];
	},
	append(obj) {
		this.children.push(obj);
	},
	loadChildren(/* ... */) {
		const args = arguments;
		return Promise.all(this.children.filter(c => !c.disable).map(c => c.load.apply(c, args)));
	},
	renderChildren(tabName /*, ... */) {
		const args = Array.prototype.slice.call(arguments, 1);
		let index = 0;
		return Promise.all(this.children
			.filter(c => (tabName === null || c.tab === tabName) && !c.disable)
			.map(c => c.render.apply(c, [index++].concat(args))));
	}
});

const CBIMap = CBINode.extend({
	__init__(config, title, description) {
		if (typeof config != 'string' || config == '')
			L.error('TypeError', 'form.Map needs the name of a UCI config');
		CBINode.prototype.__init__.call(this, title, description);
		this.config = config;
		this.data = uci;
	},
	section(cbiClass /*, ... */) {
		if (!CBIAbstractSection.isSubclass(cbiClass))
			L.error('TypeError', 'Class must be a descendent of CBIAbstractSection');
		const obj = cbiClass.instantiate([this].concat(Array.prototype.slice.call(arguments, 1)));
		this.append(obj);
		return obj;
	},
	load() {
		return this.data.load(this.config).then(() => this.loadChildren());
	},
	parse() {
		return Promise.all(this.children.map(c => c.parse()));
	},
	save() {
		this.checkDepends();
		return this.parse().then(() => this.data.save()).then(() => this.load())
			.catch(err => { LuCIStub.fail(err); return Promise.reject(err); })
			.finally(() => this.renderContents());
	},
	reset() {
		return this.renderContents();
	},
	render() {
		return this.load().then(() => this.renderContents());
	},
	renderContents() {
		const mapEl = this.root || (this.root = E('div', { 'id': 'cbi-%s'.format(this.config), 'class': 'cbi-map' }));
		dom.bindClassInstance(mapEl, this);
		return this.renderChildren(null).then(nodes => {
			dom.content(mapEl, null);
			if (this.title != null && this.title != '')
				mapEl.appendChild(E('h2', { 'name': 'content' }, this.title));
			if (this.description != null && this.description != '')
				mapEl.appendChild(E('div', { 'class': 'cbi-map-descr' }, this.description));
			dom.append(mapEl, nodes);
			this.checkDepends();
			mapEl.querySelectorAll('.cbi-section-node-tabbed').forEach(g => ui.tabs.initTabGroup(g.childNodes));
			ui.tabs.updateTabs(null, mapEl);
			return mapEl;
		});
	},
	findElement(attr, value) {
		return this.root ? this.root.querySelector('[%s="%s"]'.format(attr, value)) : null;
	},
	lookupOption(name, sectionId) {
		const id = name.indexOf('.') > -1 ? 'cbid.' + name : 'cbid.%s.%s.%s'.format(this.config, sectionId, name);
		const elem = this.findElement('data-field', id);
		const inst = elem ? dom.findClassInstance(elem) : null;
		return (inst instanceof CBIAbstractValue) ? [inst, id.split('.')[2]] : null;
	},
	// Options whose dependencies are (not) met are shown (hidden) until nothing changes;
	// the options shown are validated.
	checkDepends(ev, n) {
		let changed = false;
		for (const s of this.children)
			if (s.checkDepends(ev, n))
				changed = true;
		if (changed && (n || 0) < 10)
			this.checkDepends(ev, (n || 10) + 1);
		ui.tabs.updateTabs(ev, this.root);
	},
	isDependencySatisfied(depends, sectionId) {
		if (!Array.isArray(depends) || !depends.length)
			return true;
		for (const dep of depends) {
			let ok = true;
			for (const name of Object.keys(dep)) {
				const res = this.lookupOption(name, sectionId);
				const val = (res && res[0].isActive(res[1])) ? res[0].formvalue(res[1]) : null;
				ok = ok && isEqual(val, dep[name]);
			}
			if (ok)
				return true;
		}
		return false;
	}
});

const CBIAbstractSection = CBINode.extend({
	__init__(map, sectionType, title, description) {
		CBINode.prototype.__init__.call(this, title, description);
		this.sectiontype = sectionType;
		this.map = map;
		this.config = map.config;
		this.optional = true;
		this.addremove = false;
		this.anonymous = false;
	},
	cfgsections() {
		L.error('InternalError', 'Not implemented');
	},
	load() {
		return Promise.all(this.cfgsections().map(sid =>
			this.loadChildren(sid).then(values => values.forEach((v, i) => this.children[i].cfgvalue(sid, v)))));
	},
	parse() {
		const tasks = [];
		for (const sid of this.cfgsections())
			for (const c of this.children)
				tasks.push(c.parse(sid));
		return Promise.all(tasks);
	},
	tab(name, title, description) {
		if (this.tabs && this.tabs[name])
			throw 'Tab already declared';
		this.tabs = this.tabs || [];
		const entry = { name: name, title: title, description: description, children: [] };
		this.tabs.push(entry);
		this.tabs[name] = entry;
		(this.tab_names = this.tab_names || []).push(name);
	},
	option(cbiClass /*, ... */) {
		if (!CBIAbstractValue.isSubclass(cbiClass))
			L.error('TypeError', 'Class must be a descendent of CBIAbstractValue');
		const obj = cbiClass.instantiate([this.map, this].concat(Array.prototype.slice.call(arguments, 1)));
		this.append(obj);
		return obj;
	},
	taboption(tabName /*, ... */) {
		if (!this.tabs || !this.tabs[tabName])
			L.error('ReferenceError', 'Associated tab not declared');
		const obj = this.option.apply(this, Array.prototype.slice.call(arguments, 1));
		obj.tab = tabName;
		this.tabs[tabName].children.push(obj);
		return obj;
	},
	renderUCISection(sectionId) {
		if (!this.tabs)
			return this.renderOptions(null, sectionId);
		return Promise.all(this.tab_names.map(t => this.renderOptions(t, sectionId)))
			.then(nodes => this.renderTabContainers(sectionId, nodes));
	},
	renderTabContainers(sectionId, nodes) {
		const containers = E([]);
		nodes.forEach((node, i) => {
			const tab = this.tabs[this.tab_names[i]];
			const container = E('div', {
				'id': 'container.%s.%s.%s'.format(this.config, sectionId, tab.name),
				'data-tab': tab.name,
				'data-tab-title': tab.title
			});
			if (tab.description != null && tab.description != '')
				container.appendChild(E('div', { 'class': 'cbi-tab-descr' }, tab.description));
			container.appendChild(node);
			containers.appendChild(container);
		});
		return containers;
	},
	renderOptions(tabName, sectionId) {
		return this.renderChildren(tabName, sectionId).then(nodes => {
			const frag = E([]);
			nodes.forEach(n => frag.appendChild(n));
			return frag;
		});
	},
	checkDepends(ev, n) {
		let changed = false;
		for (const sid of this.cfgsections()) {
			for (const o of this.children) {
				const active = o.isActive(sid);
				const satisfied = o.checkDepends(sid);
				if (active != satisfied) {
					o.setActive(sid, !active);
					changed = true;
				}
				if (!n && active)
					o.triggerValidation(sid);
			}
		}
		return changed;
	}
});

const CBITypedSection = CBIAbstractSection.extend({
	cfgsections() {
		return this.map.data.sections(this.config, this.sectiontype).map(s => s['.name']);
	},
	render() {
		const sids = this.cfgsections();
		return Promise.all(sids.map(sid => this.renderUCISection(sid))).then(nodes => {
			const el = E('div', { 'id': 'cbi-%s-%s'.format(this.config, this.sectiontype), 'class': 'cbi-section' });
			if (this.title != null && this.title != '')
				el.appendChild(E('h3', {}, this.title));
			if (this.description != null && this.description != '')
				el.appendChild(E('div', { 'class': 'cbi-section-descr' }, this.description));
			nodes.forEach((node, i) => {
				if (!this.anonymous)
					el.appendChild(E('h3', [sids[i].toUpperCase()]));
				el.appendChild(E('div', {
					'id': 'cbi-%s-%s'.format(this.config, sids[i]),
					'class': this.tabs ? 'cbi-section-node cbi-section-node-tabbed' : 'cbi-section-node',
					'data-section-id': sids[i]
				}, node));
			});
			if (!nodes.length)
				el.appendChild(E('em', _('This section contains no values yet')));
			dom.bindClassInstance(el, this);
			return el;
		});
	}
});

const CBINamedSection = CBIAbstractSection.extend({
	__init__(map, sectionId, sectionType, title, description) {
		CBIAbstractSection.prototype.__init__.call(this, map, sectionType, title, description);
		this.section = sectionId;
	},
	cfgsections() {
		return [this.section];
	},
	// As form.js: a section missing from the config renders its title only (or an Add
	// button when addremove is set), not its options.
	render() {
		return Promise.all([this.map.data.get(this.config, this.section), this.renderUCISection(this.section)])
			.then(([ucidata, nodes]) => {
				const el = E('div', { 'id': ucidata ? null : 'cbi-%s-%s'.format(this.config, this.section), 'class': 'cbi-section' });
				if (typeof this.title == 'string' && this.title !== '')
					el.appendChild(E('h3', {}, this.title));
				if (typeof this.description == 'string' && this.description !== '')
					el.appendChild(E('div', { 'class': 'cbi-section-descr' }, this.description));
				if (ucidata)
					el.appendChild(E('div', {
						'id': 'cbi-%s-%s'.format(this.config, this.section),
						'class': this.tabs ? 'cbi-section-node cbi-section-node-tabbed' : 'cbi-section-node',
						'data-section-id': this.section
					}, nodes));
				dom.bindClassInstance(el, this);
				return el;
			});
	}
});

const CBIAbstractValue = CBINode.extend({
	__init__(map, section, option, title, description) {
		CBINode.prototype.__init__.call(this, title, description);
		if (typeof option != 'string' || option == '')
			L.error('TypeError', 'An option needs a name');
		this.section = section;
		this.option = option;
		this.map = map;
		this.config = map.config;
		this.deps = [];
		this.rmempty = true;
		this.default = null;
		this.optional = false;
	},
	depends(field, value) {
		this.deps.push(typeof field == 'string' ? { [field]: value } : field);
	},
	cbid(sectionId) {
		if (sectionId == null)
			L.error('TypeError', 'Section ID required');
		return 'cbid.%s.%s.%s'.format(this.config, sectionId, this.option);
	},
	load(sectionId) {
		return this.map.data.get(this.config, this.ucisection || sectionId, this.ucioption || this.option);
	},
	cfgvalue(sectionId, setValue) {
		if (arguments.length == 2) {
			this.data = this.data || {};
			this.data[sectionId] = setValue;
		}
		return this.data ? this.data[sectionId] : null;
	},
	formvalue(sectionId) {
		const node = this.map.findElement('id', this.cbid(sectionId));
		return node ? dom.callClassMethod(node, 'getValue') : null;
	},
	textvalue(sectionId) {
		const v = this.cfgvalue(sectionId);
		return '%h'.format(v != null ? v : this.default);
	},
	validate(sectionId, value) {
		return true;
	},
	isValid(sectionId) {
		const node = this.map.findElement('id', this.cbid(sectionId));
		return node ? dom.callClassMethod(node, 'isValid') : true;
	},
	isActive(sectionId) {
		const field = this.map.findElement('data-field', this.cbid(sectionId));
		return field != null && !field.classList.contains('hidden');
	},
	setActive(sectionId, active) {
		const field = this.map.findElement('data-field', this.cbid(sectionId));
		if (field && field.classList.contains('hidden') == active) {
			field.classList[active ? 'remove' : 'add']('hidden');
			return true;
		}
		return false;
	},
	checkDepends(sectionId) {
		return this.map.isDependencySatisfied(this.deps, sectionId);
	},
	triggerValidation(sectionId) {
		const node = this.map.findElement('id', this.cbid(sectionId));
		return node ? dom.callClassMethod(node, 'triggerValidation') : true;
	},
	parse(sectionId) {
		const active = this.isActive(sectionId);
		const cval = this.cfgvalue(sectionId);
		const fval = active ? this.formvalue(sectionId) : null;
		if (active && !this.isValid(sectionId))
			return Promise.reject(new Error('invalid value for ' + this.option));
		if (fval != '' && fval != null)
			return Promise.resolve(isEqual(cval, fval) ? null : this.write(sectionId, fval));
		return Promise.resolve((this.rmempty || this.optional) ? this.remove(sectionId) : null);
	},
	write(sectionId, value) {
		return this.map.data.set(this.config, sectionId, this.option, value);
	},
	remove(sectionId) {
		return this.map.data.unset(this.config, sectionId, this.option);
	}
});

const CBIValue = CBIAbstractValue.extend({
	__name__: 'CBI.Value',
	value(key, val) {
		(this.keylist = this.keylist || []).push(String(key));
		(this.vallist = this.vallist || []).push(String(val != null ? val : key));
	},
	transformChoices() {
		if (!Array.isArray(this.keylist) || !this.keylist.length)
			return null;
		const choices = {};
		this.keylist.forEach((k, i) => { choices[k] = this.vallist[i]; });
		return choices;
	},
	render(optionIndex, sectionId) {
		return Promise.resolve(this.cfgvalue(sectionId))
			.then(cfgvalue => this.renderWidget(sectionId, optionIndex, cfgvalue))
			.then(widget => this.renderFrame(sectionId, optionIndex, widget));
	},
	renderFrame(sectionId, optionIndex, widget) {
		const el = E('div', {
			'class': 'cbi-value',
			'id': 'cbi-%s-%s-%s'.format(this.config, sectionId, this.option),
			'data-index': optionIndex,
			'data-depends': this.deps.length ? this.deps : null,
			'data-field': this.cbid(sectionId),
			'data-name': this.option,
			'data-type': this.__name__
		});
		if (typeof this.title == 'string' && this.title !== '')
			el.appendChild(E('label', {
				'class': 'cbi-value-title',
				'for': 'widget.' + this.cbid(sectionId)
			}, this.title));
		const field = E('div', { 'class': 'cbi-value-field' });
		el.appendChild(field);
		if (widget)
			field.appendChild(widget);
		if (typeof this.description == 'string' && this.description !== '')
			dom.append(field, E('div', { 'class': 'cbi-value-description' }, this.description));
		if (this.deps.length)
			el.classList.add('hidden');
		el.addEventListener('widget-change', () => this.map.checkDepends());
		dom.bindClassInstance(el, this);
		return el;
	},
	renderWidget(sectionId, optionIndex, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		const choices = this.transformChoices();
		const options = {
			id: this.cbid(sectionId),
			optional: this.optional || this.rmempty,
			datatype: this.datatype,
			placeholder: this.placeholder,
			password: this.password,
			validate: this.validate.bind(this, sectionId)
		};
		const widget = choices
			? new ui.Combobox(Array.isArray(value) ? value.join(' ') : value, choices, Object.assign(options, { sort: this.keylist }))
			: new ui.Textfield(Array.isArray(value) ? value.join(' ') : value, options);
		return widget.render();
	}
});

const CBIDynamicList = CBIValue.extend({
	__name__: 'CBI.DynamicList',
	renderWidget(sectionId, optionIndex, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		return new ui.DynamicList(L.toArray(value), this.transformChoices(), {
			id: this.cbid(sectionId),
			optional: this.optional || this.rmempty,
			datatype: this.datatype,
			placeholder: this.placeholder,
			validate: this.validate.bind(this, sectionId)
		}).render();
	}
});

const CBIListValue = CBIValue.extend({
	__name__: 'CBI.ListValue',
	renderWidget(sectionId, optionIndex, cfgvalue) {
		return new ui.Select((cfgvalue != null) ? cfgvalue : this.default, this.transformChoices(), {
			id: this.cbid(sectionId),
			size: this.size,
			sort: this.keylist,
			optional: this.optional,
			placeholder: this.placeholder,
			validate: this.validate.bind(this, sectionId)
		}).render();
	}
});

const CBIFlagValue = CBIValue.extend({
	__name__: 'CBI.FlagValue',
	__init__() {
		CBIValue.prototype.__init__.apply(this, arguments);
		this.enabled = '1';
		this.disabled = '0';
		this.default = this.disabled;
	},
	renderWidget(sectionId, optionIndex, cfgvalue) {
		return new ui.Checkbox((cfgvalue != null) ? cfgvalue : this.default, {
			id: this.cbid(sectionId),
			value_enabled: this.enabled,
			value_disabled: this.disabled,
			validate: this.validate.bind(this, sectionId)
		}).render();
	},
	formvalue(sectionId) {
		const node = this.map.findElement('id', this.cbid(sectionId));
		return (node && dom.callClassMethod(node, 'isChecked')) ? this.enabled : this.disabled;
	},
	parse(sectionId) {
		if (!this.isActive(sectionId))
			return Promise.resolve(this.remove(sectionId));
		const fval = this.formvalue(sectionId);
		return Promise.resolve((fval == this.default && (this.optional || this.rmempty))
			? this.remove(sectionId) : this.write(sectionId, fval));
	}
});

const CBITextValue = CBIValue.extend({
	__name__: 'CBI.TextValue',
	value: null,
	renderWidget(sectionId, optionIndex, cfgvalue) {
		return new ui.Textarea((cfgvalue != null) ? cfgvalue : this.default, {
			id: this.cbid(sectionId),
			optional: this.optional || this.rmempty,
			placeholder: this.placeholder,
			rows: this.rows,
			validate: this.validate.bind(this, sectionId)
		}).render();
	}
});

const CBIDummyValue = CBIValue.extend({
	__name__: 'CBI.DummyValue',
	renderWidget(sectionId, optionIndex, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		const out = E('div');
		dom.append(out, this.rawhtml ? value : [value]);
		return E([out, new ui.Hiddenfield(value, { id: this.cbid(sectionId) }).render()]);
	},
	write() {},
	remove() {}
});

const form = Class.singleton({
	Map: CBIMap,
	AbstractSection: CBIAbstractSection,
	AbstractValue: CBIAbstractValue,
	TypedSection: CBITypedSection,
	NamedSection: CBINamedSection,
	Value: CBIValue,
	DynamicList: CBIDynamicList,
	ListValue: CBIListValue,
	Flag: CBIFlagValue,
	TextValue: CBITextValue,
	DummyValue: CBIDummyValue
});

// --- view (luci.js LuCI.view) -------------------------------------------------------------

const View = Class.extend({
	__name__: 'LuCI.view',
	__init__() {
		const vp = document.getElementById('view');
		dom.content(vp, E('div', { 'class': 'spinning' }, _('Loading view…')));
		this.rendered = Promise.resolve(this.load())
			.then(data => this.render(data))
			.then(nodes => {
				dom.content(vp, nodes);
				dom.append(vp, this.addFooter());
			});
	},
	load() {},
	render() {},
	handleSave(ev) {
		return Promise.all(Array.prototype.map.call(document.querySelectorAll('#maincontent .cbi-map'),
			map => dom.callClassMethod(map, 'save')));
	},
	handleSaveApply(ev) {
		return this.handleSave(ev).then(() => uci.apply());
	},
	handleReset(ev) {
		return Promise.all(Array.prototype.map.call(document.querySelectorAll('#maincontent .cbi-map'),
			map => dom.callClassMethod(map, 'reset')));
	},
	// As luci.js: Save & Apply, Save and Reset for each handler the view did not set to null.
	addFooter() {
		const footer = E([]);
		if (this.handleSaveApply || this.handleSave || this.handleReset)
			footer.appendChild(E('div', { 'class': 'cbi-page-actions control-group' }, [
				this.handleSaveApply ? E('button', {
					'class': 'btn cbi-button cbi-button-apply', 'click': ui.createHandlerFn(this, 'handleSaveApply')
				}, [_('Save & Apply')]) : '', ' ',
				this.handleSave ? E('button', {
					'class': 'btn cbi-button cbi-button-save', 'click': ui.createHandlerFn(this, 'handleSave')
				}, [_('Save')]) : '', ' ',
				this.handleReset ? E('button', {
					'class': 'btn cbi-button cbi-button-reset', 'click': ui.createHandlerFn(this, 'handleReset')
				}, [_('Reset')]) : ''
			]));
		return footer;
	}
});

// --- L ------------------------------------------------------------------------------------

const modules = { baseclass: Class, dom: dom, poll: poll, rpc: rpc, uci: uci, ui: ui, form: form, validation: validation, view: View };

const L = window.L = Class.singleton({
	env: { sessionid: '00000000000000000000000000000000', pollinterval: 5, resource: '/luci-static/resources' },
	Class: Class,
	dom: dom,
	Poll: poll,
	ui: ui,
	bind(fn, self) {
		return Function.prototype.bind.apply(fn, [self].concat(Array.prototype.slice.call(arguments, 2)));
	},
	isObject(v) {
		return v != null && typeof v == 'object';
	},
	toArray(v) {
		if (v == null) return [];
		if (Array.isArray(v)) return v;
		if (typeof v == 'object') return [v];
		const s = String(v).trim();
		return s == '' ? [] : s.split(/\s+/);
	},
	resolveDefault(value, defvalue) {
		return Promise.resolve(value).catch(() => defvalue);
	},
	raise(type, fmt /*, ... */) {
		const msg = fmt ? String.prototype.format.apply(fmt, Array.prototype.slice.call(arguments, 2)) : 'Unspecified error';
		const e = new (window[type] || Error)(msg);
		e.name = type || 'Error';
		throw e;
	},
	error() {
		try {
			L.raise.apply(L, arguments);
		}
		catch (e) {
			LuCIStub.fail(e);
			throw e;
		}
	},
	url() {
		return '/cgi-bin/luci/' + Array.prototype.join.call(arguments, '/');
	},
	resource() {
		return this.env.resource + '/' + Array.prototype.join.call(arguments, '/');
	},
	hasViewPermission() {
		return true;
	},
	// As luci.js: fetch RESOURCE/name.js, find the leading 'require X [as Y]' string statements,
	// compile the source as a function of (window, document, L, required classes...), and
	// instantiate the class it returns.
	require(name) {
		if (Object.prototype.hasOwnProperty.call(modules, name))
			return Promise.resolve(modules[name]);
		const url = '%s/%s.js'.format(this.env.resource, name.replace(/\./g, '/'));
		return fetch(url, { cache: 'no-store' }).then(res => {
			if (!res.ok)
				L.raise('NetworkError', 'HTTP error %d while loading class file "%s"', res.status, url);
			return res.text();
		}).then(source => {
			const names = [], deps = [];
			const statement = /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(['"])((?:(?!\1)[^\\\n])*)\1\s*;?/;
			for (let rest = source, m; (m = statement.exec(rest)) != null; rest = rest.substring(m[0].length)) {
				const req = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/.exec(m[2]);
				if (req) {
					if (!Object.prototype.hasOwnProperty.call(modules, req[1]))
						L.raise('DependencyError', 'Class "%s" requires unknown class "%s"', name, req[1]);
					names.push(req[2] || req[1].replace(/[^a-zA-Z0-9_]/g, '_'));
					deps.push(modules[req[1]]);
				}
				else if (!/^use[ \t]+strict$/.test(m[2]))
					break;
			}
			const factory = new Function('window', 'document', 'L', ...names, source + '\n//# sourceURL=' + url);
			const cls = factory.apply(factory, [window, document, L].concat(deps));
			if (!Class.isSubclass(cls))
				L.error('TypeError', '"%s" factory yields invalid constructor', name);
			return new cls();
		});
	}
});

window.E = E;
window._ = function(s) { return s; };
window.N_ = function(n, s, p) { return n == 1 ? s : p; };
L.uci = uci;
L.rpc = rpc;
L.form = form;
L.view = View;

// --- LuCIStub: the stand-in rpcd and the hooks a test page or driver uses -----------------------

// Parse a UCI config file into `ubus call uci get`'s "values" shape.
function parseUci(text) {
	const values = {};
	let section = null, index = 0, anon = 0;
	for (const raw of text.split(/\r?\n/)) {
		const words = [];
		const re = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(#.*)|([^\s'"#]+))/g;
		for (let m; (m = re.exec(raw)) != null && m[0] != '';) {
			if (m[3] != null)
				break;
			words.push(m[1] != null ? m[1] : (m[2] != null ? m[2].replace(/\\(.)/g, '$1') : m[4]));
		}
		if (!words.length)
			continue;
		if (words[0] == 'config') {
			const name = words[2] || ('cfg%02x%04x'.format(index, anon++));
			section = values[name] = { '.anonymous': words[2] == null, '.type': words[1], '.name': name, '.index': index++ };
		}
		// As libuci: an option set to '' is no option at all.
		else if (words[0] == 'option' && section && words[2] != null && words[2] != '')
			section[words[1]] = words[2];
		else if (words[0] == 'list' && section)
			(section[words[1]] = Array.isArray(section[words[1]]) ? section[words[1]] : []).push(words[2]);
	}
	return values;
}

// rpcd's answers: a JSON-RPC error when the object or method does not exist or the session's
// ACL does not grant it, else [status] or [status, data] from the object's handler.
const rpcd = {
	objects: {},
	configs: {},
	acl: { read: {}, write: {} },
	aclAllows(object, method, params) {
		const scopes = ['read', 'write'].map(m => this.acl[m] || {});
		if (object == 'uci') {
			const mode = (method == 'get' || method == 'state' || method == 'configs') ? ['read', 'write'] : ['write'];
			return mode.some(m => ((this.acl[m] || {}).uci || []).some(c => c == '*' || c == (params || {}).config));
		}
		return scopes.some(s => {
			const methods = ((s.ubus || {})[object]) || ((s.ubus || {})['*']);
			return Array.isArray(methods) && methods.some(x => x == '*' || x == method);
		});
	},
	handle(msg) {
		const reply = { jsonrpc: '2.0', id: msg.id };
		const [, object, method, params] = msg.params || [];
		const call = { object: object, method: method, params: params };
		LuCIStub.calls.push(call);
		if (msg.method != 'call') {
			reply.error = { code: -32601, message: 'Method not found' };
		}
		else if (!this.aclAllows(object, method, params)) {
			reply.error = { code: -32002, message: 'Access denied' };
		}
		else if (object == 'uci' && method == 'get') {
			const values = this.configs[(params || {}).config];
			reply.result = values ? [0, { values: values }] : [4];
		}
		else if (!Object.prototype.hasOwnProperty.call(this.objects, object)) {
			reply.error = { code: -32000, message: 'Object not found' };
		}
		else if (typeof this.objects[object][method] != 'function') {
			reply.error = { code: -32601, message: 'Method not found' };
		}
		else {
			reply.result = this.objects[object][method](params || {});
		}
		call.reply = reply.error ? { error: reply.error.code } : { status: reply.result[0] };
		return reply;
	}
};

const LuCIStub = window.LuCIStub = {
	rpcd: rpcd,
	poll: {
		// Advance the poller's clock by `seconds` ticks; resolves when what ran has settled.
		advance(seconds) {
			let p = Promise.resolve();
			for (let i = 0; i < seconds; i++)
				p = p.then(() => poll.step());
			return p;
		}
	},
	manualClock: false,
	calls: [],
	errors: [],
	saved: [],
	parseUci: parseUci,
	fail(err) {
		const text = (err && err.stack) ? String(err.stack) : String(err);
		if (LuCIStub.errors.indexOf(text) < 0)
			LuCIStub.errors.push(text);
		if (window.console)
			console.error(text);
	},
	// Load and show a view like LuCI's dispatcher does for an `action: { type: "view" }` menu entry.
	loadView(path) {
		return L.require('view.' + path).then(view => view.rendered);
	}
};

window.addEventListener('error', ev => LuCIStub.fail(ev.error || ev.message));
window.addEventListener('unhandledrejection', ev => LuCIStub.fail(ev.reason));

})(window, document);
