//! The connection-request listener over loopback, with the digest_auth crate as the ACS.

mod net_support;

use std::net::SocketAddr;
use std::time::Duration;

use cwmpd::net::cr_server::{
    parse_allow_entry, serve, CrEvent, CrSettings, ServeEnd, MAX_CONNECTIONS, UNAUTHENTICATED_BURST,
};
use net_support::{exchange, read_response, RawResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

struct Listener {
    addr: SocketAddr,
    settings: watch::Sender<CrSettings>,
    events: mpsc::Receiver<CrEvent>,
    task: JoinHandle<ServeEnd>,
}

fn cr_settings() -> CrSettings {
    CrSettings {
        bind: "127.0.0.1".parse().expect("ip"),
        port: 0,
        path: "/cr".to_string(),
        username: "acs".to_string(),
        password: "s3cret".to_string(),
        ..CrSettings::default()
    }
}

async fn start(settings: CrSettings) -> Listener {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (settings_tx, settings_rx) = watch::channel(settings);
    let (events_tx, events) = mpsc::channel(8);
    let task = tokio::spawn(serve(listener, settings_rx, events_tx));
    Listener {
        addr,
        settings: settings_tx,
        events,
        task,
    }
}

fn get(target: &str, authorization: Option<&str>) -> Vec<u8> {
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: cpe\r\n");
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.into_bytes()
}

/// The challenge for `algorithm` ("SHA-256" or "MD5") of a 401 response.
fn challenge(response: &RawResponse, algorithm: &str) -> String {
    response
        .all("www-authenticate")
        .into_iter()
        .find(|c| c.contains(&format!("algorithm={algorithm},")))
        .expect("challenge for the algorithm")
        .to_string()
}

fn authorization(challenge: &str, password: &str, uri: &str) -> String {
    let mut prompt = digest_auth::parse(challenge).expect("challenge parses");
    let context = digest_auth::AuthContext::new("acs", password, uri);
    prompt.respond(&context).expect("respond").to_string()
}

/// GET without credentials, then GET with the answer to the `algorithm` challenge, on one
/// connection, as an ACS does.
async fn connection_request(addr: SocketAddr, algorithm: &str, password: &str) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let first = exchange(&mut stream, &get("/cr", None)).await.expect("401");
    assert_eq!(first.status, 401);
    let answer = authorization(&challenge(&first, algorithm), password, "/cr");
    exchange(&mut stream, &get("/cr", Some(&answer)))
        .await
        .expect("response")
}

async fn first_challenge(addr: SocketAddr) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    exchange(&mut stream, &get("/cr", None)).await.expect("401")
}

async fn send_once(addr: SocketAddr, request: &[u8]) -> Option<RawResponse> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    exchange(&mut stream, request).await
}

fn no_event(listener: &mut Listener) {
    assert_eq!(
        listener.events.try_recv(),
        Err(mpsc::error::TryRecvError::Empty)
    );
}

#[tokio::test]
async fn challenges_offer_sha256_then_md5() {
    let listener = start(cr_settings()).await;
    let response = first_challenge(listener.addr).await;
    assert_eq!(response.status, 401);
    let challenges = response.all("www-authenticate");
    assert_eq!(challenges.len(), 2);
    assert!(challenges[0]
        .starts_with("Digest realm=\"cwmpd\", qop=\"auth\", algorithm=SHA-256, nonce=\""));
    assert!(
        challenges[1].starts_with("Digest realm=\"cwmpd\", qop=\"auth\", algorithm=MD5, nonce=\"")
    );
    assert!(!challenges[0].contains("stale"));
}

#[tokio::test]
async fn good_sha256_digest_is_accepted_once() {
    let mut listener = start(cr_settings()).await;
    let response = connection_request(listener.addr, "SHA-256", "s3cret").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.all("content-length"), vec!["0"]);
    let event = listener.events.recv().await.expect("event");
    assert_eq!(event.peer.ip().to_string(), "127.0.0.1");
    no_event(&mut listener);
}

#[tokio::test]
async fn good_md5_digest_is_accepted() {
    let mut listener = start(cr_settings()).await;
    let response = connection_request(listener.addr, "MD5", "s3cret").await;
    assert_eq!(response.status, 200);
    assert!(listener.events.recv().await.is_some());
    no_event(&mut listener);
}

#[tokio::test]
async fn bad_password_gets_401_and_no_event() {
    let mut listener = start(cr_settings()).await;
    let response = connection_request(listener.addr, "SHA-256", "guess").await;
    assert_eq!(response.status, 401);
    assert_eq!(response.all("www-authenticate").len(), 2);
    tokio::time::sleep(Duration::from_millis(50)).await;
    no_event(&mut listener);
}

#[tokio::test]
async fn replayed_nonce_and_count_get_401() {
    let mut listener = start(cr_settings()).await;
    let first = first_challenge(listener.addr).await;
    let answer = authorization(&challenge(&first, "SHA-256"), "s3cret", "/cr");
    let request = get("/cr", Some(&answer));
    let accepted = send_once(listener.addr, &request).await.expect("response");
    assert_eq!(accepted.status, 200);
    let replayed = send_once(listener.addr, &request).await.expect("response");
    assert_eq!(replayed.status, 401);
    assert!(listener.events.recv().await.is_some());
    no_event(&mut listener);
}

#[tokio::test]
async fn expired_nonce_gets_401_with_stale() {
    let mut settings = cr_settings();
    settings.nonce_lifetime = Duration::from_millis(200);
    let mut listener = start(settings).await;
    let first = first_challenge(listener.addr).await;
    let answer = authorization(&challenge(&first, "MD5"), "s3cret", "/cr");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let response = send_once(listener.addr, &get("/cr", Some(&answer)))
        .await
        .expect("response");
    assert_eq!(response.status, 401);
    let challenges = response.all("www-authenticate");
    assert_eq!(challenges.len(), 2);
    assert!(
        challenges.iter().all(|c| c.ends_with(", stale=true")),
        "{challenges:?}"
    );
    no_event(&mut listener);

    // The fresh nonce works.
    let renewed = authorization(challenges[0], "s3cret", "/cr");
    let response = send_once(listener.addr, &get("/cr", Some(&renewed)))
        .await
        .expect("response");
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn over_the_hourly_limit_gets_503_and_no_event() {
    let mut settings = cr_settings();
    settings.rate_limit_per_hour = 1;
    let mut listener = start(settings).await;
    assert_eq!(
        connection_request(listener.addr, "SHA-256", "s3cret")
            .await
            .status,
        200
    );
    assert_eq!(
        connection_request(listener.addr, "SHA-256", "s3cret")
            .await
            .status,
        503
    );
    assert!(listener.events.recv().await.is_some());
    no_event(&mut listener);
}

#[tokio::test]
async fn allow_list_rejects_other_sources_and_updates_live() {
    let mut settings = cr_settings();
    // Only configured, never contacted.
    settings.allow = vec![parse_allow_entry("10.0.0.0/8").expect("cidr")];
    let mut listener = start(settings.clone()).await;
    let refused = send_once(listener.addr, &get("/cr", None))
        .await
        .expect("response");
    assert_eq!(refused.status, 403);
    assert!(refused.all("www-authenticate").is_empty());

    settings
        .allow
        .push(parse_allow_entry("127.0.0.1").expect("address"));
    listener.settings.send(settings).expect("update");
    let response = connection_request(listener.addr, "SHA-256", "s3cret").await;
    assert_eq!(response.status, 200);
    assert!(listener.events.recv().await.is_some());
}

#[tokio::test]
async fn credentials_update_live() {
    let mut listener = start(cr_settings()).await;
    let mut settings = cr_settings();
    settings.password = "rotated".to_string();
    listener.settings.send(settings).expect("update");
    assert_eq!(
        connection_request(listener.addr, "SHA-256", "s3cret")
            .await
            .status,
        401
    );
    assert_eq!(
        connection_request(listener.addr, "SHA-256", "rotated")
            .await
            .status,
        200
    );
    assert!(listener.events.recv().await.is_some());
    no_event(&mut listener);
}

#[tokio::test]
async fn wrong_path_method_and_basic_are_refused() {
    let mut listener = start(cr_settings()).await;
    let wrong_path = send_once(listener.addr, &get("/other", None))
        .await
        .expect("response");
    assert_eq!(wrong_path.status, 404);
    let post = b"POST /cr HTTP/1.1\r\nHost: cpe\r\nContent-Length: 0\r\n\r\n";
    let post = send_once(listener.addr, post).await.expect("response");
    assert_eq!(post.status, 405);
    assert_eq!(post.all("allow"), vec!["GET"]);
    let basic = send_once(listener.addr, &get("/cr", Some("Basic YWNzOnMzY3JldA==")))
        .await
        .expect("response");
    assert_eq!(basic.status, 401);
    assert!(basic
        .all("www-authenticate")
        .iter()
        .all(|c| c.starts_with("Digest ")));
    tokio::time::sleep(Duration::from_millis(50)).await;
    no_event(&mut listener);
}

#[tokio::test]
async fn digest_for_another_uri_is_refused() {
    let mut listener = start(cr_settings()).await;
    let first = first_challenge(listener.addr).await;
    let answer = authorization(&challenge(&first, "SHA-256"), "s3cret", "/elsewhere");
    let response = send_once(listener.addr, &get("/cr", Some(&answer)))
        .await
        .expect("response");
    assert_eq!(response.status, 401);
    no_event(&mut listener);
}

#[tokio::test]
async fn oversized_request_is_closed_without_answer() {
    let listener = start(cr_settings()).await;
    let mut request = b"GET /cr HTTP/1.1\r\nX-Padding: ".to_vec();
    request.extend(std::iter::repeat_n(b'a', 8192));
    request.extend_from_slice(b"\r\n\r\n");
    let mut stream = TcpStream::connect(listener.addr).await.expect("connect");
    let _ = stream.write_all(&request).await;
    assert!(read_response(&mut stream).await.is_none());
}

#[tokio::test(start_paused = true)]
async fn slow_headers_are_closed_after_ten_seconds() {
    let listener = start(cr_settings()).await;
    let mut stream = TcpStream::connect(listener.addr).await.expect("connect");
    stream
        .write_all(b"GET /cr HTTP/1.1\r\n")
        .await
        .expect("partial");
    let started = tokio::time::Instant::now();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    assert!(started.elapsed() >= Duration::from_secs(10));
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed() {
    let listener = start(cr_settings()).await;
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        idle.push(TcpStream::connect(listener.addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(listener.addr).await.expect("connect");
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), extra.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    drop(idle);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(first_challenge(listener.addr).await.status, 401);
}

#[tokio::test]
async fn unauthenticated_flood_is_cut_off() {
    let listener = start(cr_settings()).await;
    for _ in 0..UNAUTHENTICATED_BURST {
        let response = send_once(listener.addr, &get("/cr", None))
            .await
            .expect("response");
        assert_eq!(response.status, 401);
    }
    assert!(send_once(listener.addr, &get("/cr", None)).await.is_none());
}

#[tokio::test]
async fn serve_ends_when_told() {
    let listener = start(cr_settings()).await;
    let mut moved = cr_settings();
    moved.port = 7548;
    listener.settings.send(moved).expect("update");
    assert_eq!(
        listener.task.await.expect("join"),
        ServeEnd::ListenAddressChanged
    );

    let listener = start(cr_settings()).await;
    drop(listener.settings);
    assert_eq!(listener.task.await.expect("join"), ServeEnd::SettingsClosed);

    let listener = start(cr_settings()).await;
    drop(listener.events);
    assert_eq!(listener.task.await.expect("join"), ServeEnd::EventsClosed);
}
