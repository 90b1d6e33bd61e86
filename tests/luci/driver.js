// Loads the cwmpd LuCI view in headless Chromium and works it as a person would.
//
// Usage: node tests/luci/driver.js --chromium /usr/bin/chromium --out DIR
//
// Serves tests/luci/ (the page, the LuCI stand-in), the view as the router serves it
// (/luci-static/...), and the shipped config, ACL and recorded status answers from 127.0.0.1,
// and drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: no port,
// no npm package). For each scenario of tests/luci/harness.js it waits for the view, reads the
// page back (LuCITest.snapshot()), and clicks what a person would click: the Send Inform now
// button, a tab, the periodic-inform flag. It writes DIR/luci-cwmpd.png (the page as first
// shown), DIR/luci-cwmpd.html (its DOM, serialized as --dump-dom does), a few more screenshots,
// and DIR/luci-report.json, which it also prints. Chromium reaches nothing but 127.0.0.1: every
// host name resolves to nothing and every other address goes to a closed proxy port.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const TIMEOUT_MS = 25000;
const repo = path.resolve(__dirname, '..', '..');

function usage() {
	process.stderr.write('usage: node tests/luci/driver.js --chromium PATH --out DIR\n');
	process.exit(2);
}

const opts = {};
for (let i = 2; i < process.argv.length; i += 2) {
	const key = process.argv[i], value = process.argv[i + 1];
	if (!/^--(chromium|out)$/.test(key) || value == null)
		usage();
	opts[key.substring(2)] = value;
}
if (!opts.chromium || !opts.out)
	usage();
fs.mkdirSync(opts.out, { recursive: true });

// --- the web server --------------------------------------------------------------------------

const routes = [
	['/luci/', 'tests/luci/'],
	['/luci-static/', 'openwrt/luci-app-cwmpd/htdocs/luci-static/'],
	['/repo/openwrt/', 'openwrt/'],
	['/repo/tests/packaging/', 'tests/packaging/']
];
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const requests = [];

const server = http.createServer((req, res) => {
	const url = new URL(req.url, 'http://127.0.0.1');
	let file = null;
	if (url.pathname == '/' || url.pathname == '/index.html')
		file = 'tests/luci/index.html';
	for (const [prefix, dir] of routes)
		if (url.pathname.startsWith(prefix))
			file = dir + url.pathname.substring(prefix.length);
	let body = null;
	if (file != null && !file.split('/').includes('..')) {
		try {
			body = fs.readFileSync(path.join(repo, file));
		}
		catch (e) {
			body = null;
		}
	}
	requests.push({ path: url.pathname, status: body ? 200 : 404 });
	if (!body) {
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('not found\n');
		return;
	}
	res.writeHead(200, {
		'Content-Type': (types[path.extname(file)] || 'text/plain') + '; charset=utf-8',
		'Cache-Control': 'no-store'
	});
	res.end(body);
});

// --- the DevTools protocol on a pipe (fd 3: commands to Chromium, fd 4: its answers) ---------

class Pipe {
	constructor(child) {
		this.out = child.stdio[3];
		this.pending = new Map();
		this.listeners = [];
		this.id = 0;
		let buffered = '';
		child.stdio[4].on('data', chunk => {
			buffered += chunk.toString('utf8');
			let end;
			while ((end = buffered.indexOf('\0')) >= 0) {
				const msg = JSON.parse(buffered.substring(0, end));
				buffered = buffered.substring(end + 1);
				if (msg.id != null && this.pending.has(msg.id)) {
					const { resolve, reject, method } = this.pending.get(msg.id);
					this.pending.delete(msg.id);
					if (msg.error)
						reject(new Error(method + ': ' + msg.error.message));
					else
						resolve(msg.result);
				}
				else if (msg.method) {
					this.listeners.forEach(fn => fn(msg));
				}
			}
		});
	}
	send(method, params, sessionId) {
		const id = ++this.id;
		const msg = { id: id, method: method, params: params || {} };
		if (sessionId)
			msg.sessionId = sessionId;
		this.out.write(JSON.stringify(msg) + '\0');
		return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
	}
}

// --- the run ---------------------------------------------------------------------------------

const report = { scenarios: {}, console: [], exceptions: [], requests: requests, screenshots: [] };
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'luci-chromium-'));
let chromium = null, chromiumLog = '';

function writeFile(name, data) {
	const file = path.join(opts.out, name);
	fs.writeFileSync(file, data);
	return file;
}

async function run() {
	await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
	const base = 'http://127.0.0.1:%d/'.replace('%d', server.address().port);

	chromium = spawn(opts.chromium, [
		'--headless',
		'--no-sandbox',
		'--disable-gpu',
		'--disable-quic',
		'--no-first-run',
		'--no-default-browser-check',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--disable-default-apps',
		'--disable-extensions',
		'--disable-dev-shm-usage',
		'--hide-scrollbars',
		'--mute-audio',
		'--force-device-scale-factor=1',
		'--window-size=1280,1600',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
		'--proxy-server=127.0.0.1:9',
		'--user-data-dir=' + profile,
		'--remote-debugging-pipe',
		'about:blank'
	], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
	chromium.stderr.on('data', d => { chromiumLog = (chromiumLog + d.toString()).slice(-4000); });
	const exited = new Promise(resolve => chromium.on('exit', (code, signal) => resolve({ code, signal })));
	exited.then(how => { chromium.exitedWith = how; });

	const cdp = new Pipe(chromium);
	const { targetId } = await Promise.race([
		cdp.send('Target.createTarget', { url: 'about:blank' }),
		exited.then(how => { throw new Error('chromium exited at start (%s)'.replace('%s', JSON.stringify(how))); })
	]);
	const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: targetId, flatten: true });
	const page = (method, params) => cdp.send(method, params, sessionId);

	cdp.listeners.push(msg => {
		if (msg.method == 'Runtime.exceptionThrown') {
			const d = msg.params.exceptionDetails;
			report.exceptions.push((d.exception && d.exception.description) || d.text);
		}
		else if (msg.method == 'Runtime.consoleAPICalled') {
			report.console.push({
				type: msg.params.type,
				text: msg.params.args.map(a => a.value != null ? String(a.value) : (a.description || '')).join(' ')
			});
		}
		else if (msg.method == 'Log.entryAdded') {
			report.console.push({ type: 'log-' + msg.params.entry.level, text: msg.params.entry.text + ' ' + (msg.params.entry.url || '') });
		}
	});
	await page('Page.enable');
	await page('Runtime.enable');
	await page('Log.enable');
	await page('Emulation.setDeviceMetricsOverride', { width: 1280, height: 1600, deviceScaleFactor: 1, mobile: false });

	async function evaluate(expression) {
		const r = await page('Runtime.evaluate', { expression: expression, awaitPromise: true, returnByValue: true });
		if (r.exceptionDetails)
			throw new Error('in page: ' + ((r.exceptionDetails.exception && r.exceptionDetails.exception.description) || r.exceptionDetails.text));
		return r.result.value;
	}

	async function waitFor(expression, what, ms) {
		const until = Date.now() + (ms || 8000);
		for (;;) {
			if (await evaluate(expression))
				return;
			if (Date.now() > until)
				throw new Error('timed out waiting for ' + what);
			await new Promise(resolve => setTimeout(resolve, 25));
		}
	}

	// Two frames: what the page does in requestAnimationFrame (password fields) is done.
	const frames = () => evaluate('new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))');
	const snapshot = () => evaluate('LuCITest.snapshot()');

	async function screenshot(name) {
		await evaluate('window.scrollTo(0, 0)');
		await frames();
		const shot = await page('Page.captureScreenshot', { format: 'png' });
		report.screenshots.push(writeFile(name, Buffer.from(shot.data, 'base64')));
	}

	async function open(scenario) {
		await page('Page.navigate', { url: base + '?scenario=' + scenario + '&clock=manual' });
		await waitFor('window.LuCITest != null && LuCITest.state != "loading"', 'the ' + scenario + ' page');
		// Images the page shows have loaded or failed, and their handlers have run.
		await waitFor('Array.from(document.images).every(i => i.complete)', 'images on the ' + scenario + ' page');
		await evaluate('new Promise(r => setTimeout(r, 50))');
		await frames();
	}

	// A mouse click in the middle of the element `expression` finds, which must be on top there.
	async function click(expression, what) {
		const at = await evaluate('(() => { const el = ' + expression + '; if (!el) return null;' +
			' el.scrollIntoView({ block: "center" }); const r = el.getBoundingClientRect();' +
			' const x = r.left + r.width / 2, y = r.top + r.height / 2, hit = document.elementFromPoint(x, y);' +
			' return { x: x, y: y, onTop: !!hit && (hit === el || el.contains(hit)) }; })()');
		if (!at)
			throw new Error('nothing to click: ' + what);
		if (!at.onTop)
			throw new Error('covered, cannot click: ' + what);
		for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'])
			await page('Input.dispatchMouseEvent', { type: type, x: at.x, y: at.y, button: 'left', buttons: type == 'mousePressed' ? 1 : 0, clickCount: 1 });
		await frames();
	}

	const informButton = 'Array.from(document.querySelectorAll("#view button")).find(b => b.textContent.trim() == "Send Inform now")';
	const noticed = 'document.querySelector("#maincontent > .alert-message") != null';

	// The agent answers: the page as first shown, one poll later, the periodic tab and its
	// flag, and Send Inform now.
	{
		const r = report.scenarios.running = {};
		await open('running');
		await screenshot('luci-cwmpd.png');
		writeFile('luci-cwmpd.html', await evaluate('"<!DOCTYPE html>\\n" + document.documentElement.outerHTML'));
		r.initial = await snapshot();
		r.polled = await evaluate('LuCITest.setStatus("polled"), LuCIStub.poll.advance(5).then(() => LuCITest.snapshot())');
		await click('document.querySelector(".cbi-tabmenu li[data-tab=\\"periodic\\"] a")', 'the Periodic inform tab');
		r.periodicTab = await snapshot();
		const flag = 'document.querySelector("[data-field=\\"cbid.cwmpd.acs.periodic_enable\\"] input[type=checkbox]")';
		await click(flag, 'the periodic inform flag');
		r.periodicOff = await snapshot();
		await click(flag, 'the periodic inform flag');
		r.periodicOn = await snapshot();
		await click(informButton, 'Send Inform now');
		await waitFor(noticed, 'a notification after Send Inform now');
		r.afterInform = await snapshot();
		await screenshot('luci-cwmpd-inform.png');
	}

	// Markup in what the ACS controls; a ubus error status; no agent at all.
	for (const scenario of ['hostile', 'failing', 'absent']) {
		const r = report.scenarios[scenario] = {};
		await open(scenario);
		r.initial = await snapshot();
		await click(informButton, 'Send Inform now');
		await waitFor(noticed, 'a notification after Send Inform now');
		r.afterInform = await snapshot();
		await screenshot('luci-cwmpd-' + scenario + '.png');
	}

	await cdp.send('Browser.close').catch(() => {});
	await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 3000))]);
}

function finish(code, err) {
	if (err) {
		report.error = String(err && err.stack || err);
		report.chromiumLog = chromiumLog;
	}
	const json = JSON.stringify(report, null, 1) + '\n';
	writeFile('luci-report.json', json);
	process.stdout.write(json);
	if (err)
		process.stderr.write('luci driver: ' + report.error + '\nchromium said:\n' + chromiumLog + '\n');
	if (chromium && !chromium.exitedWith)
		chromium.kill('SIGKILL');
	server.close();
	try {
		fs.rmSync(profile, { recursive: true, force: true });
	}
	catch (e) {
		// a profile directory left in /tmp is no failure
	}
	process.exit(code);
}

const timer = setTimeout(() => finish(1, new Error('timed out after ' + TIMEOUT_MS + ' ms')), TIMEOUT_MS);
run().then(() => { clearTimeout(timer); finish(0); }, err => { clearTimeout(timer); finish(1, err); });
