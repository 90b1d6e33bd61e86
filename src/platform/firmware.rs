//! What the platform says about a firmware image before it is flashed: the reply of
//! OpenWrt's `ubus call system validate_firmware_image '{"path": …}'` (rpcd's `system`
//! object, which runs the board's `platform_check_image` and fwtool checks):
//!
//! ```json
//! { "tests": { "fwtool_signature": true, "fwtool_device_match": false },
//!   "valid": false, "forceable": true, "allow_backup": true }
//! ```

use serde::Deserialize;

/// The verdict on an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageCheck {
    pub valid: bool,
    /// `sysupgrade -F` could flash it anyway (cwmpd never forces).
    pub forceable: bool,
    /// The settings can be kept across this upgrade; when false, sysupgrade gets `-n`.
    pub allow_backup: bool,
    /// Why it was refused: the names of the failed tests.
    pub reason: String,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    tests: serde_json::Map<String, serde_json::Value>,
    valid: bool,
    #[serde(default)]
    forceable: bool,
    #[serde(default = "yes")]
    allow_backup: bool,
}

fn yes() -> bool {
    true
}

/// Parse the ubus reply. Anything that is not such an object is an error.
pub fn parse_validation(json: &str) -> Result<ImageCheck, String> {
    let reply: Reply = serde_json::from_str(json)
        .map_err(|e| format!("unexpected validate_firmware_image reply: {e}"))?;
    let failed: Vec<&str> = reply
        .tests
        .iter()
        .filter(|(_, passed)| passed.as_bool() == Some(false))
        .map(|(name, _)| name.as_str())
        .collect();
    let reason = match (reply.valid, failed.is_empty()) {
        (true, _) => String::new(),
        (false, true) => "image refused by the platform".to_string(),
        (false, false) => format!(
            "image refused by the platform: {} failed",
            failed.join(", ")
        ),
    };
    Ok(ImageCheck {
        valid: reply.valid,
        forceable: reply.forceable,
        allow_backup: reply.allow_backup,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_image() {
        let check = parse_validation(
            r#"{"tests":{"fwtool_signature":true,"fwtool_device_match":true},"valid":true,"forceable":true,"allow_backup":true}"#,
        )
        .unwrap();
        assert!(check.valid && check.allow_backup);
        assert_eq!(check.reason, "");
    }

    #[test]
    fn a_refused_image_names_the_failed_tests() {
        let check = parse_validation(
            r#"{"tests":{"fwtool_signature":true,"fwtool_device_match":false},"valid":false,"forceable":true,"allow_backup":false}"#,
        )
        .unwrap();
        assert!(!check.valid && check.forceable && !check.allow_backup);
        assert_eq!(
            check.reason,
            "image refused by the platform: fwtool_device_match failed"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_validation("Command failed: Not found").is_err());
        assert!(parse_validation(r#"{"tests":{}}"#).is_err());
    }
}
