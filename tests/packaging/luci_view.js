// Load a LuCI client-side view the way luci.js does (the 'require' lines name the classes
// handed to a Function built from the source), with stand-ins for the LuCI classes that
// record what the view declares, then run load() and render() against a recorded
// `ubus call cwmpd status` answer, run one poll round against a second answer, and press
// the "Send Inform now" button.
//
// Usage: node luci_view.js VIEW.js STATUS.json STATUS_AFTER_POLL.json
// Prints one JSON object: the form (sections, tabs, options and their settings), the rpc
// declarations, the calls made, polls, notifications, and the status panel's rows (text)
// before and after the poll.
'use strict';

const fs = require('fs');

const [viewFile, statusFile, polledFile] = process.argv.slice(2);
const statusReply = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
const polledReply = JSON.parse(fs.readFileSync(polledFile, 'utf8'));

// luci.js's String.prototype.format, for %s and %d.
String.prototype.format = function(...args) {
	let i = 0;
	return this.replace(/%([sd%])/g, (m, c) => c === '%' ? '%' : (c === 'd' ? String(Math.trunc(Number(args[i++]))) : String(args[i++])));
};

// A DOM stand-in: E(tag, attrs, children) builds plain nodes; text() flattens them.
function E(tag, attrs, children) {
	if (Array.isArray(attrs) || typeof attrs == 'string' || (attrs && attrs.tag)) {
		children = attrs;
		attrs = {};
	}
	const node = { tag, attrs: attrs || {}, children: [] };
	dom.content(node, children);
	return node;
}
const dom = {
	content(node, children) {
		node.children = (children == null ? [] : Array.isArray(children) ? children : [children]);
		return node;
	}
};
function text(node) {
	if (node == null) return '';
	if (typeof node != 'object') return String(node);
	return node.children.map(text).join('');
}
function find(node, pred) {
	if (node == null || typeof node != 'object') return null;
	if (pred(node)) return node;
	for (const child of node.children) {
		const hit = find(child, pred);
		if (hit) return hit;
	}
	return null;
}
function rows(table) {
	const out = [];
	(function walk(node) {
		if (node == null || typeof node != 'object') return;
		if (node.tag == 'tr') out.push(node.children.map(text));
		else node.children.forEach(walk);
	})(table);
	return out;
}
global.E = E;

const report = { sections: [], rpc: [], calls: [], polls: 0, notifications: [] };
const replies = { status: [statusReply, polledReply], inform: [{}] };

const rpc = {
	declare(spec) {
		report.rpc.push({ object: spec.object, method: spec.method, params: spec.params || [] });
		return function(...args) {
			report.calls.push({ object: spec.object, method: spec.method, args });
			const queue = replies[spec.method] || [];
			return Promise.resolve(queue.length > 1 ? queue.shift() : queue[0]);
		};
	}
};

class Option {
	constructor(section, type, name, title, description) {
		Object.assign(this, { type, name, title, description, enabled: '1', disabled: '0' });
		this.dependsOn = [];
		this.values = [];
		section.options.push(this);
	}
	depends(option, value) { this.dependsOn.push([option, value]); }
	value(key, title) { this.values.push(key); }
}
const optionTypes = ['Value', 'Flag', 'ListValue', 'DynamicList', 'DummyValue', 'Button', 'TextValue'];
const form = {};
for (const type of optionTypes) form[type] = type;
form.NamedSection = 'NamedSection';
form.TypedSection = 'TypedSection';
form.Map = class {
	constructor(config, title, description) {
		Object.assign(this, { config, title, description });
		report.map = { config, title };
	}
	section(type, name, sectionType, title) {
		const section = {
			type, name, sectionType, title, tabs: [], options: [],
			tab(tab, tabTitle) { this.tabs.push(tab); },
			option(optType, optName, optTitle, desc) { return new Option(this, optType, optName, optTitle, desc); },
			taboption(tab, optType, optName, optTitle, desc) {
				const option = new Option(this, optType, optName, optTitle, desc);
				option.tab = tab;
				return option;
			}
		};
		report.sections.push(section);
		return section;
	}
	render() { return Promise.resolve(E('div', { 'class': 'cbi-map' }, ['form'])); }
};

const poll = { add(fn, interval) { report.polls++; report.pollInterval = interval; poll.fn = fn; } };
const ui = {
	addNotification(title, node, kind) { report.notifications.push({ kind, text: text(node) }); },
	createHandlerFn(ctx, name) { return () => ctx[name](); }
};
const view = { extend(proto) { return proto; } };
const L = { resolveDefault(promise, dflt) { return Promise.resolve(promise).catch(() => dflt); } };
const modules = { view, dom, form, poll, rpc, ui };

// luci.js: the string literals 'require NAME [as ALIAS]' at the top name the arguments.
const source = fs.readFileSync(viewFile, 'utf8');
const names = [];
for (const m of source.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)) {
	const name = m[2] || m[1].split('.').pop();
	if (!(m[1] in modules)) throw new Error('view requires unknown class ' + m[1]);
	names.push([name, modules[m[1]]]);
}
const factory = new Function('_', 'N_', 'L', ...names.map(n => n[0]), source);
const translate = s => s;
const viewObject = factory(translate, (n, s, p) => (n == 1 ? s : p), L, ...names.map(n => n[1]));

(async () => {
	const data = await viewObject.load();
	const node = await viewObject.render(data);
	const table = find(node, n => n.attrs && n.attrs.id == 'cwmpd-status');
	report.statusRows = rows(table);
	const button = find(node, n => n.tag == 'button');
	report.button = button ? text(button) : null;
	if (poll.fn) await poll.fn();
	report.statusRowsAfterPoll = rows(table);
	if (button) await button.attrs.click();
	report.sections = report.sections.map(s => ({
		type: s.type, name: s.name, sectionType: s.sectionType, tabs: s.tabs,
		options: s.options.map(o => ({
			type: o.type, name: o.name, tab: o.tab || null, datatype: o.datatype || null,
			password: !!o.password, validate: typeof o.validate == 'function', values: o.values
		}))
	}));
	process.stdout.write(JSON.stringify(report, null, 1) + '\n');
})().catch(err => {
	console.error(err && err.stack || err);
	process.exit(1);
});
