//! `DiagnosticsState` (TR-181 data type DiagnosticsState) and the rules every diagnostics
//! object of TR-181 shares:
//! - the ACS may write only `Requested`; the test starts after the session (TR-069 §A.4.1);
//! - writing any other parameter of the object while a test is requested or running cancels
//!   it, and a finished test's state goes back to `None` (TR-181 DiagnosticsState);
//! - the CPE ends a test in `Complete` or one of the `Error_*` values.

/// The values cwmpd uses (TR-181 2.19 `DiagnosticsState`; `Canceled` and `Error` are optional
/// and not used; each object allows its own `Error_*` subset). A running test stays
/// `Requested`: TR-181 has no "in progress" value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagnosticsState {
    #[default]
    None,
    Requested,
    Complete,
    ErrorCannotResolveHostName,
    ErrorNoRouteToHost,
    ErrorInternal,
    ErrorOther,
    /// NSLookupDiagnostics: the DNSServer name could not be resolved.
    ErrorDnsServerNotResolved,
    /// TraceRoute: the destination was not reached within MaxHopCount hops.
    ErrorMaxHopCountExceeded,
    /// Download/UploadDiagnostics (TR-143): the TCP connection could not be opened.
    ErrorInitConnectionFailed,
    /// The server sent no response to the request.
    ErrorNoResponse,
    /// DownloadDiagnostics: the transfer failed (an HTTP error status, a broken connection).
    ErrorTransferFailed,
    /// DownloadDiagnostics: the body was not as long as the server said.
    ErrorIncorrectSize,
    /// Download/UploadDiagnostics: nothing moved for too long.
    ErrorTimeout,
    /// UploadDiagnostics: the transfer did not complete (an HTTP error status, a broken
    /// connection).
    ErrorNoTransferComplete,
}

const ALL: [DiagnosticsState; 15] = [
    DiagnosticsState::ErrorInitConnectionFailed,
    DiagnosticsState::ErrorNoResponse,
    DiagnosticsState::ErrorTransferFailed,
    DiagnosticsState::ErrorIncorrectSize,
    DiagnosticsState::ErrorTimeout,
    DiagnosticsState::ErrorNoTransferComplete,
    DiagnosticsState::ErrorMaxHopCountExceeded,
    DiagnosticsState::None,
    DiagnosticsState::Requested,
    DiagnosticsState::Complete,
    DiagnosticsState::ErrorCannotResolveHostName,
    DiagnosticsState::ErrorNoRouteToHost,
    DiagnosticsState::ErrorInternal,
    DiagnosticsState::ErrorOther,
    DiagnosticsState::ErrorDnsServerNotResolved,
];

impl DiagnosticsState {
    pub fn name(self) -> &'static str {
        match self {
            DiagnosticsState::None => "None",
            DiagnosticsState::Requested => "Requested",
            DiagnosticsState::Complete => "Complete",
            DiagnosticsState::ErrorCannotResolveHostName => "Error_CannotResolveHostName",
            DiagnosticsState::ErrorNoRouteToHost => "Error_NoRouteToHost",
            DiagnosticsState::ErrorInternal => "Error_Internal",
            DiagnosticsState::ErrorOther => "Error_Other",
            DiagnosticsState::ErrorDnsServerNotResolved => "Error_DNSServerNotResolved",
            DiagnosticsState::ErrorMaxHopCountExceeded => "Error_MaxHopCountExceeded",
            DiagnosticsState::ErrorInitConnectionFailed => "Error_InitConnectionFailed",
            DiagnosticsState::ErrorNoResponse => "Error_NoResponse",
            DiagnosticsState::ErrorTransferFailed => "Error_TransferFailed",
            DiagnosticsState::ErrorIncorrectSize => "Error_IncorrectSize",
            DiagnosticsState::ErrorTimeout => "Error_Timeout",
            DiagnosticsState::ErrorNoTransferComplete => "Error_NoTransferComplete",
        }
    }

    pub fn parse(name: &str) -> Option<DiagnosticsState> {
        ALL.into_iter().find(|state| state.name() == name)
    }
}

/// The ACS wrote DiagnosticsState: only `Requested` may be written (TR-181).
pub fn check_state_write(value: &str) -> Result<DiagnosticsState, String> {
    match value {
        "Requested" => Ok(DiagnosticsState::Requested),
        other => Err(format!(
            "DiagnosticsState can only be set to Requested, not {other:?}"
        )),
    }
}

/// The ACS wrote another parameter of a diagnostics object whose state is `current`: the new
/// state, if it changes. A test requested or running is canceled and a finished one forgotten
/// (`None`), unless the same SetParameterValues requests a new test.
pub fn state_after_input_write(
    current: DiagnosticsState,
    requested_in_same_rpc: bool,
) -> Option<DiagnosticsState> {
    (current != DiagnosticsState::None && !requested_in_same_rpc).then_some(DiagnosticsState::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in ALL {
            assert_eq!(DiagnosticsState::parse(state.name()), Some(state));
        }
        assert_eq!(DiagnosticsState::parse("InProgress"), None);
    }

    #[test]
    fn only_requested_may_be_written() {
        assert_eq!(
            check_state_write("Requested"),
            Ok(DiagnosticsState::Requested)
        );
        assert!(check_state_write("None").is_err());
        assert!(check_state_write("Complete").is_err());
    }

    #[test]
    fn an_input_write_cancels_unless_requested_too() {
        use DiagnosticsState as S;
        assert_eq!(state_after_input_write(S::Requested, false), Some(S::None));
        assert_eq!(state_after_input_write(S::Complete, false), Some(S::None));
        assert_eq!(
            state_after_input_write(S::ErrorInternal, false),
            Some(S::None)
        );
        assert_eq!(state_after_input_write(S::None, false), None);
        assert_eq!(state_after_input_write(S::Requested, true), None);
    }
}
