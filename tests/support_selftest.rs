//! Tests of the test ACS itself, driven by a small fake CPE (reqwest, hand-written
//! envelopes, the `digest_auth` crate for client-side Digest).

mod support;

use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use std::path::PathBuf;
use std::time::Duration;
use support::*;

const WAIT: Duration = Duration::from_secs(5);

fn trace(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/acs-traces/genieacs-1.2.16").join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("GenieACS trace {name} not found beside the crate"));
    std::fs::read_to_string(path).unwrap()
}

/// A CPE Inform as a typical CPE writes it (`SOAP-ENV` prefixes, cwmp-1-0).
fn cpe_inform(id: &str, events: &[&str]) -> String {
    let events: String = events
        .iter()
        .map(|e| {
            format!(
                "<EventStruct><EventCode>{e}</EventCode><CommandKey></CommandKey></EventStruct>"
            )
        })
        .collect();
    let count = events.matches("<EventStruct>").count();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
<SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">{id}</cwmp:ID></SOAP-ENV:Header>
<SOAP-ENV:Body><cwmp:Inform>
<DeviceId><Manufacturer>OpenWrt</Manufacturer><OUI>C006C3</OUI><ProductClass>Archer C7 v5</ProductClass><SerialNumber>C006C35A1E90</SerialNumber></DeviceId>
<Event SOAP-ENC:arrayType="cwmp:EventStruct[{count}]">{events}</Event>
<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2025-06-01T12:00:00Z</CurrentTime><RetryCount>0</RetryCount>
<ParameterList SOAP-ENC:arrayType="cwmp:ParameterValueStruct[2]">
<ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">23.05.5 &amp; more</Value></ParameterValueStruct>
<ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformInterval</Name><Value xsi:type="xsd:unsignedInt">3600</Value></ParameterValueStruct>
</ParameterList>
</cwmp:Inform></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

fn cpe_envelope(id: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">{id}</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

fn gpv_response(id: &str) -> String {
    cpe_envelope(
        id,
        r#"<cwmp:GetParameterValuesResponse><ParameterList SOAP-ENC:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.DeviceInfo.Manufacturer</Name><Value xsi:type="xsd:string">OpenWrt</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>"#,
    )
}

fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn tls_client(acs: &TestAcs, with_client_cert: bool) -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .use_preconfigured_tls(acs.tls_client_config(with_client_cert).unwrap())
        .build()
        .unwrap()
}

async fn post(client: &reqwest::Client, url: &str, body: String) -> reqwest::Response {
    client.post(url).body(body).send().await.unwrap()
}

/// Inform, empty POST, answer one GPV: the three requests of the one-RPC script.
async fn run_gpv_session(client: &reqwest::Client, url: &str) {
    let response = post(client, url, cpe_inform("inform-1", &["1 BOOT"])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = post(client, url, String::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let request = Envelope::parse(&response.text().await.unwrap()).unwrap();
    assert_eq!(request.method(), "GetParameterValues");
    let response = post(client, url, gpv_response(request.id().unwrap())).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

fn gpv_script() -> AcsConfig {
    AcsConfig::new().session(vec![AcsRpc::gpv(&["Device.DeviceInfo.Manufacturer"])])
}

#[tokio::test]
async fn full_session_with_cookie_and_keep_alive() {
    let acs = TestAcs::start(gpv_script());
    let client = client();
    let url = acs.url();

    let response = post(
        &client,
        &url,
        cpe_inform("inform-1", &["0 BOOTSTRAP", "1 BOOT"]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let value = cookie.strip_prefix("session=").expect("session cookie");
    assert_eq!(value.len(), 32);
    assert!(value.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/xml; charset=\"utf-8\""
    );
    assert_eq!(
        response.text().await.unwrap(),
        trace("InformResponse-1.xml")
    );

    let response = post(&client, &url, String::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let gpv = response.text().await.unwrap();
    assert_eq!(
        gpv,
        soap::envelope(
            NS_CWMP_1_0,
            "acs-1-1",
            None,
            "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[1]\">\
             <string>Device.DeviceInfo.Manufacturer</string></ParameterNames></cwmp:GetParameterValues>"
        )
    );

    let response = post(&client, &url, gpv_response("acs-1-1")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.text().await.unwrap(), "");

    let sessions = acs.wait_sessions_async(1, WAIT).await.unwrap();
    let session = &sessions[0];
    assert_eq!(session.number, 1);
    assert_eq!(session.cookie, value);
    assert_eq!(session.outcome, Outcome::Completed);
    assert_eq!(
        session.events(),
        vec![
            ("0 BOOTSTRAP".to_string(), String::new()),
            ("1 BOOT".to_string(), String::new())
        ]
    );
    assert_eq!(
        session.inform_params()[0],
        ParamValue {
            name: "Device.DeviceInfo.SoftwareVersion".into(),
            value: "23.05.5 & more".into(),
            xsi_type: Some("xsd:string".into()),
        }
    );
    assert_eq!(
        session.inform.device_id("SerialNumber"),
        Some("C006C35A1E90")
    );
    assert_eq!(session.exchanges.len(), 1);
    assert_eq!(session.exchanges[0].method, "GetParameterValues");
    assert_eq!(session.exchanges[0].id.as_deref(), Some("acs-1-1"));
    let answer = session.response(0);
    assert_eq!(answer.method(), "GetParameterValuesResponse");
    assert_eq!(
        answer.value_of("Device.DeviceInfo.Manufacturer").as_deref(),
        Some("OpenWrt")
    );
    assert_eq!(session.records, vec![1, 2, 3]);

    let records = acs.records();
    assert_eq!(records.len(), 3);
    assert!(records
        .iter()
        .all(|r| r.conn == 1 && r.port == acs.port() && r.path == ACS_PATH));
    assert_eq!(records[0].cookie, None);
    assert_eq!(records[1].cookie.as_deref(), Some(value));
    assert_eq!(records[2].cookie.as_deref(), Some(value));
    assert!(records[1].is_empty_post());
    assert_eq!(acs.connections(), 1);
    acs.assert_no_violations();

    let transcript = acs.transcript();
    assert!(
        transcript.contains("CPE → ACS  Inform  events: 0 BOOTSTRAP, 1 BOOT  params: 2"),
        "{transcript}"
    );
    assert!(
        transcript.contains("ACS → CPE  InformResponse  (session 1, cookie set)"),
        "{transcript}"
    );
    assert!(
        transcript.contains("ACS → CPE  GetParameterValues  Device.DeviceInfo.Manufacturer"),
        "{transcript}"
    );
    assert!(
        transcript.contains(
            "CPE → ACS  GetParameterValuesResponse  Device.DeviceInfo.Manufacturer = OpenWrt"
        ),
        "{transcript}"
    );
    assert!(
        transcript.contains("ACS → CPE  204 No Content  (session 1 complete)"),
        "{transcript}"
    );
}

#[tokio::test]
async fn each_request_on_a_new_connection() {
    let acs = TestAcs::start(gpv_script());
    install_crypto_provider();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    run_gpv_session(&client, &acs.url()).await;
    acs.wait_sessions_async(1, WAIT).await.unwrap();
    let conns: Vec<u64> = acs.records().iter().map(|r| r.conn).collect();
    assert_eq!(conns, vec![1, 2, 3]);
    acs.assert_no_violations();
}

#[tokio::test]
async fn cpe_requests_answered_before_empty_post() {
    let script = SessionScript::new().fault_cpe_request("RequestDownload", 8005);
    let acs = TestAcs::start(AcsConfig::new().session(script));
    let client = client();
    let url = acs.url();
    post(&client, &url, cpe_inform("1", &["7 TRANSFER COMPLETE"])).await;

    let transfer_complete =
        "<cwmp:TransferComplete><CommandKey>k1</CommandKey><FaultStruct><FaultCode>0</FaultCode>\
        <FaultString></FaultString></FaultStruct><StartTime>2025-06-01T12:00:00Z</StartTime>\
        <CompleteTime>2025-06-01T12:00:09Z</CompleteTime></cwmp:TransferComplete>";
    let response = post(&client, &url, cpe_envelope("cpe-0", transfer_complete)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().await.unwrap(),
        trace("TransferCompleteResponse-1.xml")
    );

    let response = post(
        &client,
        &url,
        cpe_envelope("cpe-1", "<cwmp:GetRPCMethods></cwmp:GetRPCMethods>"),
    )
    .await;
    let methods = Envelope::parse(&response.text().await.unwrap()).unwrap();
    assert_eq!(methods.method(), "GetRPCMethodsResponse");
    assert_eq!(methods.id(), Some("cpe-1"));
    assert_eq!(methods.method_list(), soap::ACS_METHODS.to_vec());

    let request_download = "<cwmp:RequestDownload><FileType>1 Firmware Upgrade Image</FileType>\
        <FileTypeArg SOAP-ENC:arrayType=\"cwmp:ArgStruct[0]\"></FileTypeArg></cwmp:RequestDownload>";
    let response = post(&client, &url, cpe_envelope("cpe-2", request_download)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let fault = Envelope::parse(&response.text().await.unwrap())
        .unwrap()
        .fault()
        .unwrap();
    assert_eq!(
        (fault.soap_code.as_str(), fault.code, fault.string.as_str()),
        ("Server", 8005, "Retry request")
    );

    let response = post(&client, &url, String::new()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let session = acs.wait_session(1, WAIT).unwrap();
    let methods: Vec<&str> = session.cpe_requests.iter().map(|r| r.method()).collect();
    assert_eq!(
        methods,
        vec!["TransferComplete", "GetRPCMethods", "RequestDownload"]
    );
    assert_eq!(
        session
            .cpe_request("TransferComplete")
            .unwrap()
            .text_of("CommandKey"),
        Some("k1")
    );
    assert_eq!(
        session.command_key("7 TRANSFER COMPLETE").as_deref(),
        Some("")
    );
    acs.assert_no_violations();
}

#[tokio::test]
async fn missing_cookie_and_wrong_id_are_violations() {
    let acs = TestAcs::start(gpv_script());
    install_crypto_provider();
    let cookieless = reqwest::Client::new();
    let url = acs.url();
    post(&cookieless, &url, cpe_inform("1", &["2 PERIODIC"])).await;
    let response = post(&cookieless, &url, String::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = post(&cookieless, &url, gpv_response("not-the-id")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        acs.violations(),
        vec![
            "#2: POST without the session cookie".to_string(),
            "#3: POST without the session cookie".to_string(),
            "#3: GetParameterValuesResponse has cwmp:ID Some(\"not-the-id\"), the GetParameterValues had Some(\"acs-1-1\")"
                .to_string(),
        ]
    );
    let response = post(&cookieless, &url, String::new()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        acs.violations()[3],
        "#4: POST outside a session (no Inform before it)"
    );
}

#[tokio::test]
async fn scripts_per_session_and_hold_requests() {
    let config = AcsConfig::new()
        .session(SessionScript::new().hold_requests_on_inform(true))
        .session(SessionScript::new().step(Step {
            rpc: AcsRpc::reboot("rb-1"),
            id: Some("custom-id".into()),
            hold_requests: Some(false),
        }));
    let acs = TestAcs::start(config);
    let client = client();
    let url = acs.url();

    let inform_response = post(&client, &url, cpe_inform("a", &["1 BOOT"]))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        Envelope::parse(&inform_response).unwrap().hold_requests(),
        Some("1")
    );
    assert_eq!(
        post(&client, &url, String::new()).await.status(),
        StatusCode::NO_CONTENT
    );

    post(&client, &url, cpe_inform("b", &["2 PERIODIC"])).await;
    let reboot = post(&client, &url, String::new())
        .await
        .text()
        .await
        .unwrap();
    let reboot = Envelope::parse(&reboot).unwrap();
    assert_eq!(
        (reboot.method(), reboot.id(), reboot.hold_requests()),
        ("Reboot", Some("custom-id"), Some("0"))
    );
    assert_eq!(reboot.text_of("CommandKey"), Some("rb-1"));
    let answer = post(
        &client,
        &url,
        cpe_envelope("custom-id", "<cwmp:RebootResponse></cwmp:RebootResponse>"),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);

    // Session 3 has no script: it ends right after the empty POST.
    post(&client, &url, cpe_inform("c", &["2 PERIODIC"])).await;
    assert_eq!(
        post(&client, &url, String::new()).await.status(),
        StatusCode::NO_CONTENT
    );

    let sessions = acs.wait_sessions_async(3, WAIT).await.unwrap();
    assert_eq!(sessions[1].response(0).method(), "RebootResponse");
    assert!(sessions[2].exchanges.is_empty());
    let session = acs
        .wait_for_inform_with_event_async("2 PERIODIC", WAIT)
        .await
        .unwrap();
    assert_eq!(session.number, 2);
    acs.assert_no_violations();
}

#[tokio::test]
async fn new_inform_abandons_an_open_session() {
    let acs = TestAcs::start(gpv_script());
    let client = client();
    post(&client, &acs.url(), cpe_inform("1", &["1 BOOT"])).await;
    post(&client, &acs.url(), String::new()).await;
    post(&client, &acs.url(), cpe_inform("2", &["1 BOOT"])).await;
    let sessions = acs.sessions();
    assert_eq!(sessions[0].outcome, Outcome::Abandoned);
    assert_eq!(sessions[1].outcome, Outcome::Open);
    assert!(sessions[1].exchanges.is_empty(), "session 2 has no script");
}

#[tokio::test]
async fn raw_step_is_sent_verbatim() {
    let script = vec![AcsRpc::raw("truncated", "<soap-env:Env")];
    let acs = TestAcs::start(AcsConfig::new().session(script));
    let client = client();
    post(&client, &acs.url(), cpe_inform("1", &["1 BOOT"])).await;
    let raw = post(&client, &acs.url(), String::new()).await;
    assert_eq!(raw.text().await.unwrap(), "<soap-env:Env");
    let fault = cpe_envelope(
        "x",
        "<SOAP-ENV:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail>\
         <cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString></cwmp:Fault>\
         </detail></SOAP-ENV:Fault>",
    );
    assert_eq!(
        post(&client, &acs.url(), fault).await.status(),
        StatusCode::NO_CONTENT
    );
    let session = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(session.exchanges[0].id, None);
    assert_eq!(session.response(0).fault().unwrap().code, 9003);
    assert!(acs.transcript().contains("(raw step \"truncated\")"));
    acs.assert_no_violations();
}

#[tokio::test]
async fn namespace_follows_the_inform_unless_fixed() {
    let cwmp_1_2 = cpe_inform("1", &["1 BOOT"]).replace(NS_CWMP_1_0, NS_CWMP_1_2);
    for (choice, expected) in [
        (NsChoice::FromInform, NS_CWMP_1_2),
        (NsChoice::Cwmp10, NS_CWMP_1_0),
    ] {
        let acs = TestAcs::start(gpv_script().namespace(choice));
        let client = client();
        let inform_response = post(&client, &acs.url(), cwmp_1_2.clone())
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            Envelope::parse(&inform_response).unwrap().cwmp_ns(),
            Some(expected)
        );
        let gpv = post(&client, &acs.url(), String::new())
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(Envelope::parse(&gpv).unwrap().cwmp_ns(), Some(expected));
        assert_eq!(acs.session(1).cwmp_ns, expected);
    }
}

async fn digest_session(acs: &TestAcs, password: &str) -> (StatusCode, StatusCode) {
    let client = client();
    let url = acs.url();
    let inform = cpe_inform("1", &["1 BOOT"]);
    let first = post(&client, &url, inform.clone()).await;
    let challenges: Vec<String> = first
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let mut prompt = digest_auth::parse(challenges.last().unwrap()).unwrap();
    let context =
        digest_auth::AuthContext::new_post("cpe", password, ACS_PATH, Some(inform.as_bytes()));
    let answer = prompt.respond(&context).unwrap().to_header_string();
    let second = client
        .post(&url)
        .header(AUTHORIZATION, answer)
        .body(inform)
        .send()
        .await
        .unwrap();
    (first.status(), second.status())
}

#[tokio::test]
async fn digest_md5_accepts_right_and_refuses_wrong_credentials() {
    let acs = TestAcs::start(AcsConfig::new().auth(Auth::digest("cpe", "s3cret")));
    assert_eq!(
        digest_session(&acs, "s3cret").await,
        (StatusCode::UNAUTHORIZED, StatusCode::OK)
    );
    let records = acs.records();
    let challenge = records[0].reply.clone();
    let Reply::Sent(challenge) = challenge else {
        panic!("no reply")
    };
    let header = challenge.get_header("WWW-Authenticate").unwrap();
    assert!(
        header.starts_with("Digest realm=\"cwmpd-test-acs\", qop=\"auth\", nonce=\""),
        "{header}"
    );
    assert!(header.ends_with(", algorithm=MD5"), "{header}");
    assert_eq!(records[0].auth, AuthCheck::Missing);
    assert_eq!(records[1].auth, AuthCheck::Passed);
    assert_eq!(acs.sessions().len(), 1);

    assert_eq!(
        digest_session(&acs, "wrong").await,
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        acs.records()[3].auth,
        AuthCheck::Failed("wrong response (credentials)".into())
    );
    assert_eq!(acs.sessions().len(), 1, "no session without credentials");
}

#[tokio::test]
async fn digest_sha256_counts_nonce_uses() {
    let acs = TestAcs::start(
        AcsConfig::new()
            .auth(Auth::digest_with(
                "cpe",
                "pw",
                &[DigestAlgorithm::Sha256, DigestAlgorithm::Md5],
            ))
            .auth_scope(AuthScope::EveryRequest),
    );
    let client = client();
    let url = acs.url();
    let inform = cpe_inform("1", &["1 BOOT"]);
    let first = post(&client, &url, inform.clone()).await;
    let challenges: Vec<&str> = first
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(challenges.len(), 2);
    assert!(challenges[0].contains("algorithm=SHA-256") && challenges[1].contains("algorithm=MD5"));
    let mut prompt = digest_auth::parse(challenges[0]).unwrap();

    let mut send = |body: String| {
        let context = digest_auth::AuthContext::new_post(
            "cpe",
            "pw",
            ACS_PATH,
            Some(body.clone().into_bytes()),
        );
        let answer = prompt.respond(&context).unwrap().to_header_string();
        client
            .post(&url)
            .header(AUTHORIZATION, answer)
            .body(body)
            .send()
    };
    assert_eq!(send(inform).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send(String::new()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let records = acs.records();
    assert!(records[1]
        .header("authorization")
        .unwrap()
        .contains("nc=00000001"));
    assert!(records[2]
        .header("authorization")
        .unwrap()
        .contains("nc=00000002"));

    // The same nc again is a replay.
    let replayed = records[2].header("authorization").unwrap().to_string();
    let response = client
        .post(&url)
        .header(AUTHORIZATION, replayed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        acs.records()[3].auth,
        AuthCheck::Failed("nc 2 not above 2 (replay)".into())
    );
}

#[tokio::test]
async fn basic_auth() {
    let acs = TestAcs::start(AcsConfig::new().auth(Auth::basic("cpe", "pw")));
    let client = client();
    let url = acs.url();
    let first = post(&client, &url, cpe_inform("1", &["1 BOOT"])).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        first.headers()[WWW_AUTHENTICATE],
        "Basic realm=\"cwmpd-test-acs\""
    );
    let wrong = client
        .post(&url)
        .basic_auth("cpe", Some("no"))
        .body(cpe_inform("1", &["1 BOOT"]));
    assert_eq!(
        wrong.send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let right = client
        .post(&url)
        .basic_auth("cpe", Some("pw"))
        .body(cpe_inform("1", &["1 BOOT"]));
    assert_eq!(right.send().await.unwrap().status(), StatusCode::OK);
    let checks: Vec<AuthCheck> = acs.records().into_iter().map(|r| r.auth).collect();
    assert_eq!(
        checks,
        vec![
            AuthCheck::Missing,
            AuthCheck::Failed("wrong credentials".into()),
            AuthCheck::Passed
        ]
    );
}

#[tokio::test]
async fn redirect_to_the_other_port_serves_the_session() {
    let acs = TestAcs::start(gpv_script().rule(
        When::Inform(1),
        Inject::Redirect {
            status: 307,
            to: Location::OtherPort(ACS_PATH.into()),
        },
    ));
    let client = client();
    let first = post(&client, &acs.url(), cpe_inform("1", &["1 BOOT"])).await;
    assert_eq!(first.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = first.headers()[LOCATION].to_str().unwrap().to_string();
    assert_eq!(location, acs.alt_url());
    run_gpv_session(&client, &location).await;

    let records = acs.records();
    let ports: Vec<u16> = records.iter().map(|r| r.port).collect();
    assert_eq!(
        ports,
        vec![acs.port(), acs.alt_port(), acs.alt_port(), acs.alt_port()]
    );
    assert_eq!(records[0].session, None);
    assert_eq!(acs.wait_sessions(1, WAIT).unwrap().len(), 1);
    acs.assert_no_violations();
}

#[tokio::test]
async fn redirect_to_another_path() {
    let acs = TestAcs::start(AcsConfig::new().rule(
        When::Post(1),
        Inject::Redirect {
            status: 302,
            to: Location::Path("/elsewhere".into()),
        },
    ));
    let first = post(&client(), &acs.url(), cpe_inform("1", &["1 BOOT"])).await;
    assert_eq!(first.status(), StatusCode::FOUND);
    assert_eq!(
        first.headers()[LOCATION].to_str().unwrap(),
        format!("http://127.0.0.1:{}/elsewhere", acs.port())
    );
}

#[tokio::test]
async fn injected_503_and_dropped_connection_then_success() {
    let acs = TestAcs::start(
        AcsConfig::new()
            .rule(When::Inform(1), Inject::Status(503))
            .rule(When::Inform(2), Inject::Drop)
            .rule(When::Inform(3), Inject::Delay(Duration::from_millis(200))),
    );
    let client = client();
    let url = acs.url();
    let inform = || cpe_inform("1", &["1 BOOT"]);
    let response = post(&client, &url, inform()).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "");
    let dropped = client.post(&url).body(inform()).send().await;
    assert!(dropped.is_err(), "{dropped:?}");
    let started = std::time::Instant::now();
    assert_eq!(post(&client, &url, inform()).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(200));

    let log = acs.log();
    assert_eq!(log.informs().len(), 3);
    assert_eq!(log.sessions.len(), 1);
    assert_eq!(log.records[0].reply.status(), Some(503));
    assert_eq!(log.records[1].reply, Reply::Dropped);
    assert_eq!(log.records[2].session, Some(1));
    let transcript = acs.transcript();
    assert!(
        transcript.contains("ACS → CPE  503 Service Unavailable  (injected 503)"),
        "{transcript}"
    );
    assert!(
        transcript.contains("(connection dropped)  (injected: connection dropped)"),
        "{transcript}"
    );
}

#[tokio::test]
async fn tls_with_generated_ca() {
    let acs = TestAcs::start(gpv_script().tls(TlsOptions::default()));
    assert!(acs.url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(acs.ca_file().unwrap()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(Some(pem), acs.ca_pem());
    run_gpv_session(&tls_client(&acs, false), &acs.url()).await;
    acs.wait_sessions_async(1, WAIT).await.unwrap();
    assert!(acs.records().iter().all(|r| r.tls && !r.client_cert));
    acs.assert_no_violations();
}

#[tokio::test]
async fn tls_wrong_hostname_is_refused_by_the_client() {
    let options = TlsOptions {
        wrong_hostname: true,
        ..TlsOptions::default()
    };
    let acs = TestAcs::start(AcsConfig::new().tls(options));
    let result = tls_client(&acs, false)
        .post(acs.url())
        .body(cpe_inform("1", &["1 BOOT"]))
        .send()
        .await;
    let error = format!("{:?}", result.unwrap_err());
    assert!(error.contains("NotValidForName"), "{error}");
    let log = acs
        .wait_until_async("a TLS error", WAIT, |log| {
            (!log.tls_errors.is_empty()).then_some(())
        })
        .await;
    assert!(log.is_ok());
    assert!(acs.records().is_empty());
}

#[tokio::test]
async fn tls_client_certificate_required() {
    let options = TlsOptions {
        require_client_cert: true,
        ..TlsOptions::default()
    };
    let acs = TestAcs::start(gpv_script().tls(options));
    let without = tls_client(&acs, false)
        .post(acs.url())
        .body(cpe_inform("1", &["1 BOOT"]))
        .send()
        .await;
    assert!(without.is_err());
    run_gpv_session(&tls_client(&acs, true), &acs.url()).await;
    let records = acs.records();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.client_cert));
    acs.wait_until_async("the refused handshake", WAIT, |log| {
        log.tls_errors.first().cloned()
    })
    .await
    .unwrap();
    let files = acs.tls_files().unwrap();
    assert!(files.client_cert.is_file() && files.client_key.is_file());
}

#[test]
fn blocking_use_from_a_plain_test() {
    let acs = TestAcs::start(gpv_script());
    let url = acs.url();
    let cpe = std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async { run_gpv_session(&client(), &url).await })
    });
    let session = acs.wait_for_inform_with_event("1 BOOT", WAIT).unwrap();
    cpe.join().unwrap();
    assert_eq!(session.response(0).method(), "GetParameterValuesResponse");
    let timeout = acs.wait_sessions(2, Duration::from_millis(50)).unwrap_err();
    assert!(timeout
        .to_string()
        .starts_with("timed out after 50ms waiting for 2 completed session(s)"));
    assert!(timeout.transcript.contains("GetParameterValuesResponse"));
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

#[tokio::test]
async fn write_and_validate_cpe_bodies() {
    let acs = TestAcs::start(gpv_script());
    run_gpv_session(&client(), &acs.url()).await;
    assert_eq!(acs.validate_cpe_bodies(), Ok(2));
    let files = acs.write_cpe_bodies(&acs.dir().join("out"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["001-Inform.xml", "003-GetParameterValuesResponse.xml"]
    );
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

#[test]
fn cookie_header_parsing() {
    let request = support::http::Request {
        method: "POST".into(),
        target: "/".into(),
        minor_version: 1,
        headers: vec![(COOKIE.to_string(), "a=1; session=abc ; b=2".into())],
        body: Vec::new(),
    };
    assert_eq!(request.cookie("session").as_deref(), Some("abc"));
    assert!(request.keep_alive());
}

mod cr_client {
    use super::support::digest::{self, parse_params, DigestInput};
    use super::support::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    const NONCE: &str = "fixed-nonce-1";

    /// A one-thread CPE connection-request endpoint that checks Digest like a CPE should.
    fn fake_cr_server(
        algorithm: DigestAlgorithm,
        requests: usize,
    ) -> (String, std::thread::JoinHandle<Vec<u16>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/cr-path",
            listener.local_addr().unwrap().port()
        );
        let handle = std::thread::spawn(move || {
            let mut last_nc = 0;
            let mut statuses = Vec::new();
            for stream in listener.incoming().take(requests) {
                let mut stream = stream.unwrap();
                let authorization = read_authorization(&mut stream);
                let status = match authorization {
                    Some(value) if valid(&value, algorithm, &mut last_nc) => 200,
                    _ => 401,
                };
                let challenge = format!(
                    "Digest realm=\"cpe\", qop=\"auth\", nonce=\"{NONCE}\", algorithm={}",
                    algorithm.token()
                );
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(reply.as_bytes()).unwrap();
                statuses.push(status);
            }
            statuses
        });
        (url, handle)
    }

    fn read_authorization(stream: &mut std::net::TcpStream) -> Option<String> {
        let reader = BufReader::new(stream);
        let mut authorization = None;
        for line in reader.lines() {
            let line = line.unwrap();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Authorization: Digest ") {
                authorization = Some(value.to_string());
            }
        }
        authorization
    }

    fn valid(value: &str, algorithm: DigestAlgorithm, last_nc: &mut u32) -> bool {
        let p = parse_params(value);
        let nc = u32::from_str_radix(&p["nc"], 16).unwrap();
        let expected = digest::response(&DigestInput {
            algorithm,
            username: "acs",
            realm: "cpe",
            password: "crpw",
            method: "GET",
            uri: "/cr-path",
            nonce: NONCE,
            qop: Some((&p["nc"], &p["cnonce"], "auth")),
        });
        let ok = p["response"] == expected && p["uri"] == "/cr-path" && nc > *last_nc;
        if ok {
            *last_nc = nc;
        }
        ok
    }

    #[test]
    fn digest_sha256_then_replay_is_refused() {
        let (url, server) = fake_cr_server(DigestAlgorithm::Sha256, 3);
        let request = CrRequest::new(&url, "acs", "crpw", DigestAlgorithm::Sha256);
        let outcome = connection_request_with(&request).unwrap();
        assert_eq!((outcome.first_status, outcome.status), (Some(401), 200));
        assert!(outcome.authorization.unwrap().contains("algorithm=SHA-256"));

        let replay = CrRequest {
            replay: outcome.challenge,
            nc: 1,
            ..request
        };
        let outcome = connection_request_with(&replay).unwrap();
        assert_eq!((outcome.first_status, outcome.status), (None, 401));
        assert_eq!(server.join().unwrap(), vec![401, 200, 401]);
    }

    #[test]
    fn digest_md5_wrong_password() {
        let (url, server) = fake_cr_server(DigestAlgorithm::Md5, 2);
        assert_eq!(
            connection_request(&url, "acs", "nope", DigestAlgorithm::Md5).unwrap(),
            401
        );
        assert_eq!(server.join().unwrap(), vec![401, 401]);
    }
}

#[test]
fn cpe_process_prepares_a_sandbox_root() {
    let cpe = CpeProcess::new("config acs 'acs'\n\toption url 'http://127.0.0.1:1/acs'\n");
    assert_eq!(
        cpe.read_file("/etc/config/cwmpd").unwrap(),
        "config acs 'acs'\n\toption url 'http://127.0.0.1:1/acs'\n"
    );
    let board: serde_json::Value =
        serde_json::from_str(&cpe.read_file("/etc/board.json").unwrap()).unwrap();
    assert_eq!(board["model"]["id"], "tplink,archer-c7-v5");
    assert!(cpe
        .read_file("/etc/openwrt_release")
        .unwrap()
        .contains("DISTRIB_RELEASE='23.05.5'"));
    assert!(cpe.path("/var/run").is_dir());
    assert!(cpe.actions().is_empty());
    assert!(support::cpe::cwmpd_binary().ends_with("cwmpd"));
}

#[test]
fn cpe_process_runs_and_stops_the_binary() {
    let mut cpe = CpeProcess::new("");
    cpe.spawn();
    assert!(cpe.terminate(Duration::from_secs(10)).is_some());
    cpe.restart();
    cpe.kill();
    assert_eq!(cpe.runs(), 2);
    assert!(cpe.stderr().contains("===== cwmpd run 2 ====="));
}
