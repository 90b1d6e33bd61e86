//! The daemon: one single-threaded tokio runtime, one loop that waits for whatever comes next —
//! a timer, a connection request, a control command, a signal — and runs sessions.

pub mod agent;
pub mod client;
pub mod control;
pub mod cr_url;
pub mod live;
mod lock;
pub mod log;
pub mod model;
pub mod random;
mod session_runner;
pub mod state;
pub mod ubus_object;

use std::cell::RefCell;
use std::rc::Rc;

use ::log::{error, info, warn};
use tokio::net::{TcpListener, UnixListener};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use crate::cli::Args;
use crate::cwmp::types::EventStruct;
use crate::net::cr_server::CrSettings;
use agent::Agent;
use control::{Request, Response};
use live::Freshness;

pub type SharedAgent = Rc<RefCell<Agent>>;

/// How often notified parameters are compared with their last reported values when nothing
/// else (a local change, a reload) prompted a look.
const NOTIFICATION_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// `cwmpd` without a command: run the agent until SIGTERM (or a sandbox reboot).
pub fn run(args: &Args) -> i32 {
    let paths = crate::platform::Paths::new(&args.root);
    let _lock = match lock::RootLock::acquire(&paths, std::time::Duration::from_secs(5)) {
        Ok(lock) => lock,
        Err(message) => {
            eprintln!("cwmpd: {message}");
            return 1;
        }
    };
    crate::backend::uci_config::revert_leftover_staging(&paths);
    let mut agent = match Agent::open(args) {
        Ok(agent) => agent,
        Err(message) => {
            eprintln!("cwmpd: {message}");
            return 1;
        }
    };
    log::init(
        args.log_level.unwrap_or(agent.config.cpe.log_level),
        args.syslog || !args.foreground,
    );
    if !args.foreground {
        if let Err(err) = nix::unistd::daemon(false, false) {
            eprintln!("cwmpd: cannot go to the background: {err}");
            return 1;
        }
    }
    if let Err(message) = agent.start() {
        error!(target: "cwmpd::daemon", "{message}");
        return 1;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cwmpd: cannot start the runtime: {err}");
            return 1;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, main_loop(Rc::new(RefCell::new(agent))))
}

/// `cwmpd get|set|inform|status` with no daemon running: work on the root's files directly.
pub fn offline_request(args: &Args, request: Request) -> Result<Response, String> {
    let _lock = lock::RootLock::acquire(
        &crate::platform::Paths::new(&args.root),
        std::time::Duration::from_secs(5),
    )?;
    let mut agent = Agent::open(args)?;
    Ok(match request {
        Request::Status => {
            agent.refresh_status();
            let mut status = serde_json::to_value(&agent.status).unwrap_or_default();
            status["daemon_running"] = serde_json::Value::Bool(false);
            Response {
                status: Some(status),
                ..Response::ok()
            }
        }
        // Queued in the state file; the daemon sends it when it starts.
        Request::Inform { event } => {
            agent.raise(inform_event(event));
            Response::ok()
        }
        Request::RequestDownload { file_type, args } => {
            match agent.request_download(&file_type, args) {
                Ok(()) => Response::ok(),
                Err(message) => Response::error(message),
            }
        }
        other => {
            // What the daemon would read at this moment: MemoryStatus, addresses, stations…
            agent.model.set_live(live::gather_now(&agent.paths));
            handle_model_request(&mut agent, other)
        }
    })
}

/// Whether a daemon runs on this root (it may still be opening its control socket).
pub fn daemon_running(args: &Args) -> bool {
    lock::RootLock::is_held(&crate::platform::Paths::new(&args.root))
}

fn inform_event(event: Option<String>) -> EventStruct {
    EventStruct::new(
        event
            .as_deref()
            .unwrap_or(crate::cwmp::event::CONNECTION_REQUEST),
        "",
    )
}

/// `get` and `set` through the data model, exactly as the ACS would see them.
fn handle_model_request(agent: &mut Agent, request: Request) -> Response {
    let result = match request {
        Request::Get { paths } => {
            let result = agent.model.get_values(&paths).map(|values| Response {
                values,
                ..Response::ok()
            });
            // Reading a table may have numbered new instances: keep the numbers.
            agent.after_model_change();
            result
        }
        Request::Set { values } => {
            let result = agent.model.set_values(&values).map(|status| Response {
                set_status: Some(status),
                ..Response::ok()
            });
            agent.after_model_change();
            result
        }
        _ => Ok(Response::error("not a data-model request")),
    };
    result.unwrap_or_else(|fault| {
        let mut message = format!("fault {} {}", fault.fault_code, fault.fault_string);
        for detail in &fault.set_parameter_values_faults {
            message.push_str(&format!(
                "\n  {}: fault {} {}",
                detail.parameter_name, detail.fault_code, detail.fault_string
            ));
        }
        Response::error(message)
    })
}

async fn main_loop(agent: SharedAgent) -> i32 {
    // First of all: from here on a reload (SIGHUP) or stop is handled, not fatal.
    let (Ok(mut sigterm), Ok(mut sigint), Ok(mut sighup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        error!(target: "cwmpd::daemon", "cannot install signal handlers");
        return 1;
    };
    let (wake_tx, mut wake_rx) = mpsc::channel::<()>(8);
    agent.borrow_mut().wake = Some(wake_tx.clone());
    if let Err(message) = start_control_server(&agent, wake_tx.clone()) {
        error!(target: "cwmpd::daemon", "{message}");
        return 1;
    }
    ubus_object::start_ubus_object(&agent, wake_tx.clone());
    live::start_watchers(&agent, wake_tx.clone()).await;
    if let Err(message) = start_connection_request_server(&agent, wake_tx).await {
        // The agent still informs without it; the ACS just cannot reach it.
        error!(target: "cwmpd::cr", "{message}");
    }
    Agent::start_udp_echo_server(&agent);
    info!(target: "cwmpd::daemon", "started (ACS {})", agent.borrow().config.acs.url);
    // Fallback polling for notified values that no event tells us about.
    let mut notification_poll = tokio::time::interval(NOTIFICATION_POLL);
    notification_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        agent.borrow_mut().tick();
        if agent.borrow().session_due() {
            if session_runner::run_session(&agent).await == session_runner::AfterSession::Exit {
                info!(target: "cwmpd::daemon", "exiting for a system restart");
                return 0;
            }
            continue;
        }
        if session_runner::between_sessions(&agent) == session_runner::AfterSession::Exit {
            info!(target: "cwmpd::daemon", "exiting for a system restart");
            return 0;
        }
        let wait = agent.borrow().time_until_next();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = notification_poll.tick() => poll_notifications(&agent).await,
            Some(()) = wake_rx.recv() => poll_notifications(&agent).await,
            _ = sigterm.recv() => break,
            _ = sigint.recv() => break,
            _ = sighup.recv() => reload(&agent),
        }
    }
    info!(target: "cwmpd::daemon", "stopped");
    let _ = std::fs::remove_file(agent.borrow().paths.control_socket());
    0
}

/// Compare notified values with what was last reported, on a recent snapshot of the router.
async fn poll_notifications(agent: &SharedAgent) {
    live::refresh(agent, Freshness::MaxAge(live::LOCAL_MAX_AGE)).await;
    agent.borrow_mut().poll_notifications();
}

fn start_control_server(agent: &SharedAgent, wake: mpsc::Sender<()>) -> Result<(), String> {
    let path = agent.borrow().paths.control_socket();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let _ = std::fs::remove_file(&path);
    let listener =
        UnixListener::bind(&path).map_err(|e| format!("control socket {}: {e}", path.display()))?;
    // Only root (the daemon's user) may talk to the agent.
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    let agent = agent.clone();
    tokio::task::spawn_local(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::task::spawn_local(serve_control_client(
                        agent.clone(),
                        stream,
                        wake.clone(),
                    ));
                }
                Err(err) => warn!(target: "cwmpd::control", "accept: {err}"),
            }
        }
    });
    Ok(())
}

async fn serve_control_client(
    agent: SharedAgent,
    stream: tokio::net::UnixStream,
    wake: mpsc::Sender<()>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let (reader, mut writer) = stream.into_split();
    let mut line = String::new();
    let mut limited = BufReader::new(reader.take(control::MAX_REQUEST_BYTES as u64));
    let response = match limited.read_line(&mut line).await {
        Ok(_) => match control::parse_request(&line) {
            Ok(request) => handle_control(&agent, request, &wake).await,
            Err(message) => Response::error(message),
        },
        Err(err) => Response::error(format!("read: {err}")),
    };
    let mut answer = serde_json::to_string(&response).unwrap_or_else(|_| r#"{"ok":false}"#.into());
    answer.push('\n');
    let _ = writer.write_all(answer.as_bytes()).await;
}

async fn handle_control(
    agent: &SharedAgent,
    request: Request,
    wake: &mpsc::Sender<()>,
) -> Response {
    match request {
        Request::Status => {
            let mut agent = agent.borrow_mut();
            agent.refresh_status();
            let mut status = serde_json::to_value(&agent.status).unwrap_or_default();
            status["daemon_running"] = serde_json::Value::Bool(true);
            Response {
                status: Some(status),
                ..Response::ok()
            }
        }
        Request::Inform { event } => {
            agent.borrow_mut().raise(inform_event(event));
            let _ = wake.try_send(());
            Response::ok()
        }
        Request::RequestDownload { file_type, args } => {
            let result = agent.borrow_mut().request_download(&file_type, args);
            let _ = wake.try_send(());
            result.map_or_else(Response::error, |()| Response::ok())
        }
        Request::Reload => {
            reload(agent);
            let _ = wake.try_send(());
            Response::ok()
        }
        other => {
            live::refresh(agent, Freshness::MaxAge(live::LOCAL_MAX_AGE)).await;
            let response = handle_model_request(&mut agent.borrow_mut(), other);
            let _ = wake.try_send(());
            response
        }
    }
}

/// SIGHUP and `ubus call cwmpd reload`: re-read the configuration.
fn reload(agent: &SharedAgent) {
    let mut agent = agent.borrow_mut();
    agent.reload_config();
    agent.poll_notifications();
}

async fn start_connection_request_server(
    agent: &SharedAgent,
    wake: mpsc::Sender<()>,
) -> Result<(), String> {
    let settings = agent.borrow().cr_settings();
    let listener = bind_connection_request_listener(&settings).await?;
    info!(
        target: "cwmpd::cr",
        "listening on port {}, URL {}",
        settings.port,
        agent.borrow().connection_request_url()
    );
    let (events_tx, mut events_rx) = mpsc::channel(16);
    let (settings_tx, settings_rx) = tokio::sync::watch::channel(settings);
    agent.borrow_mut().cr_settings_tx = Some(settings_tx);
    tokio::task::spawn_local(serve_connection_requests(listener, settings_rx, events_tx));
    let agent = agent.clone();
    tokio::task::spawn_local(async move {
        while let Some(request) = events_rx.recv().await {
            let mut agent = agent.borrow_mut();
            if agent.session_open {
                // Folded into the open session if the ACS sends a request after it (§3.2.2).
                info!(target: "cwmpd::cr", "connection request from {} during the session", request.peer);
                agent.connection_request_waiting = true;
                continue;
            }
            info!(target: "cwmpd::cr", "connection request from {}", request.peer);
            agent.connection_requested();
            let _ = wake.try_send(());
        }
    });
    Ok(())
}

/// Dual-stack when the host has IPv6, IPv4 only otherwise.
async fn bind_connection_request_listener(settings: &CrSettings) -> Result<TcpListener, String> {
    match TcpListener::bind(settings.listen_addr()).await {
        Ok(listener) => Ok(listener),
        Err(_) => TcpListener::bind(("0.0.0.0", settings.port))
            .await
            .map_err(|e| format!("connection request port {}: {e}", settings.port)),
    }
}

/// Serve until the settings name another port (rebind) or the daemon goes away.
async fn serve_connection_requests(
    mut listener: TcpListener,
    settings: tokio::sync::watch::Receiver<CrSettings>,
    events: mpsc::Sender<crate::net::cr_server::CrEvent>,
) {
    use crate::net::cr_server::ServeEnd;
    loop {
        match crate::net::cr_server::serve(listener, settings.clone(), events.clone()).await {
            ServeEnd::ListenAddressChanged => {
                let wanted = settings.borrow().clone();
                match bind_connection_request_listener(&wanted).await {
                    Ok(rebound) => listener = rebound,
                    Err(message) => {
                        error!(target: "cwmpd::cr", "{message}");
                        return;
                    }
                }
            }
            end => {
                warn!(target: "cwmpd::cr", "connection request server stopped: {end:?}");
                return;
            }
        }
    }
}
