'use strict';
'require view';
'require dom';
'require form';
'require poll';
'require rpc';
'require ui';

// Services > TR-069 (CWMP): /etc/config/cwmpd as a form, and the agent's state from
// `ubus call cwmpd status`, refreshed every 5 s, with a "Send Inform now" button.
//
// Text from the agent (the ACS URL an ACS may set, error messages) goes into the page as text:
// E() and dom.content() take a string child for HTML, an array's strings as text.
// `reject: true`: a ubus error status fails the call (rpc.js would otherwise resolve with the
// status code, which would read as an empty status or a started session).

const callStatus = rpc.declare({
	object: 'cwmpd',
	method: 'status',
	expect: { '': {} },
	reject: true
});

const callInform = rpc.declare({
	object: 'cwmpd',
	method: 'inform',
	reject: true
});

// The status object: the answer itself, or its "status" member (the control socket's shape).
function statusOf(reply) {
	if (reply && typeof reply.status == 'object' && reply.status != null)
		return reply.status;
	return (reply && typeof reply == 'object') ? reply : null;
}

function orDash(value) {
	return (value == null || value === '') ? '-' : String(value);
}

function statusRows(st) {
	if (!st)
		return [[_('Agent'), E('em', _('Not running (no answer from ubus object "cwmpd")'))]];

	const last = st.last_session_start
		? '%s → %s'.format(st.last_session_start, orDash(st.last_session_end))
		: _('None yet');
	const outcome = st.last_error
		? '%s: %s'.format(orDash(st.last_outcome), st.last_error)
		: orDash(st.last_outcome);
	const next = (st.next_session_in_secs != null)
		? _('in %d s').format(Math.ceil(st.next_session_in_secs))
		: '-';
	const pending = (Array.isArray(st.pending_events) && st.pending_events.length)
		? st.pending_events.join(', ')
		: _('None');

	return [
		[_('Agent'), st.daemon_running === false ? _('Not running') : _('Running')],
		[_('ACS URL'), orDash(st.acs_url)],
		[_('Connection request URL'), orDash(st.connection_request_url)],
		[_('Session'), st.session_in_progress ? _('In progress') : _('Idle')],
		[_('Last session'), last],
		[_('Last outcome'), outcome],
		[_('Sessions'), _('%d completed, %d failed, %d retries').format(
			st.sessions_completed || 0, st.sessions_failed || 0, st.retry_count || 0)],
		[_('Next session'), next],
		[_('Next periodic inform'), orDash(st.next_periodic_inform)],
		[_('Pending events'), pending]
	];
}

function renderStatusTable(st) {
	return E('table', { 'class': 'table' }, statusRows(st).map(function(row) {
		return E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [row[0]]),
			E('td', { 'class': 'td left' }, [row[1]])
		]);
	}));
}

return view.extend({
	load: function() {
		return L.resolveDefault(callStatus(), null);
	},

	// ui.createHandlerFn keeps the button busy until this settles.
	sendInform: function() {
		return callInform().then(function() {
			ui.addNotification(null, E('p', [_('The agent starts a session with the ACS now.')]), 'info');
		}).catch(function(err) {
			ui.addNotification(null, E('p', [_('Could not ask the agent for a session: %s').format(err)]), 'error');
		});
	},

	render: function(reply) {
		const table = E('div', { 'id': 'cwmpd-status' }, renderStatusTable(statusOf(reply)));
		const statusPanel = E('div', { 'class': 'cbi-section' }, [
			E('h3', _('Status')),
			table,
			E('div', { 'class': 'right' }, E('button', {
				'class': 'btn cbi-button cbi-button-action',
				'click': ui.createHandlerFn(this, 'sendInform')
			}, _('Send Inform now')))
		]);

		poll.add(function() {
			return L.resolveDefault(callStatus(), null).then(function(reply) {
				dom.content(table, renderStatusTable(statusOf(reply)));
			});
		}, 5);

		let m, s, o;

		m = new form.Map('cwmpd', _('TR-069 (CWMP)'),
			_('cwmpd lets an ACS manage this router over TR-069. Settings take effect on Save & Apply without a restart.'));

		s = m.section(form.NamedSection, 'acs', 'acs', _('Auto-Configuration Server'));
		s.tab('acs', _('ACS'));
		s.tab('periodic', _('Periodic inform'));
		s.tab('tls', _('TLS'));
		s.tab('retry', _('Retries'));

		o = s.taboption('acs', form.Value, 'url', _('ACS URL'),
			_('For example http://acs.example.net:7547/ (GenieACS\'s CWMP port). Empty: the agent does not inform.'));
		o.placeholder = 'https://acs.example.net:7547/';
		o.validate = function(section_id, value) {
			return (value === '' || /^https?:\/\/[^\/\s?#]+/i.test(value))
				? true : _('Expecting an http:// or https:// URL');
		};

		o = s.taboption('acs', form.Value, 'username', _('Username'),
			_('Sent to the ACS (HTTP Basic or Digest authentication).'));
		o = s.taboption('acs', form.Value, 'password', _('Password'));
		o.password = true;

		o = s.taboption('periodic', form.Flag, 'periodic_enable', _('Periodic inform'));
		o.default = o.enabled;
		o.rmempty = false;

		o = s.taboption('periodic', form.Value, 'periodic_interval', _('Interval'), _('Seconds between periodic informs.'));
		o.datatype = 'and(uinteger,min(1))';
		o.placeholder = '86400';
		o.depends('periodic_enable', '1');

		o = s.taboption('periodic', form.Value, 'periodic_time', _('Reference time'),
			_('Phase of the periodic informs: a TR-069 dateTime such as 1970-01-01T03:25:00Z, or Unix seconds.'));
		o.validate = function(section_id, value) {
			return (value === '' || /^\d+$/.test(value) ||
				/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.test(value))
				? true : _('Expecting a dateTime (YYYY-MM-DDThh:mm:ssZ) or Unix seconds');
		};
		o.depends('periodic_enable', '1');

		o = s.taboption('tls', form.Value, 'ca_file', _('CA file'),
			_('Extra CA certificates (PEM) for an https:// ACS; the system bundle is always trusted. Files in /etc/cwmpd/ are kept across sysupgrade.'));
		o.placeholder = '/etc/cwmpd/acs-ca.pem';
		o = s.taboption('tls', form.Value, 'client_cert', _('Client certificate'));
		o.placeholder = '/etc/cwmpd/client.pem';
		o = s.taboption('tls', form.Value, 'client_key', _('Client key'));
		o.placeholder = '/etc/cwmpd/client.key';

		o = s.taboption('retry', form.Value, 'retry_min_wait', _('Minimum wait'),
			_('CWMPRetryMinimumWaitInterval: seconds before the first retry of a failed session.'));
		o.datatype = 'range(1,65535)';
		o.placeholder = '5';
		o = s.taboption('retry', form.Value, 'retry_multiplier', _('Multiplier'),
			_('CWMPRetryIntervalMultiplier, per mille: 2000 doubles the wait after each failure.'));
		o.datatype = 'range(1000,65535)';
		o.placeholder = '2000';

		s = m.section(form.NamedSection, 'cpe', 'cpe', _('This device'));
		s.tab('general', _('General'));
		s.tab('cr', _('Connection requests'));
		s.tab('identity', _('Identity'));

		o = s.taboption('general', form.Flag, 'enable', _('Enable CWMP'),
			_('Off: no sessions with the ACS, and the connection-request port stays closed on WAN.'));
		o.default = o.enabled;
		o.rmempty = false;

		o = s.taboption('general', form.Value, 'interface', _('Interface'),
			_('The logical or Linux interface whose address goes into the connection request URL.'));
		o.placeholder = 'wan';

		o = s.taboption('general', form.ListValue, 'log_level', _('Log level'));
		o.value('error', _('Error'));
		o.value('warn', _('Warning'));
		o.value('info', _('Info'));
		o.value('debug', _('Debug'));
		o.value('trace', _('Trace (every SOAP envelope, passwords redacted)'));
		o.default = 'info';

		o = s.taboption('general', form.Value, 'transfer_queue_depth', _('Transfer queue depth'),
			_('Downloads and uploads queued or running at once; the ACS gets fault 9004 beyond.'));
		o.datatype = 'range(1,64)';
		o.placeholder = '8';

		o = s.taboption('cr', form.Value, 'cr_port', _('Port'),
			_('TCP port of the connection-request listener; opened on the WAN zone while CWMP is enabled.'));
		o.datatype = 'port';
		o.placeholder = '7547';

		o = s.taboption('cr', form.Value, 'cr_path', _('Path'), _('Empty: a random path, chosen once and kept.'));
		o.validate = function(section_id, value) {
			return /^\/?[A-Za-z0-9._~\/-]*$/.test(value) ? true : _('Expecting a URL path');
		};

		o = s.taboption('cr', form.Value, 'cr_username', _('Username'),
			_('The ACS authenticates its connection requests with these (HTTP Digest).'));
		o = s.taboption('cr', form.Value, 'cr_password', _('Password'));
		o.password = true;

		o = s.taboption('cr', form.Value, 'cr_rate_limit', _('Rate limit'), _('Accepted requests per hour; 0: unlimited.'));
		o.datatype = 'uinteger';
		o.placeholder = '50';

		o = s.taboption('cr', form.DynamicList, 'cr_allow', _('Allowed sources'),
			_('Addresses or networks the ACS sends connection requests from; empty: any.'));
		o.datatype = 'ipaddr';

		o = s.taboption('identity', form.Value, 'manufacturer', _('Manufacturer'));
		o.placeholder = 'OpenWrt';
		o = s.taboption('identity', form.Value, 'oui', _('Manufacturer OUI'),
			_('Six hex digits; empty: from the board\'s MAC address.'));
		o.validate = function(section_id, value) {
			return (value === '' || /^[0-9A-Fa-f]{6}$/.test(value)) ? true : _('Expecting six hex digits');
		};
		o = s.taboption('identity', form.Value, 'product_class', _('Product class'), _('Empty: the board name.'));
		o = s.taboption('identity', form.Value, 'serial', _('Serial number'), _('Empty: the board\'s MAC address.'));

		return m.render().then(function(formNode) {
			return E('div', {}, [statusPanel, formNode]);
		});
	}
});
