//! The sans-I/O CWMP codec: SOAP envelope bytes ⇄ [`Envelope`] (TR-069 Amendment 6, "Use of
//! SOAP" and Annex A).
//!
//! Decoding is tolerant where real ACSes differ (any namespace prefixes, CWMP namespaces 1-0 to
//! 1-4, whitespace, elements in another order, unknown extra elements, empty optional
//! arguments) and strict where safety is at stake (no DOCTYPE or entities, bounded size, depth
//! and element count, no panics). Encoding writes the canonical form that validates against
//! the official CWMP schemas: prefixes `soapenv`, `soapenc`, `xsd`, `xsi`, `cwmp`.
//!
//! ```
//! use cwmpd::cwmp::codec::{decode, encode, Side};
//! use cwmpd::cwmp::rpc::{AcsRequest, Body, CpeResponse, Envelope};
//!
//! let request = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
//!     xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><s:Header><cwmp:ID s:mustUnderstand="1">42</cwmp:ID>
//!     </s:Header><s:Body><cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot></s:Body></s:Envelope>"#;
//! let envelope = decode(request, Side::Cpe).unwrap();
//! assert_eq!(envelope.body, Body::AcsRequest(AcsRequest::Reboot { command_key: "k".into() }));
//!
//! let answer = Envelope::new(envelope.namespace, envelope.id, Body::CpeResponse(CpeResponse::RebootResponse));
//! let bytes = encode(&answer);
//! assert!(bytes.starts_with(b"<?xml"));
//! ```

mod decode;
mod encode;

use std::fmt;

use super::rpc::Envelope;
use super::types::CwmpNamespace;
use super::xml::{self, TreeLimits, XmlError};

/// Who is decoding. The element names `GetRPCMethods` and `GetRPCMethodsResponse` exist in both
/// directions, so the same bytes mean a different message on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The CPE decodes what the ACS sent: `AcsRequest`, `AcsResponse` or a fault.
    Cpe,
    /// The ACS (or a test ACS) decodes what the CPE sent: `CpeRequest`, `CpeResponse` or a fault.
    Acs,
}

/// Hard bounds on an envelope, checked before (size) and while (depth, elements) it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest envelope in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting; CWMP itself needs 7 (Envelope/Body/RPC/List/Struct/List/string).
    pub max_depth: usize,
    /// Most elements in one envelope.
    pub max_elements: usize,
}

impl Default for Limits {
    /// 4 MiB, depth 32, 200,000 elements: room for a GetParameterValues of a whole router data
    /// model (about 25,000 parameters), small enough for a router with 64 MiB of RAM.
    fn default() -> Limits {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 32,
            max_elements: 200_000,
        }
    }
}

/// Why an envelope could not be decoded, with as much of its context as could be read: a CPE
/// answers a request it cannot decode with a fault that carries the request's `cwmp:ID`
/// (the TR-069 SOAP header that pairs a response with its request) in the request's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub kind: DecodeErrorKind,
    /// The `cwmp:ID` header, when it was read completely.
    pub id: Option<String>,
    /// The CWMP namespace of the Body element (or of the ID header).
    pub namespace: Option<CwmpNamespace>,
    /// The local name of the Body element (`"Fault"` for a SOAP Fault).
    pub method: Option<String>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Larger than [`Limits::max_bytes`].
    TooLarge,
    /// Nested deeper than [`Limits::max_depth`].
    TooDeep,
    /// More than [`Limits::max_elements`] elements, or more than
    /// [`xml::MAX_NAMESPACE_BINDINGS`] namespace declarations in scope.
    TooManyElements,
    /// A DOCTYPE (so any entity declaration) or a reference to an undeclared entity.
    DoctypeOrEntity,
    /// Not well-formed XML (including truncated input and invalid UTF-8).
    Malformed(String),
    /// Empty input, a root other than SOAP 1.1 `Envelope`, or no `Body` element in it.
    NotAnEnvelope,
    /// The Body element (or the `cwmp:Fault` in a SOAP Fault) is not in a CWMP namespace.
    NoCwmpNamespace,
    /// A known message with a missing or unreadable argument (e.g. NextLevel `maybe`):
    /// the CPE answers fault 9003 Invalid arguments.
    InvalidArgument(String),
    /// [`Side::Acs`] only: a Body element that is no CPE message. (On [`Side::Cpe`] an unknown
    /// method decodes to `AcsRequest::Unknown`, which the session answers with fault 9000.)
    UnknownMethod(String),
}

impl DecodeError {
    fn new(kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            kind,
            id: None,
            namespace: None,
            method: None,
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::TooLarge => f.write_str("envelope too large"),
            DecodeErrorKind::TooDeep => f.write_str("elements nested too deep"),
            DecodeErrorKind::TooManyElements => f.write_str("too many elements"),
            DecodeErrorKind::DoctypeOrEntity => f.write_str("DOCTYPE or entity refused"),
            DecodeErrorKind::Malformed(reason) => write!(f, "malformed XML: {reason}"),
            DecodeErrorKind::NotAnEnvelope => f.write_str("not a SOAP envelope"),
            DecodeErrorKind::NoCwmpNamespace => f.write_str("no CWMP namespace"),
            DecodeErrorKind::InvalidArgument(reason) => write!(f, "invalid argument: {reason}"),
            DecodeErrorKind::UnknownMethod(name) => write!(f, "unknown method {name}"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(method) = &self.method {
            write!(f, " in {method}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (cwmp:ID {id:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

impl From<XmlError> for DecodeErrorKind {
    fn from(error: XmlError) -> DecodeErrorKind {
        match error {
            XmlError::TooDeep => DecodeErrorKind::TooDeep,
            XmlError::TooManyElements | XmlError::TooManyNamespaces => {
                DecodeErrorKind::TooManyElements
            }
            XmlError::DoctypeOrEntity => DecodeErrorKind::DoctypeOrEntity,
            XmlError::Malformed(reason) => DecodeErrorKind::Malformed(reason),
            XmlError::NoRootElement => DecodeErrorKind::NotAnEnvelope,
        }
    }
}

/// Decode an envelope received by `side` with the default [`Limits`].
pub fn decode(bytes: &[u8], side: Side) -> Result<Envelope, DecodeError> {
    decode_with_limits(bytes, side, &Limits::default())
}

/// Decode an envelope received by `side`. An empty body (no bytes, or only whitespace) is not
/// an envelope: callers handle TR-069's empty HTTP POST ("no more requests") before decoding.
pub fn decode_with_limits(
    bytes: &[u8],
    side: Side,
    limits: &Limits,
) -> Result<Envelope, DecodeError> {
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError::new(DecodeErrorKind::TooLarge));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::new(DecodeErrorKind::NotAnEnvelope));
    }
    let tree_limits = TreeLimits {
        max_depth: limits.max_depth,
        max_elements: limits.max_elements,
    };
    match xml::parse(bytes, tree_limits) {
        Ok(document) => decode::envelope(&document, side),
        Err(failure) => Err(decode::error_with_context(
            &failure.partial,
            failure.error.into(),
        )),
    }
}

/// Encode an envelope in the canonical form.
pub fn encode(envelope: &Envelope) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    encode_into(envelope, &mut out);
    out
}

/// Append the encoded envelope to `out` (reuse one buffer for many envelopes).
pub fn encode_into(envelope: &Envelope, out: &mut Vec<u8>) {
    encode::envelope(envelope, out);
}
