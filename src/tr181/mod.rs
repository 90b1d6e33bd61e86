//! TR-181 areas, one file each (placeholder).
