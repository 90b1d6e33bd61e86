//! Placeholder: HTTP Digest (RFC 7616) challenge and verification, pure functions.
