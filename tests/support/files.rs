//! `TestFileServer`: a file server for Download and Upload tests, HTTP or HTTPS (its own test
//! CA), with Basic or Digest authentication, files that stop mid-body, and capture of what
//! PUT and POST deliver. Runs on its own thread and runtime, like the test ACS.

use super::digest::{self, Challenge, DigestAlgorithm, DigestInput};
use super::http::{self, Request, Response};
use super::tls::{TlsMaterial, TlsOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

/// What GET of a path answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedFile {
    pub body: Vec<u8>,
    pub status: u16,
    /// Send only this many bytes of the body (Content-Length still says the whole), then
    /// close the connection: a server that stops mid-body.
    pub stop_after: Option<usize>,
}

impl ServedFile {
    pub fn new(body: &[u8]) -> ServedFile {
        ServedFile {
            body: body.to_vec(),
            status: 200,
            stop_after: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FileAuth {
    #[default]
    None,
    Basic(String, String),
    Digest(String, String),
}

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether it passed authentication (always true without auth).
    pub authorized: bool,
    pub at: Duration,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }
}

#[derive(Default)]
struct State {
    files: HashMap<String, ServedFile>,
    auth: FileAuth,
    nonces: Vec<String>,
    refuse_put: bool,
    received: Vec<Received>,
}

pub struct TestFileServer {
    state: Arc<Mutex<State>>,
    tls: Option<TlsMaterial>,
    _dir: tempfile::TempDir,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

const REALM: &str = "cwmpd-test-files";

impl TestFileServer {
    pub fn start(https: bool) -> TestFileServer {
        let dir = tempfile::Builder::new()
            .prefix("cwmpd-test-files-")
            .tempdir()
            .expect("temporary directory");
        let tls = https.then(|| TlsMaterial::generate(&TlsOptions::default(), dir.path()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let acceptor = tls
            .as_ref()
            .map(|t| TlsAcceptor::from(t.server_config.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = spawn(state.clone(), acceptor, listener, stopped);
        TestFileServer {
            state,
            tls,
            _dir: dir,
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `http(s)://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!(
            "{scheme}://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// The CA certificate (PEM) to trust, for HTTPS.
    pub fn ca_pem(&self) -> Option<String> {
        self.tls.as_ref().map(|t| t.ca_pem.clone())
    }

    pub fn serve(&self, path: &str, file: ServedFile) {
        let path = format!("/{}", path.trim_start_matches('/'));
        self.lock().files.insert(path, file);
    }

    pub fn set_auth(&self, auth: FileAuth) {
        self.lock().auth = auth;
    }

    /// Answer PUT with 405, so the client has to POST.
    pub fn refuse_put(&self, refuse: bool) {
        self.lock().refuse_put = refuse;
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Authorized PUT and POST requests to `path`.
    pub fn uploads(&self, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.authorized && r.path == path && (r.method == "PUT" || r.method == "POST"))
            .collect()
    }

    /// Waits until `check` holds for what was received.
    pub fn wait_until(&self, timeout: Duration, check: impl Fn(&[Received]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if check(&self.received()) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestFileServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn spawn(
    state: Arc<Mutex<State>>,
    tls: Option<TlsAcceptor>,
    listener: std::net::TcpListener,
    stopped: tokio::sync::oneshot::Receiver<()>,
) -> JoinHandle<()> {
    let started = Instant::now();
    std::thread::Builder::new()
        .name("test-files".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    _ = accept_loop(listener, state, tls, started) => {}
                    _ = stopped => {}
                }
            });
        })
        .expect("spawn file server thread")
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<Mutex<State>>,
    tls: Option<TlsAcceptor>,
    started: Instant,
) {
    while let Ok((tcp, _)) = listener.accept().await {
        let (state, tls) = (state.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        serve(stream, state, started).await;
                    }
                }
                None => serve(tcp, state, started).await,
            }
        });
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    state: Arc<Mutex<State>>,
    started: Instant,
) {
    let mut buf = Vec::new();
    while let Ok(Some(request)) = http::read_request(&mut stream, &mut buf).await {
        let (response, stop_after) = {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            answer(&mut state, request, started.elapsed())
        };
        let mut bytes = response.to_bytes(false);
        if let Some(cut) = stop_after {
            let head = bytes.len() - response.body.len();
            bytes.truncate(head + cut);
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            return;
        }
        if stream.write_all(&bytes).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
}

fn answer(state: &mut State, request: Request, at: Duration) -> (Response, Option<usize>) {
    let authorized = authorized(state, &request);
    state.received.push(Received {
        method: request.method.clone(),
        path: request.target.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
        authorized,
        at,
    });
    if !authorized {
        return (challenge(state), None);
    }
    match request.method.as_str() {
        "GET" => match state.files.get(&request.target) {
            Some(file) => {
                let mut response = Response::new(file.status);
                response.body = file.body.clone();
                (response, file.stop_after)
            }
            None => (Response::new(404), None),
        },
        "PUT" if state.refuse_put => (Response::new(405).header("Allow", "POST"), None),
        "PUT" | "POST" => (Response::new(201), None),
        _ => (Response::new(405), None),
    }
}

fn authorized(state: &State, request: &Request) -> bool {
    let value = request.header("authorization").unwrap_or("");
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    match &state.auth {
        FileAuth::None => true,
        FileAuth::Basic(user, password) => {
            scheme.eq_ignore_ascii_case("basic")
                && rest.trim()
                    == digest::basic_authorization(user, password).trim_start_matches("Basic ")
        }
        FileAuth::Digest(user, password) => {
            scheme.eq_ignore_ascii_case("digest") && digest_ok(state, request, rest, user, password)
        }
    }
}

fn digest_ok(state: &State, request: &Request, params: &str, user: &str, password: &str) -> bool {
    let p = digest::parse_params(params);
    let get = |key: &str| p.get(key).map(String::as_str).unwrap_or("");
    if get("username") != user || !state.nonces.iter().any(|n| n == get("nonce")) {
        return false;
    }
    let expected = digest::response(&DigestInput {
        algorithm: DigestAlgorithm::Md5,
        username: user,
        realm: REALM,
        password,
        method: &request.method,
        uri: get("uri"),
        nonce: get("nonce"),
        qop: Some((get("nc"), get("cnonce"), "auth")),
    });
    get("uri") == request.target && get("response").eq_ignore_ascii_case(&expected)
}

fn challenge(state: &mut State) -> Response {
    let response = Response::new(401);
    match &state.auth {
        FileAuth::None => response,
        FileAuth::Basic(..) => {
            response.header("WWW-Authenticate", &format!("Basic realm=\"{REALM}\""))
        }
        FileAuth::Digest(..) => {
            let nonce = digest::random_hex(16);
            state.nonces.push(nonce.clone());
            let challenge = Challenge {
                realm: REALM.into(),
                nonce,
                opaque: None,
                qop: vec!["auth".into()],
                algorithm: DigestAlgorithm::Md5,
                stale: false,
            };
            response.header("WWW-Authenticate", &challenge.header_value())
        }
    }
}
