//! Connection-request HTTP server (placeholder).
