//! File transfers: Download (TR-069 A.3.2.8), Upload (A.4.1.5), ScheduleDownload (A.4.1.8),
//! CancelTransfer (A.4.1.9), GetQueuedTransfers / GetAllQueuedTransfers (A.4.1.6, A.4.1.7)
//! and the TransferComplete / AutonomousTransferComplete that report them (A.3.3.2, A.3.3.3).
//!
//! - [`model`]: one transfer as a pure state machine, time as an argument.
//! - [`request`]: the checks an RPC is answered with at once (9003, 9013) and the record it
//!   queues.
//! - [`book`]: the queue persisted in `/etc/cwmpd/transfers.json`, written at each transition.
//! - [`http`], [`run`]: the edge — HTTP(S) to the file server, streamed to tmpfs, and what is
//!   done with the file (validate + sysupgrade, restore + reboot, web content, backups, logs).

pub mod book;
pub mod http;
pub mod model;
pub mod request;
pub mod run;

pub use book::Transfers;
pub use model::{Transfer, TransferFault};
