//! The ACS side of a Connection Request: an HTTP GET to the CPE with Digest authentication
//! (blocking, std sockets), including deliberately replayed credentials for negative tests.

use super::digest::{self, Challenge, DigestAlgorithm};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How to make one Connection Request.
#[derive(Debug, Clone)]
pub struct CrRequest {
    pub url: String,
    pub username: String,
    pub password: String,
    /// The challenge to answer when the CPE offers several; MD5 if it names none.
    pub algorithm: DigestAlgorithm,
    /// Skip the unauthenticated GET and answer this old challenge at once (replay test).
    pub replay: Option<Challenge>,
    /// The nonce count to send (default 1).
    pub nc: u32,
    pub timeout: Duration,
}

impl CrRequest {
    pub fn new(url: &str, username: &str, password: &str, algorithm: DigestAlgorithm) -> CrRequest {
        CrRequest {
            url: url.into(),
            username: username.into(),
            password: password.into(),
            algorithm,
            replay: None,
            nc: 1,
            timeout: Duration::from_secs(10),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrOutcome {
    /// The final status (200 or 204 when the CPE accepted the request).
    pub status: u16,
    /// The status of the first GET (401 normally; absent with `replay`).
    pub first_status: Option<u16>,
    /// The challenge that was answered (keep it to replay it later).
    pub challenge: Option<Challenge>,
    /// The Authorization header sent, if any.
    pub authorization: Option<String>,
}

/// A Connection Request with Digest: GET, answer the 401 challenge, GET again.
/// Returns the final HTTP status.
pub fn connection_request(
    url: &str,
    username: &str,
    password: &str,
    algorithm: DigestAlgorithm,
) -> io::Result<u16> {
    Ok(connection_request_with(&CrRequest::new(url, username, password, algorithm))?.status)
}

pub fn connection_request_with(request: &CrRequest) -> io::Result<CrOutcome> {
    let target = Target::parse(&request.url)?;
    if let Some(challenge) = &request.replay {
        let authorization = authorization(request, &target, challenge);
        let response = get(&target, Some(&authorization), request.timeout)?;
        return Ok(CrOutcome {
            status: response.status,
            first_status: None,
            challenge: Some(challenge.clone()),
            authorization: Some(authorization),
        });
    }
    let first = get(&target, None, request.timeout)?;
    if first.status != 401 {
        return Ok(CrOutcome {
            status: first.status,
            first_status: Some(first.status),
            challenge: None,
            authorization: None,
        });
    }
    let values: Vec<&str> = first.www_authenticate.iter().map(String::as_str).collect();
    let challenges = digest::parse_challenges(&values);
    let Some(challenge) = challenges
        .into_iter()
        .find(|c| c.algorithm == request.algorithm)
    else {
        return Err(io::Error::other(format!(
            "no Digest {} challenge in {:?}",
            request.algorithm, first.www_authenticate
        )));
    };
    let authorization = authorization(request, &target, &challenge);
    let second = get(&target, Some(&authorization), request.timeout)?;
    Ok(CrOutcome {
        status: second.status,
        first_status: Some(first.status),
        challenge: Some(challenge),
        authorization: Some(authorization),
    })
}

fn authorization(request: &CrRequest, target: &Target, challenge: &Challenge) -> String {
    digest::authorization(
        challenge,
        &request.username,
        &request.password,
        "GET",
        &target.path,
        request.nc,
        &digest::random_hex(8),
    )
}

/// `http://host:port/path` split up (IPv6 literals in brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> io::Result<Target> {
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsupported URL {url:?}"),
            )
        };
        let rest = url.strip_prefix("http://").ok_or_else(bad)?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, port.parse().map_err(|_| bad())?),
            _ => (authority, 80),
        };
        Ok(Target {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            path: path.to_string(),
        })
    }

    fn host_header(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

struct Reply {
    status: u16,
    www_authenticate: Vec<String>,
}

fn get(target: &Target, authorization: Option<&str>, timeout: Duration) -> io::Result<Reply> {
    let mut stream = TcpStream::connect((target.host.as_str(), target.port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut head = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: cwmpd-test-acs\r\nConnection: close\r\n",
        target.path,
        target.host_header()
    );
    if let Some(value) = authorization {
        head.push_str(&format!("Authorization: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    read_reply(&mut stream)
}

fn read_reply(stream: &mut TcpStream) -> io::Result<Reply> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response
            .parse(&buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if parsed.is_complete() {
            let www_authenticate = response
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("www-authenticate"))
                .map(|h| String::from_utf8_lossy(h.value).into_owned())
                .collect();
            // The body (if any) is of no interest; the connection is closed after this.
            return Ok(Reply {
                status: response.code.unwrap_or(0),
                www_authenticate,
            });
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
