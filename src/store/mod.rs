//! Atomic, fsync'd persistence (placeholder).
