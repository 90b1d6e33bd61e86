//! ACS HTTP client (placeholder).
