//! Native UCI parser and writer (placeholder).
