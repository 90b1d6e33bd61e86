//! Native UCI against a corpus of real and tricky files: byte-for-byte round trips, exact
//! edits, exact errors, libuci-format staging, concurrent writers and crash safety.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cwmpd::backend::uci::{Change, UciError, UciFile, UciStore, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/uci");

fn fixture(name: &str) -> String {
    fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// The package a fixture is for: `firewall-23.05-stock` → `firewall`.
fn package_of(name: &str) -> &str {
    name.split('-').next().unwrap()
}

fn parse_fixture(name: &str) -> UciFile {
    UciFile::parse(package_of(name), &fixture(name)).unwrap()
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// What `uci show PACKAGE` prints (anonymous sections as `@type[n]`).
fn show(file: &UciFile) -> String {
    let package = file.package();
    let mut out = String::new();
    for section in file.sections() {
        let address = section.address();
        out += &format!("{package}.{address}={}\n", section.section_type());
        for (name, value) in section.options() {
            let shown = match value {
                Value::Single(value) => quote(value),
                Value::List(items) => items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(" "),
            };
            out += &format!("{package}.{address}.{name}={shown}\n");
        }
    }
    out
}

/// A written file reads back as the same configuration, and renders as written.
fn assert_reads_back(file: &UciFile) {
    let again = UciFile::parse(file.package(), file.text()).unwrap();
    assert_eq!(show(&again), show(file));
    assert_eq!(again.text(), file.text());
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("uci-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn store_in(dir: &Path) -> UciStore {
    UciStore::new(dir.join("etc/config"), dir.join("tmp/.cwmpd-uci"))
}

// ----- round trips -----

#[test]
fn every_fixture_round_trips_byte_for_byte() {
    let names = all_fixtures();
    assert!(names.len() >= 16, "{names:?}");
    for name in names {
        let text = fixture(&name);
        let file =
            UciFile::parse(package_of(&name), &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(file.text(), text, "{name}");
        assert_eq!(file.render(), text, "{name}");
        assert_reads_back(&file);
    }
}

#[test]
fn setting_values_that_are_already_there_changes_nothing() {
    for name in all_fixtures() {
        let mut file = parse_fixture(&name);
        let before = file.text().to_string();
        let settings: Vec<(String, String, Value)> = file
            .sections()
            .flat_map(|s| {
                let id = s.id().to_string();
                s.options()
                    .map(move |(o, v)| (id.clone(), o.to_string(), v.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (section, option, value) in settings {
            match value {
                // Values with line breaks cannot be set (libuci refuses them too).
                Value::Single(v) if v.contains('\n') => {}
                Value::Single(v) => file.set(&section, &option, &v).unwrap(),
                Value::List(items) => file.set_list(&section, &option, &items).unwrap(),
            }
        }
        assert_eq!(file.text(), before, "{name}");
        assert!(file.changes().is_empty(), "{name}");
    }
}

#[test]
fn tricky_syntax_reads_as_libuci_reads_it() {
    let file = parse_fixture("tricky-quoting");
    let expected = "\
tricky.named1=type1
tricky.named1.bare='word'
tricky.named1.single='it'\\''s'
tricky.named1.double='say \"hi\" and \\ back'
tricky.named1.glued='onetwothree'
tricky.named1.escaped_space='a b'
tricky.named1.hash_in_quotes='#not a comment'
tricky.named1.inline_comment='value'
tricky.named1.tight_comment='value'
tricky.named1.semicolon='a;b'
tricky.named1.multi='first line
second line'
tricky.named1.continued='first second'
tricky.named1.late_empty='kept'
tricky.named1.items='x' 'y' 'z' ''
tricky.named1.reopened='merged into the first named1'
tricky.named2=type1
tricky.named2.overwritten='new'
tricky.named2.converted='first' 'second'
tricky.@type2[0]=type2
tricky.@type2[0].spaced='tabs and spaces'
tricky.@type2[1]=type2
tricky.@type2[1].back_to_back='no blank line before'
tricky.@type2[2]=type2
tricky.@type2[2].after_semicolon='value'
tricky.@type2[2].more='item'
tricky.quoted=quoted-type
tricky.quoted.carriage='cr'
";
    assert_eq!(show(&file), expected);
    // libuci's ids: the package's section counter and a hash of the type.
    let ids: Vec<&str> = file.sections_of_type("type2").map(|s| s.id()).collect();
    assert_eq!(ids, ["cfg035e19", "cfg045e19", "cfg055e19"]);
    assert_eq!(
        file.get("cfg045e19", "back_to_back"),
        Some("no blank line before")
    );
    assert_eq!(file.get("@type2[-1]", "after_semicolon"), Some("value"));
    assert_eq!(file.get("@[1]", "overwritten"), Some("new"));
    assert_eq!(file.get("named1", "empty"), None);
    assert_eq!(file.get_list("named1", "bare"), ["word"]);
    assert_eq!(
        file.get("named1", "items"),
        None,
        "a list has no single value"
    );
    assert_eq!(file.get_list("named2", "missing"), Vec::<&str>::new());
}

#[test]
fn crlf_and_unterminated_files_read() {
    let file = parse_fixture("tricky-crlf");
    assert_eq!(
        show(&file),
        "tricky.lan=interface\ntricky.lan.proto='static'\ntricky.lan.dns='1.1.1.1'\n\
         tricky.@rule[0]=rule\ntricky.@rule[0].name='Allow-SSH'\n"
    );
    let file = parse_fixture("tricky-no-final-newline");
    assert_eq!(file.get("lan", "ipaddr"), Some("10.0.0.1"));
}

#[test]
fn stock_files_read_their_bare_values() {
    let firewall = parse_fixture("firewall-23.05-stock");
    assert_eq!(firewall.get("@defaults[0]", "input"), Some("REJECT"));
    assert_eq!(firewall.get_list("@zone[1]", "network"), ["wan", "wan6"]);
    assert_eq!(firewall.get("@rule[-1]", "name"), Some("Allow-ISAKMP"));
    assert_eq!(firewall.get("@rule[6]", "dest"), Some("*"));
    assert_eq!(firewall.sections().count(), 13);
    assert_eq!(firewall.section("@zone[0]").unwrap().id(), "cfg02dc81");
    let dhcp = parse_fixture("dhcp-23.05-stock");
    assert_eq!(dhcp.get("@dnsmasq[0]", "filterwin2k"), Some("0"));
    assert_eq!(dhcp.get("@dnsmasq[0]", "nonwildcard"), Some("1"));
    assert_eq!(dhcp.get("lan", "start"), Some("100"));
    assert_eq!(dhcp.get("@dnsmasq[0]", "rebind_domain"), None);
    let wireless = parse_fixture("wireless-24.10");
    assert_eq!(
        wireless.get("default_radio0", "ssid"),
        Some("Home & \"Garden\"")
    );
    assert_eq!(
        wireless.get("default_radio0", "key"),
        Some("it's a s3cret; really # not a comment")
    );
    assert_eq!(
        wireless.section("@wifi-iface[2]").unwrap().id(),
        "cfg053579"
    );
}

// ----- edits -----

#[test]
fn a_changed_option_changes_only_its_line() {
    let text = fixture("firewall-23.05-stock");
    let mut file = UciFile::parse("firewall", &text).unwrap();
    file.set("@defaults[0]", "input", "DROP").unwrap();
    let expected = text.replacen(
        "\toption input\t\tREJECT\n",
        "\toption input\t\t'DROP'\n",
        1,
    );
    assert_eq!(file.text(), expected);
    assert_eq!(file.changes(), [Change::set("cfg01e63d", "input", "DROP")]);
    assert_reads_back(&file);

    let text = fixture("dhcp-23.05-stock");
    let mut file = UciFile::parse("dhcp", &text).unwrap();
    file.set("@dnsmasq[0]", "filterwin2k", "1").unwrap();
    let expected = text.replacen(
        "\toption filterwin2k\t0  # enable for dial on demand\n",
        "\toption filterwin2k\t'1'  # enable for dial on demand\n",
        1,
    );
    assert_eq!(file.text(), expected);
}

#[test]
fn edits_on_a_libuci_written_file_give_exact_text() {
    let mut file = parse_fixture("network-23.05");
    file.set("lan", "ipaddr", "192.168.2.1").unwrap();
    file.set("lan", "gateway", "192.168.2.254").unwrap();
    file.add_list("lan", "dns", "192.168.2.254").unwrap();
    file.add_list("lan", "dns", "it's").unwrap();
    assert!(file.delete_option("globals", "ula_prefix").unwrap());
    assert!(file.delete_section("wan6").unwrap());
    assert_eq!(
        file.add_section("interface", Some("guest")).unwrap(),
        "guest"
    );
    file.set("guest", "proto", "static").unwrap();
    file.set_list("guest", "ipaddr", &["10.0.0.1/24", "10.0.1.1/24"])
        .unwrap();
    let expected = "
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'
\toption ipaddr '127.0.0.1'
\toption netmask '255.0.0.0'

config globals 'globals'

config device
\toption name 'br-lan'
\toption type 'bridge'
\tlist ports 'lan1'
\tlist ports 'lan2'
\tlist ports 'lan3'
\tlist ports 'lan4'

config interface 'lan'
\toption device 'br-lan'
\toption proto 'static'
\toption ipaddr '192.168.2.1'
\toption netmask '255.255.255.0'
\toption ip6assign '60'
\toption gateway '192.168.2.254'
\tlist dns '192.168.2.254'
\tlist dns 'it'\\''s'

config interface 'wan'
\toption device 'wan'
\toption proto 'dhcp'

config interface 'guest'
\toption proto 'static'
\tlist ipaddr '10.0.0.1/24'
\tlist ipaddr '10.0.1.1/24'

";
    assert_eq!(file.text(), expected);
    assert_reads_back(&file);
    assert_eq!(
        file.changes(),
        [
            Change::set("lan", "ipaddr", "192.168.2.1"),
            Change::set("lan", "gateway", "192.168.2.254"),
            Change::add_list("lan", "dns", "192.168.2.254"),
            Change::add_list("lan", "dns", "it's"),
            Change::delete_option("globals", "ula_prefix"),
            Change::delete_section("wan6"),
            Change::SetType {
                section: "guest".into(),
                section_type: "interface".into()
            },
            Change::set("guest", "proto", "static"),
            Change::add_list("guest", "ipaddr", "10.0.0.1/24"),
            Change::add_list("guest", "ipaddr", "10.0.1.1/24"),
        ]
    );
}

#[test]
fn lists_grow_shrink_and_turn_into_options_in_place() {
    let text = fixture("network-23.05");
    let ports =
        "\tlist ports 'lan1'\n\tlist ports 'lan2'\n\tlist ports 'lan3'\n\tlist ports 'lan4'\n";
    let mut file = UciFile::parse("network", &text).unwrap();
    file.add_list("@device[0]", "ports", "lan5").unwrap();
    assert_eq!(
        file.text(),
        text.replacen(ports, &format!("{ports}\tlist ports 'lan5'\n"), 1)
    );
    assert!(file.del_list("@device[0]", "ports", "lan2").unwrap());
    assert!(!file.del_list("@device[0]", "ports", "lan9").unwrap());
    let after_del =
        "\tlist ports 'lan1'\n\tlist ports 'lan3'\n\tlist ports 'lan4'\n\tlist ports 'lan5'\n";
    assert_eq!(file.text(), text.replacen(ports, after_del, 1));
    file.set_list(
        "@device[0]",
        "ports",
        &["lan1", "lan3", "lan4", "lan5", "lan6"],
    )
    .unwrap();
    file.set_list("@device[0]", "ports", &["lan4"]).unwrap();
    assert_eq!(
        file.text(),
        text.replacen(ports, "\tlist ports 'lan4'\n", 1)
    );
    file.set("@device[0]", "ports", "lan1").unwrap();
    assert_eq!(
        file.text(),
        text.replacen(ports, "\toption ports 'lan1'\n", 1)
    );
    file.add_list("@device[0]", "ports", "lan2").unwrap();
    assert_eq!(
        file.text(),
        text.replacen(ports, "\tlist ports 'lan1'\n\tlist ports 'lan2'\n", 1)
    );
    assert_eq!(file.get_list("@device[0]", "ports"), ["lan1", "lan2"]);
    let changes = file.changes();
    assert_eq!(
        changes[changes.len() - 2..],
        [
            Change::set("cfg030f15", "ports", "lan1"),
            Change::add_list("cfg030f15", "ports", "lan2"),
        ]
    );
}

#[test]
fn odd_layouts_edit_safely() {
    let text = fixture("tricky-quoting");
    let mut file = UciFile::parse("tricky", &text).unwrap();
    // Overwritten and converted options are rewritten as one statement where the first was.
    file.set("named2", "overwritten", "newest").unwrap();
    file.set("named2", "converted", "only").unwrap();
    // A multi-line value becomes one line; a list fed by four statements grows by one line.
    file.set("named1", "multi", "one line").unwrap();
    file.add_list("named1", "items", "w").unwrap();
    // Statements sharing a line with others are cut out, the rest of the line stays.
    file.delete_option("@type2[2]", "after_semicolon").unwrap();
    file.set("@type2[2]", "more", "single").unwrap();
    file.rename_section("@type2[0]", "renamed").unwrap();
    file.set("named1", "reopened", "still in the reopened block")
        .unwrap();
    let expected = text
        .replacen(
            "\toption overwritten 'old'\n\toption overwritten 'new'\n",
            "\toption overwritten 'newest'\n",
            1,
        )
        .replacen(
            "\toption converted 'first'\n\tlist converted 'second'\n",
            "\toption converted 'only'\n",
            1,
        )
        .replacen("'first line\nsecond line'", "'one line'", 1)
        .replacen(
            "\tlist items ''\n",
            "\tlist items ''\n\tlist items 'w'\n",
            1,
        )
        .replacen(
            "config type2; option after_semicolon 'value' ; list more 'item'\n",
            "config type2; \n\toption more 'single'\n",
            1,
        )
        .replacen("config\ttype2\n", "config\ttype2 'renamed'\n", 1)
        .replacen(
            "'merged into the first named1'",
            "'still in the reopened block'",
            1,
        );
    assert_eq!(file.text(), expected);
    assert_reads_back(&file);
    assert_eq!(file.get("renamed", "spaced"), Some("tabs and spaces"));
    assert_eq!(file.get("@type2[2]", "more"), Some("single"));
}

#[test]
fn anonymous_sections_are_added_and_deleted_like_libuci() {
    let text = fixture("firewall-24.10");
    let mut file = UciFile::parse("firewall", &text).unwrap();
    let id = file.add_section("rule", None).unwrap();
    assert_eq!(id, "cfg0992bd", "ninth section of the package");
    file.set(&id, "name", "Allow-CWMP").unwrap();
    file.set("@rule[-1]", "dest_port", "7547").unwrap();
    let added = "\nconfig rule\n\toption name 'Allow-CWMP'\n\toption dest_port '7547'\n";
    assert_eq!(
        file.text(),
        format!("{}{added}\n", text.strip_suffix('\n').unwrap())
    );
    assert_eq!(
        file.changes()[0],
        Change::AddAnonymous {
            section: "cfg0992bd".into(),
            section_type: "rule".into()
        }
    );
    // Ids stay as given for the life of the loaded file, as in libuci.
    assert!(file.delete_section("@zone[0]").unwrap());
    assert_eq!(file.section("@rule[-1]").unwrap().id(), "cfg0992bd");
    assert_eq!(file.section("@zone[0]").unwrap().id(), "cfg03dc81");
    let expected = text
        .replacen(
            "\nconfig zone\n\toption name 'lan'\n\tlist network 'lan'\n\toption input 'ACCEPT'\n\
             \toption output 'ACCEPT'\n\toption forward 'ACCEPT'\n",
            "",
            1,
        )
        .strip_suffix('\n')
        .unwrap()
        .to_string()
        + added
        + "\n";
    assert_eq!(file.text(), expected);
    assert_reads_back(&file);
    // After a reload, ids follow the positions again.
    let reloaded = UciFile::parse("firewall", file.text()).unwrap();
    assert_eq!(reloaded.section("@rule[-1]").unwrap().id(), "cfg0892bd");
}

#[test]
fn deleting_a_section_takes_its_comment_and_blank_line() {
    let text = fixture("firewall-23.05-stock");
    let mut file = UciFile::parse("firewall", &text).unwrap();
    assert!(file.delete_section("@rule[1]").unwrap());
    let ping =
        "\n# Allow IPv4 ping\nconfig rule\n\toption name\t\tAllow-Ping\n\toption src\t\twan\n\
                \toption proto\t\ticmp\n\toption icmp_type\techo-request\n\toption family\t\tipv4\n\
                \toption target\t\tACCEPT\n";
    assert!(text.contains(ping));
    assert_eq!(file.text(), text.replacen(ping, "", 1));
    assert!(!file.delete_section("@rule[42]").unwrap());
    assert!(!file.delete_section("nonexistent").unwrap());
}

#[test]
fn new_files_look_like_libuci_exports() {
    let mut file = UciFile::new("cwmpd").unwrap();
    file.add_section("acs", Some("acs")).unwrap();
    file.set("acs", "url", "https://acs.example.net/").unwrap();
    let cpe = file.add_section("cpe", None).unwrap();
    file.set(&cpe, "cr_port", "7547").unwrap();
    assert_eq!(
        file.text(),
        "\nconfig acs 'acs'\n\toption url 'https://acs.example.net/'\n\nconfig cpe\n\toption cr_port '7547'\n\n"
    );
    let mut bare = UciFile::parse("x", "config a 'b'").unwrap();
    bare.set("b", "c", "d").unwrap();
    assert_eq!(bare.text(), "config a 'b'\n\toption c 'd'\n");
    let mut comments = parse_fixture("tricky-comments-only");
    comments.add_section("t", Some("n")).unwrap();
    assert_eq!(
        comments.text(),
        format!("{}\nconfig t 'n'\n", fixture("tricky-comments-only"))
    );
}

#[test]
fn bad_edits_are_refused_and_leave_the_file_alone() {
    let text = fixture("network-23.05");
    let mut file = UciFile::parse("network", &text).unwrap();
    assert_eq!(
        file.set("lan", "ip-addr", "x"),
        Err(UciError::InvalidName("ip-addr".into()))
    );
    assert_eq!(
        file.set("lan", "ipaddr", "a\nb"),
        Err(UciError::InvalidValue("a\nb".into()))
    );
    assert_eq!(
        file.set("nope", "ipaddr", "x"),
        Err(UciError::SectionNotFound("nope".into()))
    );
    assert_eq!(
        file.set("@interface[9]", "a", "x"),
        Err(UciError::SectionNotFound("@interface[9]".into()))
    );
    assert_eq!(
        file.add_section("interface", Some("lan")),
        Err(UciError::AlreadyExists("lan".into()))
    );
    assert_eq!(
        file.add_section("bad type", None),
        Err(UciError::InvalidType("bad type".into()))
    );
    assert_eq!(
        file.rename_section("wan", "lan"),
        Err(UciError::AlreadyExists("lan".into()))
    );
    assert_eq!(
        file.apply(&Change::Reorder {
            section: "lan".into(),
            position: 0
        }),
        Err(UciError::Unsupported("reordering sections"))
    );
    assert_eq!(file.text(), text);
    assert!(file.changes().is_empty());
    // An empty value deletes, as `uci set` does.
    file.set("lan", "ip6assign", "").unwrap();
    assert_eq!(
        file.text(),
        text.replacen("\toption ip6assign '60'\n", "", 1)
    );
    assert_eq!(file.changes(), [Change::delete_option("lan", "ip6assign")]);
}

#[test]
fn parse_errors_give_exact_messages() {
    let error = |text: &str| UciFile::parse("network", text).unwrap_err().to_string();
    assert_eq!(
        error("config interface 'lan'\n\toption proto 'static'\n\toptoin x y\n"),
        "network: parse error at line 3: invalid command"
    );
    assert_eq!(
        error("\n\toption proto 'static'\n"),
        "network: parse error at line 2: option/list command found before the first section"
    );
    assert_eq!(
        error("config interface 'wan-6'\n"),
        "network: parse error at line 1: invalid character in name field"
    );
    assert_eq!(
        error("config interface 'wan'\n\toption ip-addr x\n"),
        "network: parse error at line 2: invalid character in name field"
    );
    assert_eq!(
        error("config 'inter face'\n"),
        "network: parse error at line 1: invalid character in type field"
    );
    assert_eq!(
        error("config interface 'a'\nconfig device 'a'\n"),
        "network: parse error at line 2: section of different type overwrites prior section with same name"
    );
    assert_eq!(
        error("config interface 'a'\n\toption x 'open\n\n"),
        "network: parse error at line 2: EOF with unterminated '"
    );
    assert_eq!(
        error("config interface 'a'\n\toption x \"open\n"),
        "network: parse error at line 2: EOF with unterminated \""
    );
    assert_eq!(
        error("config interface 'a' extra\n"),
        "network: parse error at line 1: too many arguments"
    );
    assert_eq!(
        error("config interface 'a'\n\tlist\n"),
        "network: parse error at line 2: insufficient arguments"
    );
    assert_eq!(
        UciFile::parse("bad.name", "").unwrap_err(),
        UciError::InvalidPackageName("bad.name".into())
    );
}

// ----- the store -----

#[test]
fn store_loads_commits_and_writes_only_changes() {
    let dir = scratch("store");
    let store = store_in(&dir);
    let missing = store.load("network").unwrap();
    assert_eq!(missing.text(), "");
    fs::create_dir_all(store.config_dir()).unwrap();
    let path = store.config_path("network").unwrap();
    fs::write(&path, fixture("firewall-23.05-stock")).unwrap();
    let before = fs::metadata(&path).unwrap();

    let mut file = store.load("network").unwrap();
    assert!(
        !store.commit(&mut file).unwrap(),
        "nothing changed, nothing written"
    );
    let after = fs::metadata(&path).unwrap();
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&after),
        std::os::unix::fs::MetadataExt::ino(&before)
    );

    file.set("@defaults[0]", "forward", "DROP").unwrap();
    assert!(store.commit(&mut file).unwrap());
    assert!(file.changes().is_empty());
    let expected = fixture("firewall-23.05-stock").replacen(
        "\toption forward\t\tREJECT\n",
        "\toption forward\t\t'DROP'\n",
        1,
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
    let leftovers: Vec<_> = fs::read_dir(store.config_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["network"]);
    assert_eq!(
        store.load("bad/name").unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
}

#[test]
fn commit_keeps_what_others_wrote_meanwhile() {
    let dir = scratch("others");
    let store = store_in(&dir);
    fs::create_dir_all(store.config_dir()).unwrap();
    let path = store.config_path("network").unwrap();
    fs::write(&path, fixture("network-23.05")).unwrap();

    let mut ours = store.load("network").unwrap();
    ours.set("lan", "ipaddr", "192.168.2.1").unwrap();
    // Meanwhile LuCI (or `uci`) commits another change.
    let mut theirs = store.load("network").unwrap();
    theirs.set("wan", "proto", "pppoe").unwrap();
    store.commit(&mut theirs).unwrap();

    store.commit(&mut ours).unwrap();
    let on_disk = store.load("network").unwrap();
    assert_eq!(on_disk.get("lan", "ipaddr"), Some("192.168.2.1"));
    assert_eq!(on_disk.get("wan", "proto"), Some("pppoe"));
    assert_eq!(ours.text(), on_disk.text());
}

#[test]
fn staged_changes_use_libuci_delta_format() {
    let dir = scratch("staged");
    let store = store_in(&dir);
    fs::create_dir_all(store.config_dir()).unwrap();
    let path = store.config_path("network").unwrap();
    fs::write(&path, fixture("network-23.05")).unwrap();

    store
        .stage("network", &Change::set("lan", "ipaddr", "192.168.2.1"))
        .unwrap();
    store
        .stage_all(
            "network",
            &Change::set_list("lan", "dns", &["1.1.1.1", "it's"]),
        )
        .unwrap();
    store
        .stage("network", &Change::delete_section("wan6"))
        .unwrap();
    let mut view = store.load_staged("network").unwrap();
    assert_eq!(view.get("lan", "ipaddr"), Some("192.168.2.1"));
    assert!(view.changes().is_empty());
    let id = view.add_section("device", None).unwrap();
    assert_eq!(id, "cfg070f15");
    view.set(&id, "name", "br-guest").unwrap();
    store.save(&mut view).unwrap();
    assert!(view.changes().is_empty());

    let delta = fs::read_to_string(dir.join("tmp/.cwmpd-uci/network")).unwrap();
    assert_eq!(
        delta,
        "network.lan.ipaddr='192.168.2.1'\n-network.lan.dns\n|network.lan.dns='1.1.1.1'\n\
         |network.lan.dns='it'\\''s'\n-network.wan6\n+network.cfg070f15='device'\n\
         network.cfg070f15.name='br-guest'\n"
    );
    assert_eq!(store.pending("network").unwrap().len(), 7);
    assert_eq!(store.staged_packages().unwrap(), ["network"]);
    // Not committed yet: the config file is untouched.
    assert_eq!(fs::read_to_string(&path).unwrap(), fixture("network-23.05"));

    assert!(store.commit_staged("network").unwrap());
    assert!(store.pending("network").unwrap().is_empty());
    assert!(store.staged_packages().unwrap().is_empty());
    let expected = fixture("network-23.05")
        .replacen("'192.168.1.1'", "'192.168.2.1'", 1)
        .replacen(
            "\toption ip6assign '60'\n",
            "\toption ip6assign '60'\n\tlist dns '1.1.1.1'\n\tlist dns 'it'\\''s'\n",
            1,
        )
        .replacen(
            "\nconfig interface 'wan6'\n\toption device 'wan'\n\toption proto 'dhcpv6'\n",
            "",
            1,
        )
        .strip_suffix('\n')
        .unwrap()
        .to_string()
        + "\nconfig device\n\toption name 'br-guest'\n\n";
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
    assert!(!store.commit_staged("network").unwrap());
}

#[test]
fn revert_drops_staged_changes_and_bad_lines_are_skipped() {
    let dir = scratch("revert");
    let store = store_in(&dir);
    store
        .stage("system", &Change::set("ntp", "enabled", "0"))
        .unwrap();
    assert!(store.revert("system").unwrap());
    assert!(!store.revert("system").unwrap());
    assert_eq!(
        store
            .stage("system", &Change::set("@system[0]", "hostname", "x"))
            .unwrap_err()
            .to_string(),
        "section \"@system[0]\" not found"
    );
    assert!(store.pending("system").unwrap().is_empty());
    assert_eq!(
        store
            .stage("system", &Change::set("ntp", "bad-name", "x"))
            .unwrap_err()
            .kind(),
        std::io::ErrorKind::InvalidInput
    );
    // Lines libuci would not read (an older cwmpd, a hand edit) are skipped, not fatal.
    fs::write(
        dir.join("tmp/.cwmpd-uci/system"),
        "system.@system[0].hostname='x'\ngarbage\nsystem.ntp.enabled='0'\n",
    )
    .unwrap();
    assert_eq!(
        store.pending("system").unwrap(),
        [Change::set("ntp", "enabled", "0")]
    );
    // A change whose section is gone is skipped at commit; the rest applies.
    fs::create_dir_all(store.config_dir()).unwrap();
    fs::write(
        store.config_path("system").unwrap(),
        fixture("system-24.10"),
    )
    .unwrap();
    store
        .stage("system", &Change::set("gone", "x", "y"))
        .unwrap();
    assert!(store.commit_staged("system").unwrap());
    let file = store.load("system").unwrap();
    assert_eq!(file.get("ntp", "enabled"), Some("0"));
}

#[test]
fn concurrent_committers_lose_nothing() {
    let dir = scratch("concurrent");
    let store = store_in(&dir);
    fs::create_dir_all(store.config_dir()).unwrap();
    fs::write(store.config_path("cwmpd").unwrap(), fixture("cwmpd")).unwrap();
    let rounds = 40;
    let writers: Vec<_> = ["alpha", "beta"]
        .into_iter()
        .map(|option| {
            let store = store.clone();
            std::thread::spawn(move || {
                for round in 0..rounds {
                    let mut file = store.load("cwmpd").unwrap();
                    file.set("acs", option, &round.to_string()).unwrap();
                    store.commit(&mut file).unwrap();
                }
            })
        })
        .collect();
    // A third writer stages in its own delta directory and commits.
    let staging = UciStore::new(store.config_dir(), dir.join("other-delta"));
    for round in 0..rounds {
        staging
            .stage("cwmpd", &Change::set("cpe", "gamma", &round.to_string()))
            .unwrap();
        staging.commit_staged("cwmpd").unwrap();
    }
    for writer in writers {
        writer.join().unwrap();
    }
    let file = store.load("cwmpd").unwrap();
    let last = (rounds - 1).to_string();
    assert_eq!(file.get("acs", "alpha"), Some(last.as_str()));
    assert_eq!(file.get("acs", "beta"), Some(last.as_str()));
    assert_eq!(file.get("cpe", "gamma"), Some(last.as_str()));
    assert_eq!(
        file.get("acs", "url"),
        Some("https://acs.example.net:7547/cwmp")
    );
}

const CRASH_DIR: &str = "CWMPD_UCI_CRASH_DIR";

fn big_value(fill: char) -> String {
    std::iter::repeat_n(fill, 200_000).collect()
}

/// Run as a child process by `a_killed_writer_leaves_old_or_new_content`: commit forever.
#[test]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CRASH_DIR) else {
        return;
    };
    let store = store_in(Path::new(&dir));
    let values = [big_value('a'), big_value('b')];
    for round in 0.. {
        let mut file = store.load("network").unwrap();
        file.set("lan", "blob", &values[round % 2]).unwrap();
        store.commit(&mut file).unwrap();
    }
}

#[test]
fn a_killed_writer_leaves_old_or_new_content() {
    let dir = scratch("crash");
    let store = store_in(&dir);
    fs::create_dir_all(store.config_dir()).unwrap();
    let path = store.config_path("network").unwrap();
    fs::write(&path, fixture("network-23.05")).unwrap();
    let valid = [big_value('a'), big_value('b')];
    let mut seen_blobs = 0;
    for attempt in 0..4u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "crash_child_writer",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_DIR, &dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(150 + attempt * 37));
        child.kill().unwrap();
        child.wait().unwrap();
        let file = UciFile::parse("network", &fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(file.get("lan", "proto"), Some("static"));
        if let Some(blob) = file.get("lan", "blob") {
            assert!(
                valid.iter().any(|v| v == blob),
                "torn value of {} bytes",
                blob.len()
            );
            seen_blobs += 1;
        }
    }
    assert!(seen_blobs > 0, "the child never committed");
}
