//! Integration tests of the CWMP codec: real GenieACS envelopes decoded to exact values, round
//! trips of every message, XSD validation of everything the encoder writes, hostile input.

use std::path::{Path, PathBuf};
use std::process::Command;

use cwmpd::cwmp::codec::{
    decode, decode_with_limits, encode, encode_into, DecodeError, DecodeErrorKind, Limits, Side,
};
use cwmpd::cwmp::fault::{Fault, FaultCode};
use cwmpd::cwmp::rpc::*;
use cwmpd::cwmp::types::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// The team's shared folder (`acs-traces/`, `bbf/`): `$CWMPD_SHARED_DIR`, or the nearest
/// `shared/` next to an ancestor of this crate.
fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CWMPD_SHARED_DIR") {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared"))
        .find(|dir| dir.join("acs-traces").is_dir())
        .expect("shared fixtures not found: set CWMPD_SHARED_DIR to the folder holding acs-traces/ and bbf/")
}

fn genieacs_dir() -> PathBuf {
    shared_dir().join("acs-traces/genieacs-1.2.16")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    files
}

fn decode_ok(bytes: &[u8], side: Side) -> Envelope {
    decode(bytes, side)
        .unwrap_or_else(|e| panic!("decode failed: {e}\n{}", String::from_utf8_lossy(bytes)))
}

fn decode_err(bytes: &[u8], side: Side) -> DecodeError {
    match decode(bytes, side) {
        Ok(envelope) => panic!(
            "decoded {envelope:?} from\n{}",
            String::from_utf8_lossy(bytes)
        ),
        Err(error) => error,
    }
}

fn pvs(name: &str, value: &str, xsd_type: XsdType) -> ParameterValueStruct {
    ParameterValueStruct {
        name: name.to_owned(),
        value: value.to_owned(),
        xsd_type,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn acs_envelope(id: &str, request: AcsRequest) -> Envelope {
    Envelope::new(
        CwmpNamespace::V1_0,
        Some(id.to_owned()),
        Body::AcsRequest(request),
    )
}

/// A SOAP envelope around `header` and `body`, with the given namespace prefixes.
fn wrap(header: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
  <soap-env:Header>{header}</soap-env:Header>
  <soap-env:Body>{body}</soap-env:Body>
</soap-env:Envelope>"#
    )
    .into_bytes()
}

const ID_HEADER: &str = r#"<cwmp:ID soap-env:mustUnderstand="1">req-7</cwmp:ID>"#;

// ---------------------------------------------------------------------------------------------
// GenieACS 1.2.16, exact values

/// What each GenieACS trace decodes to on the CPE side.
fn genieacs_expectation(file_name: &str) -> Envelope {
    match file_name {
        "AddObject-1.xml" => acs_envelope(
            "1a20e41d73e0002",
            AcsRequest::AddObject {
                object_name: "Device.NAT.PortMapping.".into(),
                parameter_key: "".into(),
            },
        ),
        "DeleteObject-1.xml" => acs_envelope(
            "1a20e41d7690000",
            AcsRequest::DeleteObject {
                object_name: "Device.NAT.PortMapping.1.".into(),
                parameter_key: "".into(),
            },
        ),
        "Download-1.xml" => acs_envelope(
            "1a20e41ed480000",
            AcsRequest::Download(Download {
                command_key: "1a20e41ed480000".into(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: "http://127.0.0.1:7567/smoke-fw.bin".into(),
                username: "".into(),
                password: "".into(),
                file_size: 2000,
                target_file_name: "".into(),
                delay_seconds: 0,
                success_url: "".into(),
                failure_url: "".into(),
            }),
        ),
        "FactoryReset-1.xml" => acs_envelope("1a20e41f5c80000", AcsRequest::FactoryReset),
        "GetParameterNames-1.xml" => acs_envelope(
            "1a20e41d5dc0000",
            AcsRequest::GetParameterNames {
                parameter_path: "Device.DeviceInfo.".into(),
                next_level: true,
            },
        ),
        "GetParameterNames-2.xml" => acs_envelope(
            "1a20e41d5dc0001",
            AcsRequest::GetParameterNames {
                parameter_path: "Device.ManagementServer.".into(),
                next_level: false,
            },
        ),
        "GetParameterValues-1.xml" => acs_envelope(
            "1a20e41d5dc0002",
            AcsRequest::GetParameterValues {
                parameter_names: strings(&["Device.ManagementServer.PeriodicInformInterval"]),
            },
        ),
        "GetParameterValues-2.xml" => acs_envelope(
            "1a20e41d70e0001",
            AcsRequest::GetParameterValues {
                parameter_names: strings(&[
                    "Device.DeviceInfo.Manufacturer",
                    "Device.DeviceInfo.ManufacturerOUI",
                    "Device.DeviceInfo.ProductClass",
                    "Device.DeviceInfo.SerialNumber",
                    "Device.DeviceInfo.UpTime",
                ]),
            },
        ),
        "InformResponse-1.xml" | "InformResponse-2.xml" => Envelope::new(
            CwmpNamespace::V1_0,
            Some("inform-1".into()),
            Body::AcsResponse(AcsResponse::InformResponse { max_envelopes: 1 }),
        ),
        "Reboot-1.xml" => acs_envelope(
            "1a20e41f19f0000",
            AcsRequest::Reboot {
                command_key: "".into(),
            },
        ),
        "SetParameterValues-1.xml" => acs_envelope(
            "1a20e401ee50000",
            AcsRequest::SetParameterValues {
                parameter_list: vec![pvs(
                    "Device.ManagementServer.PeriodicInformInterval",
                    "0",
                    XsdType::UnsignedInt,
                )],
                parameter_key: "".into(),
            },
        ),
        "SetParameterValues-2.xml" => acs_envelope(
            "1a20e41d6e30000",
            AcsRequest::SetParameterValues {
                parameter_list: vec![pvs(
                    "Device.ManagementServer.PeriodicInformInterval",
                    "60",
                    XsdType::UnsignedInt,
                )],
                parameter_key: "".into(),
            },
        ),
        "TransferCompleteResponse-1.xml" => Envelope::new(
            CwmpNamespace::V1_0,
            Some("cpe-0".into()),
            Body::AcsResponse(AcsResponse::TransferCompleteResponse),
        ),
        other => panic!("GenieACS trace {other} has no expectation: add one"),
    }
}

#[test]
fn genieacs_traces_decode_to_exact_values() {
    let files = xml_files(&genieacs_dir());
    assert_eq!(files.len(), 14, "the 14 GenieACS 1.2.16 traces");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let envelope = decode_ok(&read(&path), Side::Cpe);
        let expected = genieacs_expectation(name);
        assert_eq!(envelope.namespace, CwmpNamespace::V1_0, "{name}: namespace");
        assert_eq!(envelope.id, expected.id, "{name}: cwmp:ID");
        assert!(!envelope.hold_requests, "{name}: HoldRequests");
        assert!(!envelope.no_more_requests, "{name}: NoMoreRequests");
        assert_eq!(envelope.session_timeout, None, "{name}: SessionTimeout");
        assert_eq!(envelope.body, expected.body, "{name}: body");
        assert_eq!(envelope, expected, "{name}");
    }
}

#[test]
fn genieacs_download_reads_empty_optional_arguments() {
    let envelope = decode_ok(&read(&genieacs_dir().join("Download-1.xml")), Side::Cpe);
    let Body::AcsRequest(AcsRequest::Download(download)) = envelope.body else {
        panic!("not a Download: {:?}", envelope.body);
    };
    assert_eq!(download.username, "");
    assert_eq!(download.password, "");
    assert_eq!(download.target_file_name, "");
    assert_eq!(download.success_url, "");
    assert_eq!(download.failure_url, "");
    assert_eq!(download.file_size, 2000);
    assert_eq!(download.delay_seconds, 0);
}

#[test]
fn answers_keep_the_peer_namespace() {
    let request = decode_ok(&read(&genieacs_dir().join("Reboot-1.xml")), Side::Cpe);
    assert_eq!(request.namespace, CwmpNamespace::V1_0);
    let answer = Envelope::new(
        request.namespace,
        request.id.clone(),
        Body::CpeResponse(CpeResponse::RebootResponse),
    );
    let bytes = encode(&answer);
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(
        text.contains(r#"xmlns:cwmp="urn:dslforum-org:cwmp-1-0""#),
        "{text}"
    );
    assert!(
        text.contains(r#"<cwmp:ID soapenv:mustUnderstand="1">1a20e41f19f0000</cwmp:ID>"#),
        "{text}"
    );
    assert_eq!(decode_ok(&bytes, Side::Acs), answer);
}

// ---------------------------------------------------------------------------------------------
// Every message, realistic content

struct Case {
    name: &'static str,
    /// The CWMP minor version whose schema first declares the message.
    since: u8,
    /// Who decodes it.
    side: Side,
    body: Body,
}

fn case(name: &'static str, since: u8, side: Side, body: Body) -> Case {
    Case {
        name,
        since,
        side,
        body,
    }
}

fn acs_request(name: &'static str, since: u8, request: AcsRequest) -> Case {
    case(name, since, Side::Cpe, Body::AcsRequest(request))
}

fn cpe_response(name: &'static str, since: u8, response: CpeResponse) -> Case {
    case(name, since, Side::Acs, Body::CpeResponse(response))
}

fn cpe_request(name: &'static str, since: u8, request: CpeRequest) -> Case {
    case(name, since, Side::Acs, Body::CpeRequest(request))
}

fn acs_response(name: &'static str, since: u8, response: AcsResponse) -> Case {
    case(name, since, Side::Cpe, Body::AcsResponse(response))
}

fn router_parameters() -> Vec<ParameterValueStruct> {
    vec![
        pvs("Device.DeviceInfo.UpTime", "86400", XsdType::UnsignedInt),
        pvs(
            "Device.DeviceInfo.SoftwareVersion",
            "OpenWrt 24.10.1 r28597-0425664679",
            XsdType::String,
        ),
        pvs("Device.DeviceInfo.ProvisioningCode", "", XsdType::String),
        pvs(
            "Device.WiFi.SSID.1.SSID",
            "Café & <Bar> \"5G\" 'guest' — ☕",
            XsdType::String,
        ),
        pvs(
            "Device.Time.CurrentLocalTime",
            "2025-06-01T14:34:56+02:00",
            XsdType::DateTime,
        ),
        pvs(
            "Device.Ethernet.Interface.1.Enable",
            "true",
            XsdType::Boolean,
        ),
        pvs("Device.X_ACME_Offset", "-5", XsdType::Int),
        pvs("Device.X_ACME_Delta", "-9000000000", XsdType::Long),
        pvs(
            "Device.Ethernet.Interface.1.Stats.BytesSent",
            "18446744073709551615",
            XsdType::UnsignedLong,
        ),
        pvs("Device.X_ACME_Blob", "SGVsbG8=", XsdType::Base64),
        pvs("Device.X_ACME_Mac", "0a1B2c", XsdType::HexBinary),
        pvs(
            "Device.X_ACME_Ratio",
            "0.75",
            XsdType::Other("decimal".into()),
        ),
        pvs(
            "Device.X_ACME_Banner",
            "line 1\r\nline 2\n\tindented &amp; not an entity",
            XsdType::String,
        ),
    ]
}

/// One instance of every message of TR-069 Amendment 6 Annex A that cwmpd sends or receives,
/// plus edge cases (empty lists, text that needs escaping).
fn every_message() -> Vec<Case> {
    vec![
        // ACS → CPE requests (A.3.2, A.4.1)
        acs_request("GetRPCMethods", 0, AcsRequest::GetRPCMethods),
        acs_request(
            "SetParameterValues",
            0,
            AcsRequest::SetParameterValues {
                parameter_list: vec![
                    pvs(
                        "Device.ManagementServer.PeriodicInformInterval",
                        "3600",
                        XsdType::UnsignedInt,
                    ),
                    pvs(
                        "Device.WiFi.AccessPoint.1.Security.KeyPassphrase",
                        "p&ss<w>rd\"'",
                        XsdType::String,
                    ),
                    pvs("Device.WiFi.Radio.1.Enable", "1", XsdType::Boolean),
                ],
                parameter_key: "key&<1>\"'".into(),
            },
        ),
        acs_request(
            "SetParameterValues-empty",
            0,
            AcsRequest::SetParameterValues {
                parameter_list: vec![],
                parameter_key: "".into(),
            },
        ),
        acs_request(
            "GetParameterValues",
            0,
            AcsRequest::GetParameterValues {
                parameter_names: strings(&[
                    "Device.DeviceInfo.",
                    "Device.ManagementServer.URL",
                    "",
                ]),
            },
        ),
        acs_request(
            "GetParameterNames",
            0,
            AcsRequest::GetParameterNames {
                parameter_path: "Device.".into(),
                next_level: false,
            },
        ),
        acs_request(
            "SetParameterAttributes",
            0,
            AcsRequest::SetParameterAttributes {
                parameter_list: vec![
                    SetParameterAttributesStruct {
                        name: "Device.ManagementServer.ConnectionRequestURL".into(),
                        notification_change: true,
                        notification: 2,
                        access_list_change: true,
                        access_list: strings(&["Subscriber"]),
                    },
                    SetParameterAttributesStruct {
                        name: "Device.DeviceInfo.SoftwareVersion".into(),
                        notification_change: true,
                        notification: 1,
                        access_list_change: false,
                        access_list: vec![],
                    },
                ],
            },
        ),
        acs_request(
            "GetParameterAttributes",
            0,
            AcsRequest::GetParameterAttributes {
                parameter_names: strings(&["Device.ManagementServer."]),
            },
        ),
        acs_request(
            "AddObject",
            0,
            AcsRequest::AddObject {
                object_name: "Device.NAT.PortMapping.".into(),
                parameter_key: "pk-1".into(),
            },
        ),
        acs_request(
            "DeleteObject",
            0,
            AcsRequest::DeleteObject {
                object_name: "Device.NAT.PortMapping.3.".into(),
                parameter_key: "pk-2".into(),
            },
        ),
        acs_request(
            "Reboot",
            0,
            AcsRequest::Reboot {
                command_key: "reboot-42".into(),
            },
        ),
        acs_request(
            "Download",
            0,
            AcsRequest::Download(Download {
                command_key: "dl-1".into(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: "https://fw.example.com/openwrt-24.10.1-x86-64-squashfs.img?a=1&b=2".into(),
                username: "fw".into(),
                password: "s3cr&t<".into(),
                file_size: 16_777_216,
                target_file_name: "openwrt.img".into(),
                delay_seconds: 30,
                success_url: "https://acs.example.com/ok".into(),
                failure_url: "https://acs.example.com/fail".into(),
            }),
        ),
        acs_request(
            "Upload",
            0,
            AcsRequest::Upload(Upload {
                command_key: "ul-1".into(),
                file_type: "1 Vendor Configuration File".into(),
                url: "https://acs.example.com/upload".into(),
                username: "cpe".into(),
                password: "pw".into(),
                delay_seconds: 0,
            }),
        ),
        acs_request("FactoryReset", 0, AcsRequest::FactoryReset),
        acs_request("GetQueuedTransfers", 0, AcsRequest::GetQueuedTransfers),
        acs_request(
            "GetAllQueuedTransfers",
            1,
            AcsRequest::GetAllQueuedTransfers,
        ),
        acs_request(
            "ScheduleInform",
            0,
            AcsRequest::ScheduleInform {
                delay_seconds: 300,
                command_key: "si-1".into(),
            },
        ),
        acs_request(
            "ScheduleDownload",
            2,
            AcsRequest::ScheduleDownload(ScheduleDownload {
                command_key: "sd-1".into(),
                file_type: "1 Firmware Upgrade Image".into(),
                url: "http://fw.example.com/fw.bin".into(),
                username: "".into(),
                password: "".into(),
                file_size: 0,
                target_file_name: "".into(),
                time_window_list: vec![
                    TimeWindowStruct {
                        window_start: 0,
                        window_end: 3600,
                        window_mode: "1 At Any Time".into(),
                        user_message: "".into(),
                        max_retries: -1,
                    },
                    TimeWindowStruct {
                        window_start: 7200,
                        window_end: 10800,
                        window_mode: "4 Confirmation Needed".into(),
                        user_message: "Update & reboot <now>?".into(),
                        max_retries: 3,
                    },
                ],
            }),
        ),
        acs_request(
            "CancelTransfer",
            2,
            AcsRequest::CancelTransfer {
                command_key: "sd-1".into(),
            },
        ),
        // CPE → ACS responses
        cpe_response(
            "GetRPCMethodsResponse",
            0,
            CpeResponse::GetRPCMethodsResponse {
                method_list: [
                    "GetRPCMethods",
                    "GetParameterValues",
                    "SetParameterValues",
                    "Download",
                ]
                .iter()
                .map(|m| m.to_string())
                .collect(),
            },
        ),
        cpe_response(
            "SetParameterValuesResponse",
            0,
            CpeResponse::SetParameterValuesResponse { status: 1 },
        ),
        cpe_response(
            "GetParameterValuesResponse",
            0,
            CpeResponse::GetParameterValuesResponse {
                parameter_list: router_parameters(),
            },
        ),
        cpe_response(
            "GetParameterValuesResponse-empty",
            0,
            CpeResponse::GetParameterValuesResponse {
                parameter_list: vec![],
            },
        ),
        cpe_response(
            "GetParameterNamesResponse",
            0,
            CpeResponse::GetParameterNamesResponse {
                parameter_list: vec![
                    ParameterInfoStruct {
                        name: "Device.DeviceInfo.".into(),
                        writable: false,
                    },
                    ParameterInfoStruct {
                        name: "Device.ManagementServer.PeriodicInformInterval".into(),
                        writable: true,
                    },
                ],
            },
        ),
        cpe_response(
            "GetParameterNamesResponse-empty",
            0,
            CpeResponse::GetParameterNamesResponse {
                parameter_list: vec![],
            },
        ),
        cpe_response(
            "SetParameterAttributesResponse",
            0,
            CpeResponse::SetParameterAttributesResponse,
        ),
        cpe_response(
            "GetParameterAttributesResponse",
            0,
            CpeResponse::GetParameterAttributesResponse {
                parameter_list: vec![
                    ParameterAttributeStruct {
                        name: "Device.ManagementServer.ConnectionRequestURL".into(),
                        notification: 2,
                        access_list: strings(&["Subscriber"]),
                    },
                    ParameterAttributeStruct {
                        name: "Device.DeviceInfo.UpTime".into(),
                        notification: 0,
                        access_list: vec![],
                    },
                ],
            },
        ),
        cpe_response(
            "GetParameterAttributesResponse-empty",
            0,
            CpeResponse::GetParameterAttributesResponse {
                parameter_list: vec![],
            },
        ),
        cpe_response(
            "AddObjectResponse",
            0,
            CpeResponse::AddObjectResponse {
                instance_number: 3,
                status: 0,
            },
        ),
        cpe_response(
            "DeleteObjectResponse",
            0,
            CpeResponse::DeleteObjectResponse { status: 1 },
        ),
        cpe_response("RebootResponse", 0, CpeResponse::RebootResponse),
        cpe_response(
            "DownloadResponse",
            0,
            CpeResponse::DownloadResponse {
                status: 1,
                start_time: UNKNOWN_TIME.into(),
                complete_time: UNKNOWN_TIME.into(),
            },
        ),
        cpe_response(
            "UploadResponse",
            0,
            CpeResponse::UploadResponse {
                status: 0,
                start_time: "2025-06-01T12:00:00Z".into(),
                complete_time: "2025-06-01T12:00:05Z".into(),
            },
        ),
        cpe_response("FactoryResetResponse", 0, CpeResponse::FactoryResetResponse),
        cpe_response(
            "GetQueuedTransfersResponse",
            0,
            CpeResponse::GetQueuedTransfersResponse {
                transfer_list: vec![
                    QueuedTransferStruct {
                        command_key: "dl-1".into(),
                        state: 2,
                    },
                    QueuedTransferStruct {
                        command_key: "".into(),
                        state: 1,
                    },
                ],
            },
        ),
        cpe_response(
            "GetQueuedTransfersResponse-empty",
            0,
            CpeResponse::GetQueuedTransfersResponse {
                transfer_list: vec![],
            },
        ),
        cpe_response(
            "GetAllQueuedTransfersResponse",
            1,
            CpeResponse::GetAllQueuedTransfersResponse {
                transfer_list: vec![AllQueuedTransferStruct {
                    command_key: "dl-1".into(),
                    state: 2,
                    is_download: true,
                    file_type: "1 Firmware Upgrade Image".into(),
                    file_size: 16_777_216,
                    target_file_name: "openwrt.img".into(),
                }],
            },
        ),
        cpe_response(
            "GetAllQueuedTransfersResponse-empty",
            1,
            CpeResponse::GetAllQueuedTransfersResponse {
                transfer_list: vec![],
            },
        ),
        cpe_response(
            "ScheduleInformResponse",
            0,
            CpeResponse::ScheduleInformResponse,
        ),
        cpe_response(
            "ScheduleDownloadResponse",
            2,
            CpeResponse::ScheduleDownloadResponse,
        ),
        cpe_response(
            "CancelTransferResponse",
            2,
            CpeResponse::CancelTransferResponse,
        ),
        // CPE → ACS requests (A.3.1.1, A.3.3, A.4.2)
        cpe_request(
            "Inform",
            0,
            CpeRequest::Inform(Inform {
                device_id: DeviceIdStruct {
                    manufacturer: "OpenWrt".into(),
                    oui: "0023F8".into(),
                    product_class: "x86_64".into(),
                    serial_number: "52540012AB34".into(),
                },
                event: vec![
                    EventStruct::new("0 BOOTSTRAP", ""),
                    EventStruct::new("1 BOOT", ""),
                    EventStruct::new("M Download", "dl-1"),
                ],
                max_envelopes: 1,
                current_time: "2025-06-01T12:34:56Z".into(),
                retry_count: 2,
                parameter_list: router_parameters(),
            }),
        ),
        cpe_request(
            "Inform-empty-lists",
            0,
            CpeRequest::Inform(Inform {
                device_id: DeviceIdStruct {
                    manufacturer: "A&B <Networks>".into(),
                    oui: "00AABB".into(),
                    product_class: "".into(),
                    serial_number: "SN\"1'".into(),
                },
                event: vec![],
                max_envelopes: 1,
                current_time: UNKNOWN_TIME.into(),
                retry_count: 0,
                parameter_list: vec![],
            }),
        ),
        cpe_request("GetRPCMethods-cpe", 0, CpeRequest::GetRPCMethods),
        cpe_request(
            "TransferComplete",
            0,
            CpeRequest::TransferComplete(TransferComplete {
                command_key: "dl-1".into(),
                fault_struct: FaultStruct {
                    fault_code: 0,
                    fault_string: "".into(),
                },
                start_time: "2025-06-01T12:00:00Z".into(),
                complete_time: "2025-06-01T12:01:40Z".into(),
            }),
        ),
        cpe_request(
            "TransferComplete-failed",
            0,
            CpeRequest::TransferComplete(TransferComplete {
                command_key: "dl-2".into(),
                fault_struct: FaultStruct {
                    fault_code: 9010,
                    fault_string: "Download failure: HTTP 404 <Not Found> & gone".into(),
                },
                start_time: "2025-06-01T12:00:00Z".into(),
                complete_time: "2025-06-01T12:00:01Z".into(),
            }),
        ),
        cpe_request(
            "AutonomousTransferComplete",
            1,
            CpeRequest::AutonomousTransferComplete(AutonomousTransferComplete {
                announce_url: "".into(),
                transfer_url: "http://fw.example.com/fw.bin".into(),
                is_download: true,
                file_type: "1 Firmware Upgrade Image".into(),
                file_size: 4096,
                target_file_name: "fw.bin".into(),
                fault_struct: FaultStruct {
                    fault_code: 9010,
                    fault_string: "Download failure".into(),
                },
                start_time: "2025-06-01T12:00:00Z".into(),
                complete_time: "2025-06-01T12:00:09Z".into(),
            }),
        ),
        cpe_request(
            "RequestDownload",
            0,
            CpeRequest::RequestDownload {
                file_type: "2 Web Content".into(),
                file_type_arg: vec![ArgStruct {
                    name: "Version".into(),
                    value: "1.2 & up".into(),
                }],
            },
        ),
        cpe_request(
            "RequestDownload-empty",
            0,
            CpeRequest::RequestDownload {
                file_type: "1 Firmware Upgrade Image".into(),
                file_type_arg: vec![],
            },
        ),
        cpe_request(
            "Kicked",
            0,
            CpeRequest::Kicked(Kicked {
                command: "setup".into(),
                referer: "http://portal.example.com/start".into(),
                arg: "a=1&b=<2>".into(),
                next: "http://portal.example.com/done".into(),
            }),
        ),
        // ACS → CPE responses
        acs_response(
            "InformResponse",
            0,
            AcsResponse::InformResponse { max_envelopes: 1 },
        ),
        acs_response(
            "GetRPCMethodsResponse-acs",
            0,
            AcsResponse::GetRPCMethodsResponse {
                method_list: strings(&[
                    "Inform",
                    "GetRPCMethods",
                    "TransferComplete",
                    "RequestDownload",
                ]),
            },
        ),
        acs_response(
            "TransferCompleteResponse",
            0,
            AcsResponse::TransferCompleteResponse,
        ),
        acs_response(
            "AutonomousTransferCompleteResponse",
            1,
            AcsResponse::AutonomousTransferCompleteResponse,
        ),
        acs_response(
            "RequestDownloadResponse",
            0,
            AcsResponse::RequestDownloadResponse,
        ),
        acs_response(
            "KickedResponse",
            0,
            AcsResponse::KickedResponse {
                next_url: "http://portal.example.com/next?a=1&b=2".into(),
            },
        ),
        // SOAP Faults (A.5)
        case(
            "Fault-9000",
            0,
            Side::Acs,
            Body::Fault(Fault::new(FaultCode::MethodNotSupported)),
        ),
        case(
            "Fault-9003-SetParameterValuesFault",
            0,
            Side::Acs,
            Body::Fault(Fault {
                set_parameter_values_faults: vec![
                    SetParameterValuesFault {
                        parameter_name: "Device.ManagementServer.PeriodicInformInterval".into(),
                        fault_code: 9007,
                        fault_string: "Invalid parameter value: \"-1\" < 1".into(),
                    },
                    SetParameterValuesFault {
                        parameter_name: "Device.DeviceInfo.SerialNumber".into(),
                        fault_code: 9008,
                        fault_string: "Attempt to set a non-writable parameter".into(),
                    },
                ],
                ..Fault::new(FaultCode::InvalidArguments)
            }),
        ),
        case(
            "Fault-8005-from-ACS",
            0,
            Side::Cpe,
            Body::Fault(Fault {
                soap_fault_code: "Server".into(),
                fault_code: 8005,
                fault_string: "Retry request".into(),
                set_parameter_values_faults: vec![],
            }),
        ),
    ]
}

/// The namespaces that declare a message first declared in CWMP 1.`since`.
fn namespaces_declaring(since: u8) -> Vec<CwmpNamespace> {
    [
        CwmpNamespace::V1_0,
        CwmpNamespace::V1_1,
        CwmpNamespace::V1_2,
    ]
    .into_iter()
    .filter(|ns| ns.minor >= since)
    .collect()
}

/// The envelopes of every message in every namespace that declares it, with the headers the
/// sender would use.
fn every_envelope() -> Vec<(String, Side, Envelope)> {
    let mut envelopes = Vec::new();
    for case in every_message() {
        for namespace in namespaces_declaring(case.since) {
            let mut envelope = Envelope::new(
                namespace,
                Some(format!("id-{}-&<{}>", case.name, namespace.minor)),
                case.body.clone(),
            );
            if case.side == Side::Cpe && namespace == CwmpNamespace::V1_2 {
                // ACS → CPE: HoldRequests and (CWMP 1.3+) SessionTimeout.
                envelope.hold_requests = true;
                envelope.session_timeout = Some(30);
            }
            let name = format!("{}-cwmp-1-{}", case.name, namespace.minor);
            envelopes.push((name, case.side, envelope));
        }
    }
    envelopes
}

#[test]
fn every_message_round_trips() {
    for (name, side, envelope) in every_envelope() {
        let bytes = encode(&envelope);
        assert_eq!(decode_ok(&bytes, side), envelope, "{name}");
    }
}

#[test]
fn round_trip_without_id_and_with_unknown_method() {
    let envelopes = [
        (
            Side::Cpe,
            Envelope::new(
                CwmpNamespace::V1_2,
                None,
                Body::AcsRequest(AcsRequest::Unknown("X_ACME_Frobnicate".into())),
            ),
        ),
        (
            Side::Cpe,
            Envelope::new(
                CwmpNamespace { minor: 4 },
                Some("".into()),
                Body::AcsRequest(AcsRequest::GetRPCMethods),
            ),
        ),
        (
            Side::Acs,
            Envelope::new(
                CwmpNamespace { minor: 3 },
                None,
                Body::CpeRequest(CpeRequest::GetRPCMethods),
            ),
        ),
    ];
    for (side, envelope) in envelopes {
        assert_eq!(decode_ok(&encode(&envelope), side), envelope);
    }
}

#[test]
fn encode_into_appends() {
    let envelope = Envelope::new(
        CwmpNamespace::V1_2,
        None,
        Body::CpeResponse(CpeResponse::RebootResponse),
    );
    let mut buffer = b"prefix".to_vec();
    encode_into(&envelope, &mut buffer);
    assert_eq!(&buffer[..6], b"prefix");
    assert_eq!(&buffer[6..], &encode(&envelope)[..]);
}

#[test]
fn encodes_the_canonical_form() {
    let mut envelope = Envelope::new(
        CwmpNamespace::V1_2,
        Some("a&b".into()),
        Body::CpeResponse(CpeResponse::GetParameterValuesResponse {
            parameter_list: vec![
                pvs("Device.X.", "1<2", XsdType::UnsignedInt),
                pvs("Device.Y", "", XsdType::Other(String::new())),
            ],
        }),
    );
    envelope.no_more_requests = true;
    let text = String::from_utf8(encode(&envelope)).expect("UTF-8");
    assert_eq!(
        text,
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
            r#" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/""#,
            r#" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#,
            r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
            r#" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">"#,
            r#"<soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">a&amp;b</cwmp:ID></soapenv:Header>"#,
            r#"<soapenv:Body><cwmp:GetParameterValuesResponse>"#,
            r#"<ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[2]">"#,
            r#"<ParameterValueStruct><Name>Device.X.</Name><Value xsi:type="xsd:unsignedInt">1&lt;2</Value></ParameterValueStruct>"#,
            r#"<ParameterValueStruct><Name>Device.Y</Name><Value xsi:type="xsd:string"></Value></ParameterValueStruct>"#,
            r#"</ParameterList></cwmp:GetParameterValuesResponse></soapenv:Body></soapenv:Envelope>"#,
        )
    );
}

#[test]
fn encodes_headers_only_when_needed() {
    let mut envelope = Envelope::new(
        CwmpNamespace::V1_2,
        None,
        Body::AcsResponse(AcsResponse::InformResponse { max_envelopes: 1 }),
    );
    let text = String::from_utf8(encode(&envelope)).expect("UTF-8");
    assert!(!text.contains("Header"), "{text}");
    envelope.hold_requests = true;
    envelope.session_timeout = Some(45);
    envelope.no_more_requests = true;
    let text = String::from_utf8(encode(&envelope)).expect("UTF-8");
    assert!(text.contains(
        r#"<soapenv:Header><cwmp:HoldRequests soapenv:mustUnderstand="1">1</cwmp:HoldRequests><cwmp:SessionTimeout soapenv:mustUnderstand="0">45</cwmp:SessionTimeout></soapenv:Header>"#
    ), "{text}");
    assert!(!text.contains("NoMoreRequests"), "{text}");
    assert!(!text.contains("encodingStyle"), "{text}");
}

#[test]
fn encodes_faults_with_unprefixed_faultcode() {
    let envelope = Envelope::new(
        CwmpNamespace::V1_0,
        Some("9".into()),
        Body::Fault(Fault::with_string(
            FaultCode::InvalidParameterName,
            "No such parameter: Device.Foo",
        )),
    );
    let text = String::from_utf8(encode(&envelope)).expect("UTF-8");
    assert!(
        text.contains(concat!(
            "<soapenv:Body><soapenv:Fault><faultcode>Client</faultcode>",
            "<faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>9005</FaultCode>",
            "<FaultString>No such parameter: Device.Foo</FaultString></cwmp:Fault></detail>",
            "</soapenv:Fault></soapenv:Body>"
        )),
        "{text}"
    );
}

#[test]
fn replaces_characters_xml_cannot_carry() {
    let envelope = Envelope::new(
        CwmpNamespace::V1_2,
        None,
        Body::CpeResponse(CpeResponse::GetParameterValuesResponse {
            parameter_list: vec![pvs("Device.X", "a\u{1}b\u{FFFE}c", XsdType::String)],
        }),
    );
    let decoded = decode_ok(&encode(&envelope), Side::Acs);
    let Body::CpeResponse(CpeResponse::GetParameterValuesResponse { parameter_list }) =
        decoded.body
    else {
        panic!("{:?}", decoded.body)
    };
    assert_eq!(parameter_list[0].value, "a\u{FFFD}b\u{FFFD}c");
}

// ---------------------------------------------------------------------------------------------
// XML Schema validation of everything the encoder writes

fn xmllint_available() -> bool {
    Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn every_encoded_message_passes_the_official_schemas() {
    if !xmllint_available() {
        eprintln!(
            "\n\n!!! SKIPPED every_encoded_message_passes_the_official_schemas: xmllint not found"
        );
        eprintln!("!!! install it (apt-get install libxml2-utils) to validate emitted envelopes\n");
        return;
    }
    let validator = shared_dir().join("bbf/validate-cwmp.sh");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("codec-xsd");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let mut files = Vec::new();
    for (name, _, envelope) in every_envelope() {
        let path = dir.join(format!("{name}.xml"));
        std::fs::write(&path, encode(&envelope)).expect("write envelope");
        files.push(path);
    }
    let output = Command::new("sh")
        .arg(&validator)
        .arg("-q")
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", validator.display()));
    assert!(
        output.status.success(),
        "validate-cwmp.sh rejected envelopes (exit {:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(files.len() >= 100, "validated {} envelopes", files.len());
}

// ---------------------------------------------------------------------------------------------
// BBF sample envelopes

#[test]
fn bbf_valid_samples_decode() {
    let samples = shared_dir().join("bbf/samples/valid");
    for path in xml_files(&samples) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let side = if name.contains("request") {
            Side::Cpe
        } else {
            Side::Acs
        };
        let envelope = decode_ok(&read(&path), side);
        assert!(envelope.id.is_some(), "{name}: cwmp:ID");
    }

    let fault = decode_ok(
        &read(&samples.join("fault-set-parameter-values.xml")),
        Side::Acs,
    );
    assert_eq!(fault.id.as_deref(), Some("acs-43"));
    let Body::Fault(fault) = fault.body else {
        panic!("not a fault")
    };
    assert_eq!(fault.soap_fault_code, "Client");
    assert_eq!(fault.fault_code, 9003);
    assert_eq!(fault.fault_string, "Invalid arguments");
    assert_eq!(
        fault.set_parameter_values_faults,
        vec![
            SetParameterValuesFault {
                parameter_name: "Device.ManagementServer.PeriodicInformInterval".into(),
                fault_code: 9007,
                fault_string: "Invalid parameter value".into(),
            },
            SetParameterValuesFault {
                parameter_name: "Device.DeviceInfo.SerialNumber".into(),
                fault_code: 9008,
                fault_string: "Attempt to set a non-writable parameter".into(),
            },
        ]
    );

    let request = decode_ok(
        &read(&samples.join("get-parameter-values-request.xml")),
        Side::Cpe,
    );
    assert_eq!(request.session_timeout, Some(60));
    assert_eq!(request.namespace, CwmpNamespace::V1_2);
    assert_eq!(
        request.body,
        Body::AcsRequest(AcsRequest::GetParameterValues {
            parameter_names: strings(&["Device.DeviceInfo.", "Device.ManagementServer.URL"]),
        })
    );

    let inform = decode_ok(&read(&samples.join("inform-cwmp-1-0.xml")), Side::Acs);
    assert_eq!(inform.namespace, CwmpNamespace::V1_0);
    let Body::CpeRequest(CpeRequest::Inform(inform)) = inform.body else {
        panic!("not an Inform")
    };
    assert_eq!(inform.device_id.oui, "0023F8");
    assert_eq!(inform.device_id.serial_number, "0023F8000001");
    assert_eq!(inform.event, vec![EventStruct::new("2 PERIODIC", "")]);
    assert_eq!(inform.current_time, "2025-06-01T12:00:00Z");
    assert_eq!(inform.retry_count, 3);
    assert_eq!(
        inform.parameter_list,
        vec![pvs(
            "Device.DeviceInfo.SoftwareVersion",
            "24.10.1",
            XsdType::String
        )]
    );

    let response = decode_ok(
        &read(&samples.join("get-parameter-values-response.xml")),
        Side::Acs,
    );
    let Body::CpeResponse(CpeResponse::GetParameterValuesResponse { parameter_list }) =
        response.body
    else {
        panic!("not a GetParameterValuesResponse")
    };
    assert_eq!(parameter_list.len(), 4);
    assert_eq!(
        parameter_list[3],
        pvs(
            "Device.Ethernet.Interface.1.Stats.BytesSent",
            "18446744073709551615",
            XsdType::UnsignedLong
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken input

/// Every fixture the tests know: GenieACS traces, BBF samples and our own encodings.
fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut fixtures = Vec::new();
    let dirs = [
        genieacs_dir(),
        shared_dir().join("bbf/samples/valid"),
        shared_dir().join("bbf/samples/invalid"),
    ];
    for dir in dirs {
        for path in xml_files(&dir) {
            fixtures.push((path.display().to_string(), read(&path)));
        }
    }
    for (name, _, envelope) in every_envelope() {
        fixtures.push((name, encode(&envelope)));
    }
    fixtures
}

#[test]
fn every_truncation_of_every_fixture_is_an_error() {
    let mut checked = 0;
    for (name, bytes) in all_fixtures() {
        let Ok(_) = decode(&bytes, Side::Cpe).or_else(|_| decode(&bytes, Side::Acs)) else {
            continue; // an invalid sample that does not decode in full either
        };
        let content_end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |last| last + 1);
        for length in 0..content_end {
            for side in [Side::Cpe, Side::Acs] {
                if let Ok(envelope) = decode(&bytes[..length], side) {
                    panic!("{name}: the first {length} bytes decoded to {envelope:?}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 100_000, "checked {checked} truncations");
}

#[test]
fn every_fixture_decodes_on_both_sides_without_panicking() {
    for (_, bytes) in all_fixtures() {
        let _ = decode(&bytes, Side::Cpe);
        let _ = decode(&bytes, Side::Acs);
    }
}

#[test]
fn refuses_doctype_and_entity_bombs() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>&lol3;</soap-env:Body></soap-env:Envelope>"#;
    let external = r#"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>&xxe;</soap-env:Body></soap-env:Envelope>"#;
    let plain_doctype = r#"<!DOCTYPE Envelope SYSTEM "http://example.com/x.dtd"><Envelope/>"#;
    for input in [billion_laughs, external, plain_doctype] {
        assert_eq!(
            decode_err(input.as_bytes(), Side::Cpe).kind,
            DecodeErrorKind::DoctypeOrEntity,
            "{input}"
        );
    }
    let undeclared = wrap(
        ID_HEADER,
        "<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>",
    );
    let error = decode_err(&undeclared, Side::Cpe);
    assert_eq!(error.kind, DecodeErrorKind::DoctypeOrEntity);
    assert_eq!(error.id.as_deref(), Some("req-7"));
    assert_eq!(error.method.as_deref(), Some("Reboot"));
    assert_eq!(error.namespace, Some(CwmpNamespace::V1_0));
}

#[test]
fn decodes_predefined_entities_and_character_references() {
    let input = wrap(
        ID_HEADER,
        "<cwmp:Reboot><CommandKey>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#65;&#x42;&#x20AC;</CommandKey></cwmp:Reboot>",
    );
    assert_eq!(
        decode_ok(&input, Side::Cpe).body,
        Body::AcsRequest(AcsRequest::Reboot {
            command_key: "<a> & \"b\" 'c' AB€".into()
        })
    );
}

fn limits(max_bytes: usize, max_depth: usize, max_elements: usize) -> Limits {
    Limits {
        max_bytes,
        max_depth,
        max_elements,
    }
}

#[test]
fn enforces_size_depth_and_element_limits() {
    assert_eq!(
        Limits::default(),
        limits(4 * 1024 * 1024, 32, 200_000),
        "router defaults"
    );
    let trace = read(&genieacs_dir().join("GetParameterValues-2.xml"));
    let decode_limited = |limits: Limits| decode_with_limits(&trace, Side::Cpe, &limits);
    // Envelope/Body/GetParameterValues/ParameterNames/string: depth 5, 11 elements in all.
    assert!(decode_limited(limits(trace.len(), 5, 11)).is_ok());

    let error = decode_limited(limits(trace.len() - 1, 5, 11)).expect_err("too large");
    assert_eq!(error.kind, DecodeErrorKind::TooLarge);

    let error = decode_limited(limits(trace.len(), 4, 11)).expect_err("too deep");
    assert_eq!(error.kind, DecodeErrorKind::TooDeep);
    assert_eq!(error.id.as_deref(), Some("1a20e41d70e0001"), "context kept");
    assert_eq!(error.method.as_deref(), Some("GetParameterValues"));

    let error = decode_limited(limits(trace.len(), 5, 10)).expect_err("too many elements");
    assert_eq!(error.kind, DecodeErrorKind::TooManyElements);
    assert_eq!(error.id.as_deref(), Some("1a20e41d70e0001"), "context kept");

    let deep = wrap(
        "",
        &format!(
            "<cwmp:Reboot><CommandKey>{}{}</CommandKey></cwmp:Reboot>",
            "<x>".repeat(100),
            "</x>".repeat(100)
        ),
    );
    assert_eq!(decode_err(&deep, Side::Cpe).kind, DecodeErrorKind::TooDeep);

    let huge = vec![b' '; Limits::default().max_bytes + 1];
    assert_eq!(decode_err(&huge, Side::Cpe).kind, DecodeErrorKind::TooLarge);

    let many = wrap(
        "",
        &format!(
            r#"<cwmp:GetParameterValues><ParameterNames>{}</ParameterNames></cwmp:GetParameterValues>"#,
            "<string>Device.</string>".repeat(200_001)
        ),
    );
    let error = decode_with_limits(&many, Side::Cpe, &limits(usize::MAX, 32, 200_000))
        .expect_err("too many elements");
    assert_eq!(error.kind, DecodeErrorKind::TooManyElements);
}

#[test]
fn empty_and_foreign_documents_are_not_envelopes() {
    for input in [
        &b""[..],
        b" \r\n\t ",
        b"<?xml version=\"1.0\"?>",
        b"<html><body>503</body></html>",
        br#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>"#,
        br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>"#,
        br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body> </s:Body></s:Envelope>"#,
    ] {
        assert_eq!(
            decode_err(input, Side::Cpe).kind,
            DecodeErrorKind::NotAnEnvelope,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn malformed_xml_is_reported_with_the_context_read_so_far() {
    let input = wrap(
        ID_HEADER,
        "<cwmp:GetParameterNames><ParameterPath>Device.</Param",
    );
    let error = decode_err(&input, Side::Cpe);
    assert!(
        matches!(error.kind, DecodeErrorKind::Malformed(_)),
        "{error}"
    );
    assert_eq!(error.id.as_deref(), Some("req-7"));
    assert_eq!(error.namespace, Some(CwmpNamespace::V1_0));
    assert_eq!(error.method.as_deref(), Some("GetParameterNames"));

    for input in [
        &b"\xff\xfe<\x00"[..],
        b"<a><b></a>",
        b"<a attr=noquotes/>",
        b"<a>&</a>",
        b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>\xc3\x28</s:Body></s:Envelope>",
    ] {
        let error = decode_err(input, Side::Cpe);
        assert!(
            matches!(error.kind, DecodeErrorKind::Malformed(_)),
            "{}: {error}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn body_outside_cwmp_namespaces_is_refused() {
    for body in [
        "<Reboot><CommandKey/></Reboot>",
        r#"<x:Reboot xmlns:x="urn:dslforum-org:cwmp-1-5"><CommandKey/></x:Reboot>"#,
        "<undeclared:Reboot/>",
    ] {
        let error = decode_err(&wrap(ID_HEADER, body), Side::Cpe);
        assert_eq!(error.kind, DecodeErrorKind::NoCwmpNamespace, "{body}");
        assert_eq!(error.id.as_deref(), Some("req-7"));
        assert_eq!(error.method.as_deref(), Some("Reboot"));
        assert_eq!(
            error.namespace,
            Some(CwmpNamespace::V1_0),
            "from the ID header"
        );
    }
}

#[test]
fn two_rpcs_in_one_body_are_refused() {
    let input = wrap(ID_HEADER, "<cwmp:Reboot/><cwmp:FactoryReset/>");
    let error = decode_err(&input, Side::Cpe);
    assert!(
        matches!(error.kind, DecodeErrorKind::Malformed(_)),
        "{error}"
    );
    assert_eq!(error.id.as_deref(), Some("req-7"));
}

#[test]
fn unknown_methods() {
    let input = wrap(
        ID_HEADER,
        "<cwmp:X_ACME_Frobnicate><Level>11</Level></cwmp:X_ACME_Frobnicate>",
    );
    let envelope = decode_ok(&input, Side::Cpe);
    assert_eq!(
        envelope.body,
        Body::AcsRequest(AcsRequest::Unknown("X_ACME_Frobnicate".into()))
    );
    assert_eq!(envelope.id.as_deref(), Some("req-7"));
    for name in ["ChangeDUState", "SetVouchers", "GetOptions", "Inform"] {
        let envelope = decode_ok(&wrap("", &format!("<cwmp:{name}/>")), Side::Cpe);
        assert_eq!(
            envelope.body,
            Body::AcsRequest(AcsRequest::Unknown(name.into()))
        );
    }

    let error = decode_err(&input, Side::Acs);
    assert_eq!(
        error.kind,
        DecodeErrorKind::UnknownMethod("X_ACME_Frobnicate".into())
    );
    assert_eq!(error.id.as_deref(), Some("req-7"));
}

#[test]
fn invalid_arguments_keep_the_request_context() {
    let cases = [
        (
            "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>",
            "NextLevel: expected a boolean, got \"maybe\"",
        ),
        (
            "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath></cwmp:GetParameterNames>",
            "NextLevel missing",
        ),
        (
            "<cwmp:ScheduleInform><DelaySeconds>-5</DelaySeconds><CommandKey/></cwmp:ScheduleInform>",
            "DelaySeconds: expected a number in range, got \"-5\"",
        ),
        (
            "<cwmp:Download><CommandKey/><FileType>1 Firmware Upgrade Image</FileType><URL>http://x</URL><FileSize>4294967296</FileSize></cwmp:Download>",
            "FileSize: expected a number in range, got \"4294967296\"",
        ),
        (
            "<cwmp:Download><CommandKey/><FileType>1 Firmware Upgrade Image</FileType></cwmp:Download>",
            "URL missing",
        ),
        (
            "<cwmp:AddObject><ParameterKey/></cwmp:AddObject>",
            "ObjectName missing",
        ),
        (
            "<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.X</Name></ParameterValueStruct></ParameterList></cwmp:SetParameterValues>",
            "Value missing",
        ),
        (
            "<cwmp:SetParameterAttributes><ParameterList><SetParameterAttributesStruct><Name>Device.X</Name><NotificationChange>1</NotificationChange><AccessListChange>0</AccessListChange></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>",
            "Notification missing",
        ),
        (
            "<cwmp:SetParameterAttributes><ParameterList><SetParameterAttributesStruct><Name>Device.X</Name><NotificationChange>1</NotificationChange><Notification>300</Notification><AccessListChange>0</AccessListChange></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>",
            "Notification: expected a number in range, got \"300\"",
        ),
        (
            "<cwmp:GetParameterValues/>",
            "ParameterNames missing",
        ),
    ];
    for (body, reason) in cases {
        let error = decode_err(&wrap(ID_HEADER, body), Side::Cpe);
        assert_eq!(
            error.kind,
            DecodeErrorKind::InvalidArgument(reason.into()),
            "{body}"
        );
        assert_eq!(error.id.as_deref(), Some("req-7"), "{body}");
        assert_eq!(error.namespace, Some(CwmpNamespace::V1_0), "{body}");
        assert!(error.method.is_some(), "{body}");
    }
    let error = decode_err(
        &wrap(
            ID_HEADER,
            "<cwmp:GetParameterNames><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>",
        ),
        Side::Cpe,
    );
    assert_eq!(
        error.to_string(),
        "invalid argument: NextLevel: expected a boolean, got \"maybe\" in GetParameterNames (cwmp:ID \"req-7\")"
    );
    let long = "y".repeat(100);
    let error = decode_err(
        &wrap(
            "",
            &format!(
                "<cwmp:GetParameterNames><NextLevel>{long}</NextLevel></cwmp:GetParameterNames>"
            ),
        ),
        Side::Cpe,
    );
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidArgument(format!(
            "NextLevel: expected a boolean, got \"{}\"…",
            "y".repeat(40)
        ))
    );
}

// ---------------------------------------------------------------------------------------------
// Tolerance

#[test]
fn accepts_any_prefixes_and_default_namespaces() {
    let variants = [
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-1"><SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">1</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body><cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><c:ID xmlns:c="urn:dslforum-org:cwmp-1-1">1</c:ID></soapenv:Header><soapenv:Body><c:Reboot xmlns:c="urn:dslforum-org:cwmp-1-1"><CommandKey>k</CommandKey></c:Reboot></soapenv:Body></soapenv:Envelope>"#,
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:dslforum-org:cwmp-1-1"><s:Header><ID s:mustUnderstand="true">1</ID></s:Header><s:Body><Reboot><CommandKey>k</CommandKey></Reboot></s:Body></s:Envelope>"#,
        r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Header><ID xmlns="urn:dslforum-org:cwmp-1-1">1</ID></Header><Body><Reboot xmlns="urn:dslforum-org:cwmp-1-1"><CommandKey xmlns="">k</CommandKey></Reboot></Body></Envelope>"#,
        "\u{FEFF}<?xml version='1.0' encoding='utf-8'?>\n<!-- ACS --><?pi x?>\n<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/' xmlns:cwmp='urn:dslforum-org:cwmp-1-1'>\r\n <e:Header>\r\n  <cwmp:ID e:mustUnderstand='1'>1</cwmp:ID>\r\n </e:Header>\r\n <e:Body>\r\n  <cwmp:Reboot>\r\n   <CommandKey><![CDATA[k]]></CommandKey>\r\n  </cwmp:Reboot>\r\n </e:Body>\r\n</e:Envelope>\r\n",
    ];
    let expected = Envelope::new(
        CwmpNamespace::V1_1,
        Some("1".into()),
        Body::AcsRequest(AcsRequest::Reboot {
            command_key: "k".into(),
        }),
    );
    for input in variants {
        assert_eq!(decode_ok(input.as_bytes(), Side::Cpe), expected, "{input}");
    }
}

#[test]
fn accepts_cwmp_1_0_to_1_4_namespaces() {
    for minor in 0..=4u8 {
        let input = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-{minor}"><s:Body><cwmp:GetRPCMethods/></s:Body></s:Envelope>"#
        );
        let envelope = decode_ok(input.as_bytes(), Side::Cpe);
        assert_eq!(envelope.namespace, CwmpNamespace { minor });
        assert_eq!(envelope.body, Body::AcsRequest(AcsRequest::GetRPCMethods));
        let envelope = decode_ok(input.as_bytes(), Side::Acs);
        assert_eq!(envelope.body, Body::CpeRequest(CpeRequest::GetRPCMethods));
    }
}

#[test]
fn reads_header_elements() {
    let cases: [(&str, bool, bool, Option<u32>); 6] = [
        (
            r#"<cwmp:HoldRequests soap-env:mustUnderstand="1">1</cwmp:HoldRequests>"#,
            true,
            false,
            None,
        ),
        (
            r#"<cwmp:HoldRequests soap-env:mustUnderstand="1">true</cwmp:HoldRequests>"#,
            true,
            false,
            None,
        ),
        (
            r#"<cwmp:HoldRequests soap-env:mustUnderstand="1"> false </cwmp:HoldRequests>"#,
            false,
            false,
            None,
        ),
        ("<cwmp:HoldRequests>0</cwmp:HoldRequests>", false, false, None),
        (
            "<cwmp:NoMoreRequests>1</cwmp:NoMoreRequests><cwmp:SessionTimeout>60</cwmp:SessionTimeout>",
            false,
            true,
            Some(60),
        ),
        (
            r#"<cwmp:SupportedCWMPVersions>1.0,1.4</cwmp:SupportedCWMPVersions><x:Other xmlns:x="urn:x" soap-env:mustUnderstand="1"/>"#,
            false,
            false,
            None,
        ),
    ];
    for (headers, hold, no_more, timeout) in cases {
        let envelope = decode_ok(
            &wrap(&format!("{ID_HEADER}{headers}"), "<cwmp:GetRPCMethods/>"),
            Side::Cpe,
        );
        assert_eq!(envelope.id.as_deref(), Some("req-7"), "{headers}");
        assert_eq!(envelope.hold_requests, hold, "{headers}");
        assert_eq!(envelope.no_more_requests, no_more, "{headers}");
        assert_eq!(envelope.session_timeout, timeout, "{headers}");
    }
    let error = decode_err(
        &wrap(
            &format!("{ID_HEADER}<cwmp:HoldRequests>yes</cwmp:HoldRequests>"),
            "<cwmp:GetRPCMethods/>",
        ),
        Side::Cpe,
    );
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidArgument("HoldRequests: expected a boolean, got \"yes\"".into())
    );
    assert_eq!(error.id.as_deref(), Some("req-7"));
    let envelope = decode_ok(&wrap("", "<cwmp:GetRPCMethods/>"), Side::Cpe);
    assert_eq!(envelope.id, None);
    let envelope = decode_ok(
        &wrap(
            r#"<cwmp:ID soap-env:mustUnderstand="1"></cwmp:ID>"#,
            "<cwmp:GetRPCMethods/>",
        ),
        Side::Cpe,
    );
    assert_eq!(envelope.id.as_deref(), Some(""));
}

#[test]
fn tolerates_order_extra_elements_and_empty_numbers() {
    let body = r#"
      <cwmp:Download>
        <X_ACME_Priority>high</X_ACME_Priority>
        <URL>http://fw.example.com/a.bin</URL>
        <FileType>1 Firmware Upgrade Image</FileType>
        <DelaySeconds></DelaySeconds>
        <FileSize/>
        <CommandKey>c</CommandKey>
      </cwmp:Download>"#;
    assert_eq!(
        decode_ok(&wrap(ID_HEADER, body), Side::Cpe).body,
        Body::AcsRequest(AcsRequest::Download(Download {
            command_key: "c".into(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: "http://fw.example.com/a.bin".into(),
            ..Download::default()
        }))
    );

    let body = r#"<cwmp:SetParameterValues>
        <ParameterKey>pk</ParameterKey>
        <ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[3]">
          <ParameterValueStruct><Value xmlns:t="http://www.w3.org/2001/XMLSchema-instance" t:type="xs:boolean">true</Value><Name>Device.A</Name></ParameterValueStruct>
          <ParameterValueStruct><Name>Device.B</Name><Value>  spaced  </Value><Note>ignored</Note></ParameterValueStruct>
          <ParameterValueStruct><Name>Device.C</Name><Value xsi:type="xsd:base64"/></ParameterValueStruct>
        </ParameterList>
      </cwmp:SetParameterValues>"#;
    assert_eq!(
        decode_ok(&wrap(ID_HEADER, body), Side::Cpe).body,
        Body::AcsRequest(AcsRequest::SetParameterValues {
            parameter_list: vec![
                pvs("Device.A", "true", XsdType::Boolean),
                pvs("Device.B", "  spaced  ", XsdType::Other(String::new())),
                pvs("Device.C", "", XsdType::Base64),
            ],
            parameter_key: "pk".into(),
        })
    );

    let body = r#"<cwmp:GetParameterNames><NextLevel> TRUE </NextLevel></cwmp:GetParameterNames>"#;
    assert_eq!(
        decode_ok(&wrap(ID_HEADER, body), Side::Cpe).body,
        Body::AcsRequest(AcsRequest::GetParameterNames {
            parameter_path: "".into(),
            next_level: true,
        })
    );

    let body = r#"<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]">
        <SetParameterAttributesStruct><Name>Device.X</Name><NotificationChange>false</NotificationChange><AccessListChange>false</AccessListChange></SetParameterAttributesStruct>
      </ParameterList></cwmp:SetParameterAttributes>"#;
    assert_eq!(
        decode_ok(&wrap(ID_HEADER, body), Side::Cpe).body,
        Body::AcsRequest(AcsRequest::SetParameterAttributes {
            parameter_list: vec![SetParameterAttributesStruct {
                name: "Device.X".into(),
                ..SetParameterAttributesStruct::default()
            }]
        })
    );
}

#[test]
fn faults_from_either_side() {
    let body = r#"<soap-env:Fault><faultcode>soap-env:Server</faultcode><faultstring>CWMP fault</faultstring>
        <detail><cwmp:Fault><FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault></detail></soap-env:Fault>"#;
    for side in [Side::Cpe, Side::Acs] {
        let envelope = decode_ok(&wrap(ID_HEADER, body), side);
        assert_eq!(envelope.namespace, CwmpNamespace::V1_0);
        assert_eq!(
            envelope.body,
            Body::Fault(Fault {
                soap_fault_code: "Server".into(),
                fault_code: 8005,
                fault_string: "Retry request".into(),
                set_parameter_values_faults: vec![],
            })
        );
    }
    let no_detail = r#"<soap-env:Fault><faultcode>Server</faultcode><faultstring>oops</faultstring></soap-env:Fault>"#;
    let error = decode_err(&wrap(ID_HEADER, no_detail), Side::Cpe);
    assert_eq!(error.kind, DecodeErrorKind::NoCwmpNamespace);
    assert_eq!(error.method.as_deref(), Some("Fault"));
}

/// The property the fuzz target checks, on every fixture: whatever decodes re-encodes to bytes
/// that decode to the same envelope, and encoding is stable from then on.
#[test]
fn decode_encode_is_stable_on_fixtures() {
    for (name, bytes) in all_fixtures() {
        for side in [Side::Cpe, Side::Acs] {
            let Ok(first) = decode(&bytes, side) else {
                continue;
            };
            let encoded = encode(&first);
            let second = decode(&encoded, side)
                .unwrap_or_else(|e| panic!("{name}: re-encoding does not decode: {e}"));
            assert_eq!(encode(&second), encoded, "{name}");
        }
    }
}
