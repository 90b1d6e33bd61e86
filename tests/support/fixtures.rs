//! A TP-Link Archer C7 v5 (ath79, swconfig) freshly flashed with OpenWrt 23.05.5: the files
//! a sandbox root starts with. Contents follow what that image generates on first boot.

pub const OPENWRT_RELEASE: &str = "\
DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='23.05.5'
DISTRIB_REVISION='r24106-10cc5fcd00'
DISTRIB_TARGET='ath79/generic'
DISTRIB_ARCH='mips_24kc'
DISTRIB_DESCRIPTION='OpenWrt 23.05.5 r24106-10cc5fcd00'
DISTRIB_TAINTS=''
";

pub const BOARD_JSON: &str = r#"{
	"model": {
		"id": "tplink,archer-c7-v5",
		"name": "TP-Link Archer C7 v5"
	},
	"led": {
		"wan": {
			"name": "WAN",
			"sysfs": "green:wan",
			"type": "switch",
			"switch": "switch0",
			"ports": 2
		},
		"lan1": {
			"name": "LAN1",
			"sysfs": "green:lan1",
			"type": "switch",
			"switch": "switch0",
			"ports": 4
		},
		"lan2": {
			"name": "LAN2",
			"sysfs": "green:lan2",
			"type": "switch",
			"switch": "switch0",
			"ports": 8
		},
		"lan3": {
			"name": "LAN3",
			"sysfs": "green:lan3",
			"type": "switch",
			"switch": "switch0",
			"ports": 16
		},
		"lan4": {
			"name": "LAN4",
			"sysfs": "green:lan4",
			"type": "switch",
			"switch": "switch0",
			"ports": 32
		},
		"wlan2g": {
			"name": "WLAN2G",
			"sysfs": "green:wlan2g",
			"trigger": "phy1tpt"
		},
		"wlan5g": {
			"name": "WLAN5G",
			"sysfs": "green:wlan5g",
			"trigger": "phy0tpt"
		}
	},
	"switch": {
		"switch0": {
			"enable": true,
			"reset": true,
			"ports": [
				{
					"num": 0,
					"device": "eth0",
					"need_tag": false,
					"want_untag": false
				},
				{
					"num": 2,
					"role": "lan",
					"index": 1
				},
				{
					"num": 3,
					"role": "lan",
					"index": 2
				},
				{
					"num": 4,
					"role": "lan",
					"index": 3
				},
				{
					"num": 5,
					"role": "lan",
					"index": 4
				},
				{
					"num": 1,
					"role": "wan"
				}
			],
			"roles": [
				{
					"role": "lan",
					"ports": "2 3 4 5 0t",
					"device": "eth0.1"
				},
				{
					"role": "wan",
					"ports": "1 0t",
					"device": "eth0.2"
				}
			]
		}
	},
	"network": {
		"lan": {
			"device": "eth0.1",
			"protocol": "static"
		},
		"wan": {
			"device": "eth0.2",
			"protocol": "dhcp",
			"macaddr": "c0:06:c3:5a:1e:91"
		}
	},
	"system": {
		"label_macaddr": "c0:06:c3:5a:1e:90"
	},
	"wlan": {
		"phy0": {
			"path": "pci0000:00/0000:00:00.0",
			"info": {
				"antenna_rx": 7,
				"antenna_tx": 7,
				"bands": {
					"5G": {
						"ht": true,
						"vht": true,
						"max_width": 80,
						"modes": [
							"NOHT",
							"HT20",
							"HT40",
							"VHT20",
							"VHT40",
							"VHT80"
						],
						"default_channel": 36
					}
				},
				"radios": [
				]
			}
		},
		"phy1": {
			"path": "platform/ahb/18100000.wmac",
			"info": {
				"antenna_rx": 7,
				"antenna_tx": 7,
				"bands": {
					"2G": {
						"ht": true,
						"max_width": 40,
						"modes": [
							"NOHT",
							"HT20",
							"HT40"
						],
						"default_channel": 1
					}
				},
				"radios": [
				]
			}
		}
	}
}
"#;

pub const UCI_SYSTEM: &str = "
config system
	option hostname 'OpenWrt'
	option timezone 'UTC'
	option ttylogin '0'
	option log_size '64'
	option urandom_seed '0'

config timeserver 'ntp'
	option enabled '1'
	option enable_server '0'
	list server '0.openwrt.pool.ntp.org'
	list server '1.openwrt.pool.ntp.org'
	list server '2.openwrt.pool.ntp.org'
	list server '3.openwrt.pool.ntp.org'
";

pub const UCI_NETWORK: &str = "
config interface 'loopback'
	option device 'lo'
	option proto 'static'
	option ipaddr '127.0.0.1'
	option netmask '255.0.0.0'

config globals 'globals'
	option ula_prefix 'fd4c:9e2a:1b3d::/48'

config device
	option name 'br-lan'
	option type 'bridge'
	list ports 'eth0.1'

config interface 'lan'
	option device 'br-lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'
	option ip6assign '60'

config interface 'wan'
	option device 'eth0.2'
	option proto 'dhcp'

config interface 'wan6'
	option device 'eth0.2'
	option proto 'dhcpv6'

config switch
	option name 'switch0'
	option reset '1'
	option enable_vlan '1'

config switch_vlan
	option device 'switch0'
	option vlan '1'
	option ports '2 3 4 5 0t'

config switch_vlan
	option device 'switch0'
	option vlan '2'
	option ports '1 0t'
";

/// (path under the root, contents) of every file a fresh sandbox root gets besides
/// `/etc/config/cwmpd`.
pub const ROOT_FILES: [(&str, &str); 4] = [
    ("/etc/openwrt_release", OPENWRT_RELEASE),
    ("/etc/board.json", BOARD_JSON),
    ("/etc/config/system", UCI_SYSTEM),
    ("/etc/config/network", UCI_NETWORK),
];
