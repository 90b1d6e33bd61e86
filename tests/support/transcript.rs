//! A readable transcript: each HTTP exchange as one or a few lines, e.g.
//!
//! ```text
//!   0.004s c1  CPE → ACS  Inform  events: 0 BOOTSTRAP, 1 BOOT  params: 7
//!                         DeviceId: OpenWrt C006C3 tplink,archer-c7-v5 C006C35A1E90
//!                         Device.RootDataModelVersion = 2.19
//!                         …
//!              ACS → CPE  InformResponse  (session 1, cookie set)
//!   0.009s c1  CPE → ACS  (empty POST)
//!              ACS → CPE  GetParameterValues  Device.DeviceInfo.Manufacturer
//!   0.015s c1  CPE → ACS  GetParameterValuesResponse  Device.DeviceInfo.Manufacturer = OpenWrt
//!              ACS → CPE  SetParameterValues  Device.ManagementServer.PeriodicInformInterval = 3600 (xsd:unsignedInt)  key: "k1"
//!   0.017s c1  CPE → ACS  SetParameterValuesResponse  Status=0 (applied)
//!              ACS → CPE  204 No Content  (session 1 complete)
//! ```

use super::http;
use super::log::{AcsLog, AuthCheck, Record, Reply};
use super::xml::{Element, Envelope};

const MAX_DETAIL_LINES: usize = 12;
const INDENT: &str = "                         ";

pub fn render(log: &AcsLog) -> String {
    let mut lines: Vec<String> = log.records.iter().flat_map(record_lines).collect();
    for error in &log.tls_errors {
        lines.push(format!("TLS handshake failed: {error}"));
    }
    for error in &log.http_errors {
        lines.push(format!("HTTP error: {error}"));
    }
    if lines.is_empty() {
        lines.push("(no requests)".into());
    }
    lines.join("\n")
}

/// The lines of one request and its reply.
pub fn record_lines(record: &Record) -> Vec<String> {
    let prefix = format!("{:>8.3}s c{:<2}", record.at.as_secs_f64(), record.conn);
    let mut lines = Vec::new();
    let (summary, details) = request_summary(record);
    lines.push(format!("{prefix} CPE → ACS  {summary}"));
    lines.extend(details.into_iter().map(|d| format!("{INDENT}{d}")));
    let blank = " ".repeat(prefix.chars().count());
    let (summary, details) = reply_summary(record);
    lines.push(format!("{blank} ACS → CPE  {summary}"));
    lines.extend(details.into_iter().map(|d| format!("{INDENT}{d}")));
    lines
}

fn request_summary(record: &Record) -> (String, Vec<String>) {
    let mut extra = Vec::new();
    if record.method != "POST" {
        extra.push(format!("{} {}", record.method, record.path));
    }
    match &record.auth {
        AuthCheck::Failed(reason) => extra.push(format!("[auth failed: {reason}]")),
        AuthCheck::Missing => extra.push("[no credentials]".into()),
        AuthCheck::Passed => extra.push("[auth ok]".into()),
        AuthCheck::NotRequired => {}
    }
    let (mut summary, details) = match (&record.envelope, &record.parse_error) {
        (Some(envelope), _) => summarize(envelope),
        (None, Some(error)) => (
            format!("(unparseable body, {} bytes: {error})", record.body.len()),
            vec![],
        ),
        (None, None) => ("(empty POST)".to_string(), vec![]),
    };
    if !extra.is_empty() {
        summary = format!("{summary}  {}", extra.join(" "));
    }
    (summary, details)
}

fn reply_summary(record: &Record) -> (String, Vec<String>) {
    let note = record
        .note
        .as_ref()
        .map(|n| format!("  ({n})"))
        .unwrap_or_default();
    let delay = record
        .delay
        .map(|d| format!("  (after {d:?})"))
        .unwrap_or_default();
    let response = match &record.reply {
        Reply::Dropped => return (format!("(connection dropped){note}"), vec![]),
        Reply::Sent(response) => response,
    };
    let status = format!("{} {}", response.status, http::reason(response.status));
    let body = String::from_utf8_lossy(&response.body);
    if body.trim().is_empty() {
        let mut summary = status;
        if let Some(location) = response.get_header("Location") {
            summary.push_str(&format!(" → {location}"));
        }
        for challenge in response
            .headers
            .iter()
            .filter(|(n, _)| n == "WWW-Authenticate")
        {
            summary.push_str(&format!("  [{}]", challenge_summary(&challenge.1)));
        }
        if response.status == 204 {
            if let Some(n) = record.session {
                summary.push_str(&format!("  (session {n} complete)"));
            }
        }
        return (format!("{summary}{note}{delay}"), vec![]);
    }
    let (mut summary, details) = match Envelope::parse(&body) {
        Ok(envelope) => summarize(&envelope),
        Err(error) => (format!("raw body, {} bytes ({error})", body.len()), vec![]),
    };
    if response.status != 200 {
        summary = format!("{status}  {summary}");
    }
    if response.get_header("Set-Cookie").is_some() {
        if let Some(n) = record.session {
            summary.push_str(&format!("  (session {n}, cookie set)"));
        }
    }
    (format!("{summary}{note}{delay}"), details)
}

fn challenge_summary(value: &str) -> String {
    let scheme = value.split_whitespace().next().unwrap_or("");
    let algorithm = super::digest::parse_params(&value[scheme.len()..])
        .get("algorithm")
        .cloned();
    match algorithm {
        Some(a) => format!("{scheme} {a}"),
        None => scheme.to_string(),
    }
}

/// One summary line and detail lines for any CWMP envelope.
pub fn summarize(envelope: &Envelope) -> (String, Vec<String>) {
    let method = envelope.method().to_string();
    let (args, details) = match method.as_str() {
        "Inform" => (inform_args(envelope), inform_details(envelope)),
        "InformResponse" => (String::new(), vec![]),
        "Fault" => fault_lines(envelope),
        "GetParameterValuesResponse" => values_lines(envelope, false),
        "SetParameterValues" => values_lines(envelope, true),
        "GetParameterNamesResponse" => names_lines(envelope),
        "GetParameterAttributesResponse" | "SetParameterAttributes" => attribute_lines(envelope),
        "SetParameterValuesResponse" | "AddObjectResponse" | "DeleteObjectResponse" => {
            (status_args(envelope), vec![])
        }
        _ => (generic_args(envelope), vec![]),
    };
    let mut summary = if args.is_empty() {
        method
    } else {
        format!("{method}  {args}")
    };
    if let Some(hold) = envelope.hold_requests() {
        summary.push_str(&format!("  [HoldRequests={hold}]"));
    }
    (summary, details)
}

fn inform_args(envelope: &Envelope) -> String {
    let events: Vec<String> = envelope
        .events()
        .into_iter()
        .map(|(code, key)| {
            if key.is_empty() {
                code
            } else {
                format!("{code} ({key})")
            }
        })
        .collect();
    let mut args = format!(
        "events: {}  params: {}",
        events.join(", "),
        envelope.param_values().len()
    );
    if let Some(retry) = envelope.text_of("RetryCount").filter(|r| *r != "0") {
        args.push_str(&format!("  retry: {retry}"));
    }
    args
}

/// The DeviceId on one line, then the Inform's parameters.
fn inform_details(envelope: &Envelope) -> Vec<String> {
    let id: Vec<&str> = ["Manufacturer", "OUI", "ProductClass", "SerialNumber"]
        .into_iter()
        .filter_map(|field| envelope.device_id(field))
        .collect();
    let mut lines = Vec::new();
    if !id.is_empty() {
        lines.push(format!("DeviceId: {}", id.join(" ")));
    }
    lines.extend(
        envelope
            .param_values()
            .into_iter()
            .map(|p| format!("{} = {}", p.name, shown(&p.value))),
    );
    capped(lines)
}

/// A value as the transcript shows it: `""` for an empty one.
fn shown(value: &str) -> &str {
    if value.is_empty() {
        "\"\""
    } else {
        value
    }
}

/// `Status=0 (applied)` for Set/Add/Delete responses (TR-069 A.3.2.1), plus any other leaf
/// arguments (InstanceNumber).
fn status_args(envelope: &Envelope) -> String {
    let args = generic_args(envelope);
    let meaning = match envelope.status() {
        Some(0) => " (applied)",
        Some(1) => " (committed, not yet applied)",
        _ => "",
    };
    match args.find("Status=") {
        Some(start) => {
            let end = args[start..]
                .find("  ")
                .map(|i| start + i)
                .unwrap_or(args.len());
            format!("{}{meaning}{}", &args[..end], &args[end..])
        }
        None => args,
    }
}

fn fault_lines(envelope: &Envelope) -> (String, Vec<String>) {
    let Some(fault) = envelope.fault() else {
        return ("(SOAP Fault without CWMP detail)".into(), vec![]);
    };
    let details = fault
        .spv_faults
        .iter()
        .map(|f| format!("{}: {} {}", f.name, f.code, f.string))
        .collect();
    (format!("{} {}", fault.code, fault.string), details)
}

fn capped(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > MAX_DETAIL_LINES {
        let more = lines.len() - MAX_DETAIL_LINES;
        lines.truncate(MAX_DETAIL_LINES);
        lines.push(format!("… {more} more"));
    }
    lines
}

fn values_lines(envelope: &Envelope, with_types: bool) -> (String, Vec<String>) {
    let lines: Vec<String> = envelope
        .param_values()
        .into_iter()
        .map(|p| match (&p.xsi_type, with_types) {
            (Some(t), true) => format!("{} = {} ({t})", p.name, shown(&p.value)),
            _ => format!("{} = {}", p.name, shown(&p.value)),
        })
        .collect();
    let key = envelope
        .rpc()
        .and_then(|r| r.child_text("ParameterKey"))
        .map(|k| format!("  key: {k:?}"))
        .unwrap_or_default();
    if lines.len() == 1 {
        return (format!("{}{key}", lines[0]), vec![]);
    }
    (format!("{} values{key}", lines.len()), capped(lines))
}

fn names_lines(envelope: &Envelope) -> (String, Vec<String>) {
    let lines: Vec<String> = envelope
        .param_infos()
        .into_iter()
        .map(|(name, writable)| format!("{name} ({})", if writable { "w" } else { "r" }))
        .collect();
    (format!("{} names", lines.len()), capped(lines))
}

fn attribute_lines(envelope: &Envelope) -> (String, Vec<String>) {
    let structs = envelope
        .find_all("ParameterAttributeStruct")
        .into_iter()
        .chain(envelope.find_all("SetParameterAttributesStruct"));
    let lines: Vec<String> = structs
        .map(|s| {
            format!(
                "{} notification={}",
                s.child_text("Name").unwrap_or(""),
                s.child_text("Notification").unwrap_or("")
            )
        })
        .collect();
    (format!("{} attributes", lines.len()), capped(lines))
}

/// `a, b, c` for string arrays; `Name=value` pairs for leaf arguments.
fn generic_args(envelope: &Envelope) -> String {
    let Some(rpc) = envelope.rpc() else {
        return String::new();
    };
    rpc.children
        .iter()
        .map(argument)
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join("  ")
}

fn argument(element: &Element) -> String {
    if element.children.is_empty() {
        let text = element.text.trim();
        return match element.name.as_str() {
            "ParameterPath" | "ObjectName" | "URL" => text.to_string(),
            _ if text.is_empty() => String::new(),
            _ => format!("{}={text}", element.name),
        };
    }
    if element.children.iter().all(|c| c.name == "string") {
        return element
            .children
            .iter()
            .map(|c| c.text.trim())
            .collect::<Vec<_>>()
            .join(", ");
    }
    let inner: Vec<String> = element
        .children
        .iter()
        .map(argument)
        .filter(|a| !a.is_empty())
        .collect();
    if inner.is_empty() {
        return String::new();
    }
    format!("{}{{{}}}", element.name, inner.join(" "))
}
