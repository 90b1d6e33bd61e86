//! The ACS's sockets: accept loops, optional TLS, one task per keep-alive connection.

use super::engine::{Engine, Origin};
use super::http;
use super::transcript;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// How long an idle keep-alive connection is kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// State shared by the ACS thread and the test: the engine behind a mutex, plus two ways to
/// be told it changed (a Condvar for blocking waits, a watch channel for async ones).
pub struct Shared {
    engine: Mutex<Engine>,
    cond: Condvar,
    version: watch::Sender<u64>,
    pub started: Instant,
}

impl Shared {
    pub fn new(engine: Engine) -> Shared {
        Shared {
            engine: Mutex::new(engine),
            cond: Condvar::new(),
            version: watch::channel(0).0,
            started: Instant::now(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Engine> {
        self.engine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the engine and wakes every waiter.
    pub fn update<R>(&self, change: impl FnOnce(&mut Engine) -> R) -> R {
        let result = change(&mut self.lock());
        self.cond.notify_all();
        self.version.send_modify(|v| *v += 1);
        result
    }

    pub fn condvar(&self) -> &Condvar {
        &self.cond
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}

#[derive(Clone)]
pub struct Listener {
    pub shared: Arc<Shared>,
    pub tls: Option<TlsAcceptor>,
    pub port: u16,
}

pub async fn accept_loop(listener: TcpListener, ctx: Listener) {
    while let Ok((tcp, _peer)) = listener.accept().await {
        let conn = ctx.shared.update(|e| {
            e.log.connections += 1;
            e.log.connections
        });
        tokio::spawn(serve_connection(tcp, conn, ctx.clone()));
    }
}

async fn serve_connection(tcp: TcpStream, conn: u64, ctx: Listener) {
    let _ = tcp.set_nodelay(true);
    let Some(acceptor) = ctx.tls.clone() else {
        return serve_stream(tcp, conn, false, false, &ctx).await;
    };
    match acceptor.accept(tcp).await {
        Ok(stream) => {
            let client_cert = stream.get_ref().1.peer_certificates().is_some();
            serve_stream(stream, conn, true, client_cert, &ctx).await
        }
        Err(error) => ctx
            .shared
            .update(|e| e.log.tls_errors.push(format!("connection {conn}: {error}"))),
    }
}

async fn serve_stream<S>(mut stream: S, conn: u64, tls: bool, client_cert: bool, ctx: &Listener)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = Vec::new();
    loop {
        let request =
            match tokio::time::timeout(IDLE_TIMEOUT, http::read_request(&mut stream, &mut buf))
                .await
            {
                Ok(Ok(Some(request))) => request,
                Ok(Ok(None)) | Err(_) => return,
                Ok(Err(error)) => {
                    let message = format!("connection {conn}: {error}");
                    ctx.shared.update(|e| e.log.http_errors.push(message));
                    return;
                }
            };
        let origin = Origin {
            conn,
            port: ctx.port,
            tls,
            client_cert,
            at: ctx.shared.started.elapsed(),
        };
        let decision = ctx.shared.update(|engine| {
            let decision = engine.handle(request, origin);
            if engine.config.echo {
                for line in transcript::record_lines(&engine.log.records[decision.record]) {
                    println!("{line}");
                }
            }
            decision
        });
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        let Some(response) = decision.response else {
            return;
        };
        if stream
            .write_all(&response.to_bytes(decision.close))
            .await
            .is_err()
            || stream.flush().await.is_err()
        {
            return;
        }
        if decision.close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}
