// The cwmpd view's test page: wires the stand-in rpcd (luci-stub.js) to the files the router
// would have — /etc/config/cwmpd as shipped (openwrt/files/cwmpd.config), the app's rpcd ACL,
// and a recorded `ubus call cwmpd status` answer — then loads the real view
// (/luci-static/resources/view/cwmpd.js) as LuCI's dispatcher does.
//
// ?scenario= picks the agent's side of ubus:
//   running  the agent answers status from the recorded fixture, inform with status 0;
//   hostile  as running, with markup in the strings an ACS or the network can choose;
//   failing  the object exists but its methods answer a ubus error status;
//   absent   no ubus object "cwmpd" (the agent is not running).
// ?clock=manual stops the poller's clock: a driver advances it (LuCIStub.poll.advance).
//
// window.LuCITest is what a driver reads: state ('loading', 'ready' or 'error'), setStatus()
// and snapshot(), a summary of the rendered page read back from the DOM.
'use strict';

(function() {

const params = new URLSearchParams(location.search);
const scenario = params.get('scenario') || 'running';
const UBUS_STATUS_UNKNOWN_ERROR = 9;

LuCIStub.manualClock = params.get('clock') == 'manual';

const test = window.LuCITest = { state: 'loading', scenario: scenario, fixtures: {}, status: null };

function fetchOk(url) {
	return fetch(url, { cache: 'no-store' }).then(res => {
		if (!res.ok)
			throw new Error('%s: HTTP %d'.format(url, res.status));
		return res;
	});
}

// The recorded answer with markup where an ACS (ManagementServer.URL, its error replies) or
// the network could put it.
function hostile(status) {
	return Object.assign({}, status, {
		acs_url: 'http://acs.example.net/<img src="/nothing-here" onerror="window.injected = true">',
		last_error: 'HTTP 500 from the ACS: <b id="injected-error">boom</b> & more'
	});
}

test.setStatus = function(name) {
	const status = test.fixtures[name];
	if (!status)
		throw new Error('no status fixture ' + name);
	test.status = (scenario == 'hostile') ? hostile(status) : status;
};

const text = el => el ? el.textContent.replace(/\s+/g, ' ').trim() : null;

function widgetOf(field) {
	const select = field.querySelector('select');
	if (select)
		return { kind: 'select', value: select.value, choices: Array.from(select.options, o => o.value) };
	const dynlist = field.querySelector('.cbi-dynlist');
	if (dynlist)
		return { kind: 'dynlist', items: Array.from(dynlist.querySelectorAll('.item'), i => i.getAttribute('data-value')) };
	const checkbox = field.querySelector('input[type="checkbox"]');
	if (checkbox)
		return { kind: 'checkbox', checked: checkbox.checked };
	const input = field.querySelector('input, textarea');
	if (input)
		return { kind: input.tagName.toLowerCase(), type: input.type, value: input.value, placeholder: input.placeholder };
	return { kind: 'none' };
}

test.snapshot = function() {
	const view = document.getElementById('view');
	return {
		state: test.state,
		scenario: scenario,
		errors: LuCIStub.errors.slice(),
		calls: LuCIStub.calls.slice(),
		saved: LuCIStub.saved.slice(),
		title: text(view.querySelector('.cbi-map h2')),
		statusRows: Array.from(document.querySelectorAll('#cwmpd-status tr'), tr => Array.from(tr.cells, text)),
		statusElements: Array.from(document.querySelectorAll('#cwmpd-status td *'), e => e.tagName.toLowerCase()),
		// Whether markup from the agent's answer became elements, or ran.
		injected: !!(document.querySelector('#cwmpd-status img, #injected-error') || window.injected),
		scriptRan: !!window.injected,
		notifications: Array.from(document.querySelectorAll('#maincontent > .alert-message'), n => ({
			classes: Array.from(n.classList).filter(c => c != 'alert-message' && c != 'fade-in'),
			text: text(n.firstElementChild)
		})),
		buttons: Array.from(view.querySelectorAll('button'), text).filter(t => t),
		sections: Array.from(view.querySelectorAll('.cbi-map > .cbi-section'), s => ({
			title: text(s.querySelector('h3')),
			tabs: Array.from(s.querySelectorAll('.cbi-tabmenu > li'), li => ({
				name: li.getAttribute('data-tab'),
				title: text(li),
				active: li.classList.contains('cbi-tab'),
				error: li.classList.contains('cbi-tab-error')
			}))
		})),
		fields: Array.from(view.querySelectorAll('.cbi-value[data-field]'), f => ({
			field: f.getAttribute('data-field'),
			type: f.getAttribute('data-type'),
			title: text(f.querySelector('.cbi-value-title')),
			hidden: f.classList.contains('hidden'),
			shown: f.getClientRects().length > 0,
			invalid: !!f.querySelector('.cbi-input-invalid'),
			widget: widgetOf(f)
		}))
	};
};

const agent = {
	status: () => [0, test.status],
	inform: () => [0]
};

Promise.all([
	fetchOk('/repo/openwrt/files/cwmpd.config').then(r => r.text()),
	fetchOk('/repo/openwrt/luci-app-cwmpd/root/usr/share/rpcd/acl.d/luci-app-cwmpd.json').then(r => r.json()),
	fetchOk('/repo/tests/packaging/cwmpd-status.json').then(r => r.json()),
	fetchOk('/repo/tests/packaging/cwmpd-status-polled.json').then(r => r.json())
]).then(([config, acl, recorded, polled]) => {
	// The session holds exactly the app's grant.
	LuCIStub.rpcd.acl = acl['luci-app-cwmpd'];
	LuCIStub.rpcd.configs.cwmpd = LuCIStub.parseUci(config);
	test.fixtures = { recorded: recorded, polled: polled };
	test.setStatus('recorded');
	switch (scenario) {
	case 'running':
	case 'hostile':
		LuCIStub.rpcd.objects.cwmpd = agent;
		break;
	case 'failing':
		LuCIStub.rpcd.objects.cwmpd = { status: () => [UBUS_STATUS_UNKNOWN_ERROR], inform: () => [UBUS_STATUS_UNKNOWN_ERROR] };
		break;
	case 'absent':
		break;
	default:
		throw new Error('unknown scenario ' + scenario);
	}
	return LuCIStub.loadView('cwmpd');
}).then(() => {
	test.state = 'ready';
}, err => {
	LuCIStub.fail(err);
	test.state = 'error';
	const view = document.getElementById('view');
	view.textContent = '';
	view.appendChild(E('pre', { 'class': 'alert-message error' }, [String(err && err.stack || err)]));
});

})();
