//! The ACS client against real loopback servers.

mod net_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cwmpd::cwmp::digest::{
    DigestServer, ExpectedCredentials, RequestLine, Verification, DEFAULT_NONCE_LIFETIME,
};
use cwmpd::net::acs_client::{AcsError, AcsReply, AcsSession, AcsSettings, MAX_REDIRECTS};
use cwmpd::net::tls::TlsFiles;
use net_support::{handler, temp_dir, write_file, Ca, Reply, Request, TestServer};

const ENVELOPE: &[u8] = b"<soap:Envelope>inform</soap:Envelope>";

fn settings(url: &str) -> AcsSettings {
    let mut settings = AcsSettings::new(url);
    settings.tls = TlsFiles::default().without_system_roots();
    settings.timeout = Duration::from_secs(5);
    settings
}

fn with_credentials(url: &str, username: &str, password: &str) -> AcsSettings {
    let mut settings = settings(url);
    settings.username = username.to_string();
    settings.password = password.to_string();
    settings
}

fn reply(status: u16, body: &[u8]) -> AcsReply {
    AcsReply {
        status,
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn empty_post_and_envelope_headers() {
    let server = TestServer::start(handler(|_| Reply::ok(b"<ok/>"))).await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"<ok/>"))
    );
    assert_eq!(session.post(Vec::new()).await, Ok(reply(200, b"<ok/>")));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let envelope = &requests[0];
    assert_eq!(envelope.method, "POST");
    assert_eq!(envelope.target, "/acs");
    assert_eq!(
        envelope.header("content-type"),
        Some("text/xml; charset=\"utf-8\"")
    );
    assert_eq!(envelope.all("soapaction"), vec![""]);
    assert_eq!(envelope.body, ENVELOPE);
    let empty = &requests[1];
    assert_eq!(empty.all("content-length"), vec!["0"]);
    assert_eq!(empty.header("content-type"), None);
    assert_eq!(empty.header("soapaction"), None);
    assert!(empty.body.is_empty());
    // One connection carries the whole session.
    assert_eq!(empty.connection, envelope.connection);
}

#[tokio::test]
async fn cookies_live_for_one_session_only() {
    let server = TestServer::start(handler(|request| {
        if request.header("cookie").is_none() {
            Reply::ok(b"").header("Set-Cookie", "session=abc123; Path=/")
        } else {
            Reply::ok(b"")
        }
    }))
    .await;
    let url = server.url("/acs");
    let mut first = AcsSession::new(&settings(&url)).expect("session");
    first.post(ENVELOPE.to_vec()).await.expect("inform");
    first.post(Vec::new()).await.expect("empty post");
    first.post(Vec::new()).await.expect("empty post");
    let mut second = AcsSession::new(&settings(&url)).expect("session");
    second.post(ENVELOPE.to_vec()).await.expect("inform");

    let cookies: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.header("cookie").map(str::to_string))
        .collect();
    assert_eq!(
        cookies,
        vec![
            None,
            Some("session=abc123".to_string()),
            Some("session=abc123".to_string()),
            None
        ]
    );
}

#[tokio::test]
async fn basic_auth_answers_the_challenge_and_stays_for_the_session() {
    // base64("cpe:pässword") is not needed: keep ASCII, "cpe:secret".
    let server = TestServer::start(handler(|request| {
        if request.header("authorization") == Some("Basic Y3BlOnNlY3JldA==") {
            Reply::ok(b"in")
        } else {
            Reply::status(401).header("WWW-Authenticate", "Basic realm=\"acs\"")
        }
    }))
    .await;
    let settings = with_credentials(&server.url("/acs"), "cpe", "secret");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(session.post(ENVELOPE.to_vec()).await, Ok(reply(200, b"in")));
    assert_eq!(session.post(Vec::new()).await, Ok(reply(200, b"in")));

    let requests = server.requests();
    let auth: Vec<Option<&str>> = requests.iter().map(|r| r.header("authorization")).collect();
    assert_eq!(
        auth,
        vec![
            None,
            Some("Basic Y3BlOnNlY3JldA=="),
            Some("Basic Y3BlOnNlY3JldA==")
        ]
    );
    assert_eq!(requests[1].body, ENVELOPE);
}

/// An ACS that demands Digest, verified with cwmpd's own server-side verifier.
fn digest_acs(
    offer: &'static [usize],
    password: &'static str,
) -> (net_support::Handler, Arc<Mutex<Vec<Verification>>>) {
    let server = Mutex::new(DigestServer::new("acs", [3; 32], DEFAULT_NONCE_LIFETIME));
    let verdicts = Arc::new(Mutex::new(Vec::new()));
    let seen = verdicts.clone();
    let start = Instant::now();
    let handle = handler(move |request: &Request| {
        let mut server = server.lock().expect("digest server");
        let now = start.elapsed();
        if let Some(authorization) = request.header("authorization") {
            let line = RequestLine {
                method: &request.method,
                uri: &request.target,
            };
            let expected = ExpectedCredentials {
                username: "cpe",
                password,
            };
            let verdict = server.verify(authorization, line, expected, now);
            seen.lock().expect("verdicts").push(verdict);
            if verdict == Verification::Authorized {
                return Reply::ok(b"authorized");
            }
        }
        let challenges = server.challenges(now, false);
        offer.iter().fold(Reply::status(401), |reply, &i| {
            reply.header("WWW-Authenticate", &challenges[i])
        })
    });
    (handle, verdicts)
}

#[tokio::test]
async fn stale_nonce_is_renewed_without_failing() {
    let server = Mutex::new(DigestServer::new(
        "acs",
        [4; 32],
        Duration::from_millis(100),
    ));
    let start = Instant::now();
    let server = TestServer::start(handler(move |request: &Request| {
        let mut server = server.lock().expect("digest server");
        let now = start.elapsed();
        let verdict = request.header("authorization").map(|authorization| {
            let line = RequestLine {
                method: &request.method,
                uri: &request.target,
            };
            let expected = ExpectedCredentials {
                username: "cpe",
                password: "secret",
            };
            server.verify(authorization, line, expected, now)
        });
        match verdict {
            Some(Verification::Authorized) => Reply::ok(b"authorized"),
            Some(Verification::Stale) => {
                let [sha256, _] = server.challenges(now, true);
                Reply::status(401).header("WWW-Authenticate", &sha256)
            }
            _ => {
                let [sha256, _] = server.challenges(now, false);
                Reply::status(401).header("WWW-Authenticate", &sha256)
            }
        }
    }))
    .await;
    let settings = with_credentials(&server.url("/acs"), "cpe", "secret");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"authorized"))
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        session.post(Vec::new()).await,
        Ok(reply(200, b"authorized"))
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 4, "challenge, ok, stale, ok");
    let renewed = requests[3].header("authorization").expect("authorization");
    assert!(renewed.contains("nc=00000001"), "{renewed}");
    assert_ne!(
        requests[2].header("authorization"),
        requests[3].header("authorization")
    );
}

const SHA256_AND_MD5: &[usize] = &[0, 1];
const MD5_ONLY: &[usize] = &[1];

#[tokio::test]
async fn digest_md5_keeps_its_context_for_the_session() {
    let (handle, verdicts) = digest_acs(MD5_ONLY, "secret");
    let server = TestServer::start(handle).await;
    let settings = with_credentials(&server.url("/acs?id=1"), "cpe", "secret");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"authorized"))
    );
    assert_eq!(
        session.post(Vec::new()).await,
        Ok(reply(200, b"authorized"))
    );
    assert_eq!(
        session.post(Vec::new()).await,
        Ok(reply(200, b"authorized"))
    );

    assert_eq!(
        *verdicts.lock().expect("verdicts"),
        vec![Verification::Authorized; 3]
    );
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        4,
        "one challenge, then credentials on every POST"
    );
    let second = requests[2].header("authorization").expect("authorization");
    assert!(second.contains("algorithm=MD5"), "{second}");
    assert!(second.contains("nc=00000002"), "{second}");
    assert!(second.contains("uri=\"/acs?id=1\""), "{second}");
    let third = requests[3].header("authorization").expect("authorization");
    assert!(third.contains("nc=00000003"), "{third}");
}

#[tokio::test]
async fn digest_prefers_sha256_when_offered() {
    let (handle, verdicts) = digest_acs(SHA256_AND_MD5, "secret");
    let server = TestServer::start(handle).await;
    let settings = with_credentials(&server.url("/acs"), "cpe", "secret");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"authorized"))
    );

    assert_eq!(
        *verdicts.lock().expect("verdicts"),
        vec![Verification::Authorized]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let authorization = requests[1].header("authorization").expect("authorization");
    assert!(
        authorization.contains("algorithm=SHA-256"),
        "{authorization}"
    );
    assert_eq!(requests[1].body, ENVELOPE);
}

#[tokio::test]
async fn wrong_password_is_unauthorized_after_one_try() {
    let (handle, _) = digest_acs(SHA256_AND_MD5, "the-real-one");
    let server = TestServer::start(handle).await;
    let settings = with_credentials(&server.url("/acs"), "cpe", "guess");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::Unauthorized)
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn no_credentials_configured_is_unauthorized() {
    let (handle, _) = digest_acs(SHA256_AND_MD5, "secret");
    let server = TestServer::start(handle).await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::Unauthorized)
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn redirect_302_moves_the_session() {
    let server = TestServer::start(handler(|request| match request.target.as_str() {
        "/acs" => Reply::status(302).header("Location", "/moved"),
        _ => Reply::ok(b"moved"),
    }))
    .await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"moved"))
    );
    assert_eq!(session.current_url(), server.url("/moved"));
    assert_eq!(session.post(Vec::new()).await, Ok(reply(200, b"moved")));

    let requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, vec!["/acs", "/moved", "/moved"]);
    assert_eq!(requests[1].method, "POST");
    assert_eq!(requests[1].body, ENVELOPE);
}

#[tokio::test]
async fn redirect_307_to_another_port_of_the_same_host() {
    let target = TestServer::start(handler(|_| Reply::ok(b"there"))).await;
    let location = target.url("/cwmp");
    let origin = TestServer::start(handler(move |_| {
        Reply::status(307).header("Location", &location)
    }))
    .await;
    let mut session = AcsSession::new(&settings(&origin.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"there"))
    );
    assert_eq!(session.post(Vec::new()).await, Ok(reply(200, b"there")));
    assert_eq!(session.current_url(), target.url("/cwmp"));

    assert_eq!(origin.requests().len(), 1);
    let moved = target.requests();
    assert_eq!(moved.len(), 2);
    assert_eq!(moved[0].body, ENVELOPE);
    assert!(moved[1].body.is_empty());
}

#[tokio::test]
async fn redirect_loop_stops_after_five_hops() {
    let server =
        TestServer::start(handler(|_| Reply::status(302).header("Location", "/again"))).await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::TooManyRedirects)
    );
    assert_eq!(server.requests().len(), MAX_REDIRECTS as usize + 1);
}

#[tokio::test]
async fn other_redirects_are_errors() {
    let server = TestServer::start(handler(|_| {
        Reply::status(301).header("Location", "/elsewhere")
    }))
    .await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::HttpStatus(301))
    );
}

#[tokio::test]
async fn cross_host_redirect_gets_no_credentials() {
    // 127.0.0.1 authenticates with Basic, then sends the session to "localhost" (another
    // host name for the same server), which also asks for credentials.
    let port = Arc::new(AtomicUsize::new(0));
    let port_seen = port.clone();
    let server = TestServer::start(handler(move |request| {
        let host = request.header("host").unwrap_or_default().to_string();
        if host.starts_with("localhost") {
            return Reply::status(401).header("WWW-Authenticate", "Basic realm=\"other\"");
        }
        match (request.header("authorization"), request.body.is_empty()) {
            (None, _) => Reply::status(401).header("WWW-Authenticate", "Basic realm=\"acs\""),
            (Some(_), false) => Reply::ok(b"first"),
            (Some(_), true) => {
                let port = port_seen.load(Ordering::SeqCst);
                Reply::status(307).header("Location", &format!("http://localhost:{port}/acs"))
            }
        }
    }))
    .await;
    port.store(usize::from(server.port()), Ordering::SeqCst);
    let settings = with_credentials(&server.url("/acs"), "cpe", "secret");
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"first"))
    );
    assert_eq!(session.post(Vec::new()).await, Err(AcsError::Unauthorized));

    let to_localhost: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.header("host").is_some_and(|h| h.starts_with("localhost")))
        .collect();
    assert_eq!(to_localhost.len(), 1);
    assert_eq!(to_localhost[0].header("authorization"), None);
}

#[tokio::test]
async fn status_503_is_an_error_and_soap_fault_500_a_reply() {
    let server = TestServer::start(handler(|request| match request.target.as_str() {
        "/busy" => Reply::status(503).header("Retry-After", "60"),
        "/fault" => Reply::status(500)
            .header("Content-Type", "text/xml")
            .body(b"<Fault/>"),
        _ => Reply::status(500).body(b"oops"),
    }))
    .await;
    let mut busy = AcsSession::new(&settings(&server.url("/busy"))).expect("session");
    assert_eq!(
        busy.post(ENVELOPE.to_vec()).await,
        Err(AcsError::HttpStatus(503))
    );
    let mut fault = AcsSession::new(&settings(&server.url("/fault"))).expect("session");
    assert_eq!(
        fault.post(ENVELOPE.to_vec()).await,
        Ok(reply(500, b"<Fault/>"))
    );
    let mut broken = AcsSession::new(&settings(&server.url("/broken"))).expect("session");
    assert_eq!(
        broken.post(ENVELOPE.to_vec()).await,
        Err(AcsError::HttpStatus(500))
    );
}

#[tokio::test]
async fn oversized_reply_is_refused() {
    let big = vec![b'x'; cwmpd::net::acs_client::MAX_REPLY_BODY + 1];
    let server = TestServer::start(handler(move |_| Reply::ok(&big))).await;
    let mut session = AcsSession::new(&settings(&server.url("/acs"))).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::BodyTooLarge)
    );
}

#[tokio::test]
async fn connection_refused_is_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/acs");
    let mut session = AcsSession::new(&settings(&url)).expect("session");
    match session.post(ENVELOPE.to_vec()).await {
        Err(AcsError::Connect(detail)) => assert!(detail.contains("refused"), "{detail}"),
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/acs", listener.local_addr().expect("addr"));
    let holder = tokio::spawn(async move {
        let (_stream, _) = listener.accept().await.expect("accept");
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let mut settings = settings(&url);
    settings.timeout = Duration::from_millis(300);
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Err(AcsError::Timeout)
    );
    holder.abort();
}

#[test]
fn invalid_url_and_missing_files_are_reported() {
    assert!(matches!(
        AcsSession::new(&settings("acs.example.com/cwmp")),
        Err(AcsError::InvalidUrl(_))
    ));
    let mut missing_ca = settings("https://127.0.0.1:1/acs");
    missing_ca.tls.ca_file = Some("/nonexistent/ca.pem".into());
    match AcsSession::new(&missing_ca) {
        Err(AcsError::Config(detail)) => {
            assert!(detail.contains("/nonexistent/ca.pem"), "{detail}")
        }
        _ => panic!("expected a Config error"),
    }
    let dir = temp_dir("garbage-ca");
    let mut garbage = settings("https://127.0.0.1:1/acs");
    garbage.tls.ca_file = Some(write_file(&dir, "ca.pem", "not a certificate\n"));
    assert!(matches!(
        AcsSession::new(&garbage),
        Err(AcsError::Config(_))
    ));
    let no_roots = settings("https://127.0.0.1:1/acs");
    assert!(matches!(
        AcsSession::new(&no_roots),
        Err(AcsError::Config(_))
    ));
}

// ------------------------------------------------------------------------------------------
// TLS
// ------------------------------------------------------------------------------------------

fn tls_settings(url: &str, ca: &Ca, test: &str) -> AcsSettings {
    let dir = temp_dir(test);
    let mut settings = settings(url);
    settings.tls.ca_file = Some(write_file(&dir, "ca.pem", &ca.pem()));
    settings
}

#[tokio::test]
async fn tls_with_a_trusted_ca() {
    let ca = Ca::new("test ACS CA");
    let leaf = ca.leaf(&["localhost"]);
    let server = TestServer::start_tls(
        handler(|_| Reply::ok(b"secure")),
        net_support::server_tls(&leaf, None),
    )
    .await;
    let url = format!("https://localhost:{}/acs", server.port());
    let mut session = AcsSession::new(&tls_settings(&url, &ca, "tls-trusted")).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"secure"))
    );
    assert_eq!(session.post(Vec::new()).await, Ok(reply(200, b"secure")));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].connection, requests[1].connection);
}

#[tokio::test]
async fn tls_ca_dir_is_trusted_too() {
    let ca = Ca::new("test ACS CA");
    let leaf = ca.leaf(&["localhost"]);
    let server = TestServer::start_tls(
        handler(|_| Reply::ok(b"secure")),
        net_support::server_tls(&leaf, None),
    )
    .await;
    let dir = temp_dir("tls-ca-dir");
    write_file(&dir, "acs.crt", &ca.pem());
    write_file(&dir, "ignored.txt", "not a certificate");
    let mut settings = settings(&format!("https://localhost:{}/acs", server.port()));
    settings.tls.ca_dir = Some(dir);
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"secure"))
    );
}

#[tokio::test]
async fn tls_with_an_untrusted_ca_fails() {
    let ca = Ca::new("test ACS CA");
    let stranger = Ca::new("someone else");
    let leaf = stranger.leaf(&["localhost"]);
    let server = TestServer::start_tls(
        handler(|_| Reply::ok(b"secure")),
        net_support::server_tls(&leaf, None),
    )
    .await;
    let url = format!("https://localhost:{}/acs", server.port());
    let mut session = AcsSession::new(&tls_settings(&url, &ca, "tls-untrusted")).expect("session");
    match session.post(ENVELOPE.to_vec()).await {
        Err(AcsError::Tls(detail)) => assert!(detail.contains("UnknownIssuer"), "{detail}"),
        other => panic!("expected Tls, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn tls_with_the_wrong_host_name_fails() {
    let ca = Ca::new("test ACS CA");
    let leaf = ca.leaf(&["acs.example.com"]);
    let server = TestServer::start_tls(
        handler(|_| Reply::ok(b"secure")),
        net_support::server_tls(&leaf, None),
    )
    .await;
    let url = format!("https://localhost:{}/acs", server.port());
    let mut session = AcsSession::new(&tls_settings(&url, &ca, "tls-hostname")).expect("session");
    match session.post(ENVELOPE.to_vec()).await {
        Err(AcsError::Tls(detail)) => assert!(
            detail.contains("not valid for name \"localhost\""),
            "{detail}"
        ),
        other => panic!("expected Tls, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_client_certificate_is_presented() {
    let ca = Ca::new("test ACS CA");
    let server_leaf = ca.leaf(&["localhost"]);
    let client_ca = Ca::new("CPE CA");
    let client_leaf = client_ca.leaf(&["cpe.example.com"]);
    let server = TestServer::start_tls(
        handler(|_| Reply::ok(b"mutual")),
        net_support::server_tls(&server_leaf, Some(&client_ca)),
    )
    .await;
    let url = format!("https://localhost:{}/acs", server.port());

    let dir = temp_dir("tls-client-cert");
    let mut settings = tls_settings(&url, &ca, "tls-client-cert");
    settings.tls.client_cert = Some(write_file(&dir, "cpe.pem", &client_leaf.cert_pem));
    settings.tls.client_key = Some(write_file(&dir, "cpe.key", &client_leaf.key_pem));
    let mut session = AcsSession::new(&settings).expect("session");
    assert_eq!(
        session.post(ENVELOPE.to_vec()).await,
        Ok(reply(200, b"mutual"))
    );

    // Without the certificate the server refuses the handshake.
    let mut anonymous =
        AcsSession::new(&tls_settings(&url, &ca, "tls-no-client-cert")).expect("session");
    match anonymous.post(ENVELOPE.to_vec()).await {
        Err(AcsError::Tls(detail)) => assert!(detail.contains("CertificateRequired"), "{detail}"),
        other => panic!("expected Tls, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn client_certificate_without_key_is_a_config_error() {
    let ca = Ca::new("CPE CA");
    let leaf = ca.leaf(&["cpe"]);
    let dir = temp_dir("cert-without-key");
    let mut settings = settings("http://127.0.0.1:1/acs");
    settings.tls.client_cert = Some(write_file(&dir, "cpe.pem", &leaf.cert_pem));
    assert!(matches!(
        AcsSession::new(&settings),
        Err(AcsError::Config(_))
    ));
    settings.tls.client_key = Some(write_file(
        &dir,
        "wrong.key",
        &Ca::new("x").leaf(&["y"]).key_pem,
    ));
    match AcsSession::new(&settings) {
        Err(AcsError::Config(detail)) => assert!(detail.contains("does not fit"), "{detail}"),
        _ => panic!("expected a Config error"),
    }
}
