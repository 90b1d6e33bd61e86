//! The kernel's network state over rtnetlink: links, addresses, routes, neighbours and
//! per-link statistics. Filled by [`gather`]; read by the network areas through
//! `Context::live.net`.

/// What netlink reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetState {
    /// False when netlink could not be read (the areas then report no live values).
    pub available: bool,
}

/// Dump the kernel's tables once.
pub async fn gather() -> NetState {
    NetState::default()
}
