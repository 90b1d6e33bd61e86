//! XSD validation of what the CPE sent, with the team's offline BBF validator.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `validate-cwmp.sh`: `$CWMPD_BBF_DIR/validate-cwmp.sh` if set, else `shared/bbf/` beside
/// the crate or one of its ancestors (`$CARGO_MANIFEST_DIR/../shared/bbf/` in CI, also found
/// from a worktree a level deeper).
pub fn bbf_validator() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CWMPD_BBF_DIR") {
        return Some(Path::new(&dir).join("validate-cwmp.sh"));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/bbf/validate-cwmp.sh"))
        .find(|script| script.is_file())
}

/// Validates envelopes against the official SOAP 1.1 and CWMP schemas; Err carries the
/// validator's report (its stderr) or why it could not run.
pub fn validate_with_bbf_schema(files: &[PathBuf]) -> Result<(), String> {
    if files.is_empty() {
        return Ok(());
    }
    let script =
        bbf_validator().ok_or("shared/bbf/validate-cwmp.sh not found (set CWMPD_BBF_DIR)")?;
    let output = Command::new("sh")
        .arg(&script)
        .arg("-q")
        .args(files)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(1) => Err(stderr),
        _ => Err(format!(
            "{} could not validate ({}): {stderr}",
            script.display(),
            output.status
        )),
    }
}
