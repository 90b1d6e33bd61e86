//! The generic TR-069 data-model engine (placeholder).
