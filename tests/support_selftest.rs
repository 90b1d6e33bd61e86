//! Tests of the test ACS itself, driven by a small fake CPE (reqwest, hand-written
//! envelopes, the `digest_auth` crate for client-side Digest).

mod support;

use std::path::PathBuf;
use support::*;

fn trace(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/acs-traces/genieacs-1.2.16").join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("GenieACS trace {name} not found beside the crate"));
    std::fs::read_to_string(path).unwrap()
}

fn cpe_envelope(id: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">{id}</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

/// The builders reproduce GenieACS's own envelopes byte for byte.
#[test]
fn builders_match_genieacs_traces() {
    let cases = [
        (
            "GetParameterNames-1.xml",
            "1a20e41d5dc0000",
            AcsRpc::gpn("Device.DeviceInfo.", true),
        ),
        (
            "GetParameterNames-2.xml",
            "1a20e41d5dc0001",
            AcsRpc::gpn("Device.ManagementServer.", false),
        ),
        (
            "GetParameterValues-1.xml",
            "1a20e41d5dc0002",
            AcsRpc::gpv(&["Device.ManagementServer.PeriodicInformInterval"]),
        ),
        (
            "GetParameterValues-2.xml",
            "1a20e41d70e0001",
            AcsRpc::gpv(&[
                "Device.DeviceInfo.Manufacturer",
                "Device.DeviceInfo.ManufacturerOUI",
                "Device.DeviceInfo.ProductClass",
                "Device.DeviceInfo.SerialNumber",
                "Device.DeviceInfo.UpTime",
            ]),
        ),
        (
            "SetParameterValues-2.xml",
            "1a20e41d6e30000",
            AcsRpc::spv(
                &[(
                    "Device.ManagementServer.PeriodicInformInterval",
                    "60",
                    "xsd:unsignedInt",
                )],
                "",
            ),
        ),
        (
            "AddObject-1.xml",
            "1a20e41d73e0002",
            AcsRpc::add_object("Device.NAT.PortMapping.", ""),
        ),
        (
            "DeleteObject-1.xml",
            "1a20e41d7690000",
            AcsRpc::delete_object("Device.NAT.PortMapping.1.", ""),
        ),
        ("Reboot-1.xml", "1a20e41f19f0000", AcsRpc::reboot("")),
        (
            "FactoryReset-1.xml",
            "1a20e41f5c80000",
            AcsRpc::factory_reset(),
        ),
        (
            "Download-1.xml",
            "1a20e41ed480000",
            AcsRpc::download(Download {
                command_key: "1a20e41ed480000".into(),
                url: "http://127.0.0.1:7567/smoke-fw.bin".into(),
                file_size: 2000,
                ..Download::default()
            }),
        ),
    ];
    for (file, id, rpc) in cases {
        assert_eq!(rpc.to_xml(NS_CWMP_1_0, id, None), trace(file), "{file}");
    }
}

fn every_builder() -> Vec<AcsRpc> {
    vec![
        AcsRpc::get_rpc_methods(),
        AcsRpc::gpn("Device.", false),
        AcsRpc::gpv(&["Device.DeviceInfo.", "Device.Time.Enable"]),
        AcsRpc::spv(
            &[
                ("Device.Time.Enable", "true", "xsd:boolean"),
                ("Device.Users.User.1.Password", "a<b&c", "xsd:string"),
            ],
            "key-1",
        ),
        AcsRpc::gpa(&["Device.DeviceInfo.SoftwareVersion"]),
        AcsRpc::spa_notification("Device.DeviceInfo.SoftwareVersion", 2),
        AcsRpc::add_object("Device.NAT.PortMapping.", "k"),
        AcsRpc::delete_object("Device.NAT.PortMapping.1.", "k"),
        AcsRpc::reboot("r"),
        AcsRpc::factory_reset(),
        AcsRpc::download(Download {
            url: "http://127.0.0.1:1/fw.bin".into(),
            ..Download::default()
        }),
        AcsRpc::upload(Upload {
            url: "http://127.0.0.1:1/up".into(),
            ..Upload::default()
        }),
        AcsRpc::schedule_inform(30, "si"),
        AcsRpc::cancel_transfer("dl"),
        AcsRpc::get_queued_transfers(),
        AcsRpc::get_all_queued_transfers(),
    ]
}

/// Every envelope the ACS can send is valid CWMP per the official schemas.
#[test]
fn builders_are_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut write = |name: String, xml: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, xml).unwrap();
        files.push(path);
    };
    for (i, rpc) in every_builder().into_iter().enumerate() {
        // CancelTransfer and GetAllQueuedTransfers came with CWMP 1.1 and 1.2.
        if !matches!(
            rpc,
            AcsRpc::CancelTransfer { .. } | AcsRpc::GetAllQueuedTransfers
        ) {
            write(
                format!("{i}-{}-1-0.xml", rpc.name()),
                rpc.to_xml(NS_CWMP_1_0, "id", None),
            );
        }
        write(
            format!("{i}-{}-1-2.xml", rpc.name()),
            rpc.to_xml(NS_CWMP_1_2, "id", Some(true)),
        );
    }
    let schedule = AcsRpc::schedule_download(ScheduleDownload {
        url: "http://127.0.0.1:1/fw.bin".into(),
        ..ScheduleDownload::default()
    });
    write(
        "ScheduleDownload.xml".into(),
        schedule.to_xml(NS_CWMP_1_2, "id", None),
    );
    let inform_response = soap::envelope(NS_CWMP_1_0, "x", None, &soap::inform_response());
    write("InformResponse.xml".into(), inform_response);
    let fault = soap::envelope(
        NS_CWMP_1_0,
        "x",
        None,
        &soap::soap_fault(8005, "Retry request"),
    );
    write("Fault.xml".into(), fault);
    validate_with_bbf_schema(&files).unwrap();
    assert!(validate_with_bbf_schema(&[PathBuf::from(file!())]).is_err());
}

#[test]
fn xml_tree_and_envelope_accessors() {
    let fault = cpe_envelope(
        "7",
        r#"<SOAP-ENV:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString><SetParameterValuesFault><ParameterName>Device.Time.Enable</ParameterName><FaultCode>9007</FaultCode><FaultString>Invalid parameter value</FaultString></SetParameterValuesFault></cwmp:Fault></detail></SOAP-ENV:Fault>"#,
    );
    let envelope = Envelope::parse(&fault).unwrap();
    assert_eq!(envelope.method(), "Fault");
    assert_eq!(envelope.cwmp_ns(), Some(NS_CWMP_1_0));
    assert_eq!(envelope.id_must_understand(), Some("1"));
    let fault = envelope.fault().unwrap();
    assert_eq!((fault.soap_code.as_str(), fault.code), ("Client", 9003));
    assert_eq!(fault.spv_faults[0].name, "Device.Time.Enable");
    assert_eq!(fault.spv_faults[0].code, 9007);

    let root = xml::parse(
        "<a xmlns='urn:x' xmlns:p='urn:p' p:k='&lt;v&#x41;'>t&amp;<![CDATA[<raw>]]><p:b/></a>",
    )
    .unwrap();
    assert_eq!(
        (root.name.as_str(), root.ns.as_deref()),
        ("a", Some("urn:x"))
    );
    assert_eq!(root.attr_ns("urn:p", "k"), Some("<vA"));
    assert_eq!(root.text, "t&<raw>");
    assert_eq!(root.children[0].ns.as_deref(), Some("urn:p"));
    assert_eq!(root.children[0].prefix.as_deref(), Some("p"));
    assert!(xml::parse("<!DOCTYPE a><a/>").is_err());
    assert!(xml::parse("<a><b></a>").is_err());
    assert!(Envelope::parse("<notenvelope/>").is_err());
}

#[test]
fn digest_matches_rfc_examples() {
    use support::digest::{response, DigestInput};
    let rfc2617 = DigestInput {
        algorithm: DigestAlgorithm::Md5,
        username: "Mufasa",
        realm: "testrealm@host.com",
        password: "Circle Of Life",
        method: "GET",
        uri: "/dir/index.html",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        qop: Some(("00000001", "0a4f113b", "auth")),
    };
    assert_eq!(response(&rfc2617), "6629fae49393a05397450978507c4ef1");
    let rfc7616 = DigestInput {
        algorithm: DigestAlgorithm::Sha256,
        username: "Mufasa",
        realm: "http-auth@example.org",
        password: "Circle of Life",
        method: "GET",
        uri: "/dir/index.html",
        nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        qop: Some((
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
        )),
    };
    assert_eq!(
        response(&rfc7616),
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
    let md5 = DigestInput {
        algorithm: DigestAlgorithm::Md5,
        ..rfc7616
    };
    assert_eq!(response(&md5), "8ca523f5e9506fed4657c9700eebdbec");
}
