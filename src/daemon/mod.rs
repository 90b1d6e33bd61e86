//! The daemon loop (placeholder).
