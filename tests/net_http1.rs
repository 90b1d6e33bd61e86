//! The HTTP/1.1 client (src/net/http1) against scripted servers that answer with exact
//! bytes: connection reuse, framing, and hostile or broken answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cwmpd::net::http1::{Client, Error, HttpUrl, Request};
use cwmpd::net::tls::{self, TlsFiles};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does for one request on a connection.
#[derive(Clone)]
enum Answer {
    /// Write these bytes and keep the connection.
    Bytes(Vec<u8>),
    /// Write these bytes, then close.
    Close(Vec<u8>),
    /// Write these bytes, then say nothing for a long time.
    Stall(Vec<u8>),
}

/// Requests seen: (connection number, request line).
type Seen = Arc<Mutex<Vec<(usize, String)>>>;

/// A server answering the n-th request of each connection with `script[connection][n]`
/// (the last connection's script repeats for any further connection).
async fn server(script: Vec<Vec<Answer>>) -> (HttpUrl, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = HttpUrl::parse(&format!("http://{}/x", listener.local_addr().unwrap())).unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        for number in 0.. {
            let (stream, _) = listener.accept().await.unwrap();
            let answers = script[number.min(script.len() - 1)].clone();
            tokio::spawn(serve(stream, number, answers, log.clone()));
        }
    });
    (url, seen)
}

async fn serve(mut stream: TcpStream, number: usize, answers: Vec<Answer>, seen: Seen) {
    for answer in answers {
        let Some(request_line) = read_request(&mut stream).await else {
            return;
        };
        seen.lock().unwrap().push((number, request_line));
        match answer {
            Answer::Bytes(bytes) => stream.write_all(&bytes).await.unwrap(),
            Answer::Close(bytes) => {
                let _ = stream.write_all(&bytes).await;
                return;
            }
            Answer::Stall(bytes) => {
                let _ = stream.write_all(&bytes).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
        }
    }
    // Out of answers: keep the connection open but silent until the client goes.
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// Reads one request (head and Content-Length body); the request line.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        data.push(byte[0]);
    }
    let head = String::from_utf8(data).ok()?;
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .map_or(0, |value| value.parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    head.lines().next().map(str::to_string)
}

fn client(timeout: Duration) -> Client {
    let files = TlsFiles::default().without_system_roots();
    Client::new(Arc::new(tls::client_config(&files).unwrap()), timeout)
}

fn get(url: &HttpUrl) -> Request<'_> {
    Request {
        method: "GET",
        url,
        headers: &[],
        body: &[],
    }
}

fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn bytes(text: &str) -> Answer {
    Answer::Bytes(text.as_bytes().to_vec())
}

fn close(text: &str) -> Answer {
    Answer::Close(text.as_bytes().to_vec())
}

/// Status and body of one GET, with a generous body limit.
async fn fetch(client: &mut Client, url: &HttpUrl) -> Result<(u16, Vec<u8>), Error> {
    let head = client.send(&get(url)).await?;
    Ok((head.status, client.read_body(1 << 20).await?))
}

#[tokio::test]
async fn keeps_one_connection_until_the_server_closes_it() {
    let (url, seen) = server(vec![
        vec![
            Answer::Bytes(ok("one")),
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"),
        ],
        vec![Answer::Bytes(ok("three"))],
    ])
    .await;
    let mut client = client(Duration::from_secs(5));
    assert_eq!(fetch(&mut client, &url).await, Ok((200, b"one".to_vec())));
    assert_eq!(fetch(&mut client, &url).await, Ok((200, b"two".to_vec())));
    assert_eq!(fetch(&mut client, &url).await, Ok((200, b"three".to_vec())));
    let connections: Vec<usize> = seen.lock().unwrap().iter().map(|(c, _)| *c).collect();
    assert_eq!(connections, [0, 0, 1]);
    assert_eq!(seen.lock().unwrap()[0].1, "GET /x HTTP/1.1");
}

#[tokio::test]
async fn a_request_is_sent_again_when_the_idle_connection_was_closed() {
    // The first connection answers once and closes without saying so; the second request
    // goes out on it, gets nothing, and is sent again on a new connection.
    let (url, seen) = server(vec![
        vec![Answer::Close(ok("first"))],
        vec![Answer::Bytes(ok("again"))],
    ])
    .await;
    let mut client = client(Duration::from_secs(5));
    assert_eq!(fetch(&mut client, &url).await, Ok((200, b"first".to_vec())));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(fetch(&mut client, &url).await, Ok((200, b"again".to_vec())));
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "the dead connection saw no request"
    );
}

#[tokio::test]
async fn interim_responses_and_close_delimited_bodies() {
    let (url, _) = server(vec![vec![close(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\nto the end",
    )]])
    .await;
    let mut client = client(Duration::from_secs(5));
    let head = client.send(&get(&url)).await.unwrap();
    assert_eq!(
        (head.status, head.header("content-type")),
        (200, Some("text/xml"))
    );
    assert_eq!(client.read_body(100).await, Ok(b"to the end".to_vec()));
}

#[tokio::test]
async fn streams_a_large_chunked_body_in_bounded_pieces() {
    let piece = "x".repeat(100_000);
    let mut reply = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for _ in 0..20 {
        reply.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
    }
    reply.push_str("0\r\n\r\n");
    let (url, _) = server(vec![vec![bytes(&reply)]]).await;
    let mut client = client(Duration::from_secs(5));
    client.send(&get(&url)).await.unwrap();
    let (mut total, mut largest) = (0, 0);
    while let Some(chunk) = client.body_chunk().await.unwrap() {
        total += chunk.len();
        largest = largest.max(chunk.len());
    }
    assert_eq!(total, 2_000_000);
    assert!(
        largest <= 64 * 1024,
        "pieces of the read buffer, not whole chunks: {largest}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let huge_length = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc";
    let long_chunks = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n{}\r\n400\r\n{}\r\n0\r\n\r\n",
        "a".repeat(1024),
        "b".repeat(1024)
    );
    let (url, _) = server(vec![vec![bytes(huge_length)], vec![bytes(&long_chunks)]]).await;
    let mut client = client(Duration::from_secs(5));
    client.send(&get(&url)).await.unwrap();
    assert_eq!(client.body_length(), Some(99_999_999_999));
    assert_eq!(client.read_body(1500).await, Err(Error::BodyTooLarge(1500)));
    client.send(&get(&url)).await.unwrap();
    assert_eq!(client.read_body(1500).await, Err(Error::BodyTooLarge(1500)));
}

#[tokio::test]
async fn broken_and_hostile_answers_are_errors() {
    let endless_head = format!("HTTP/1.1 200 OK\r\nX-Filler: {}", "z".repeat(100_000));
    let many_headers = format!("HTTP/1.1 200 OK\r\n{}\r\n", "A: b\r\n".repeat(100));
    let cases: Vec<(Answer, Error)> = vec![
        (close(""), Error::Closed),
        (close("HTTP/1.1 200 OK\r\nContent-Le"), Error::Closed),
        (
            close("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            Error::Closed,
        ),
        (
            close("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"),
            Error::Closed,
        ),
        (
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n"),
            Error::Malformed("invalid chunk size".into()),
        ),
        (
            bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            Error::Malformed("conflicting Content-Length headers".into()),
        ),
        (
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Error::Malformed("unsupported Transfer-Encoding: gzip".into()),
        ),
        (
            bytes("garbage that is not HTTP\r\n\r\n"),
            Error::Malformed("malformed response head (invalid HTTP version)".into()),
        ),
        (
            bytes(&endless_head),
            Error::Malformed("response head larger than 32768 bytes".into()),
        ),
        (
            bytes(&many_headers),
            Error::Malformed("more than 64 response header fields".into()),
        ),
        (
            bytes(&"HTTP/1.1 102 Processing\r\n\r\n".repeat(20)),
            Error::Malformed("unexpected interim response 102".into()),
        ),
    ];
    for (answer, expected) in cases {
        let (url, _) = server(vec![vec![answer]]).await;
        let mut client = client(Duration::from_secs(5));
        let result = fetch(&mut client, &url).await;
        assert_eq!(result, Err(expected.clone()), "{expected}");
    }
}

#[tokio::test]
async fn a_silent_server_times_out_at_head_or_body() {
    let (url, _) = server(vec![
        vec![Answer::Stall(Vec::new())],
        vec![Answer::Stall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec(),
        )],
    ])
    .await;
    let mut client = client(Duration::from_millis(200));
    assert_eq!(fetch(&mut client, &url).await, Err(Error::Timeout));
    client.send(&get(&url)).await.unwrap();
    assert_eq!(client.read_body(100).await, Err(Error::Timeout));
}

#[tokio::test]
async fn header_values_cannot_smuggle_lines() {
    let (url, seen) = server(vec![vec![Answer::Bytes(ok(""))]]).await;
    let mut client = client(Duration::from_secs(5));
    let request = Request {
        method: "POST",
        url: &url,
        headers: &[("Authorization", "Digest username=\"a\r\nX-Evil: 1\"")],
        body: b"",
    };
    assert_eq!(
        client.send(&request).await.err(),
        Some(Error::Request(
            "invalid character in the Authorization header".into()
        ))
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn unresolvable_names_are_dns_errors() {
    let url = HttpUrl::parse("http://cwmpd-test.invalid/").unwrap();
    let mut client = client(Duration::from_secs(5));
    assert!(
        matches!(client.send(&get(&url)).await, Err(Error::Dns(_))),
        "RFC 2606 .invalid never resolves"
    );
}
