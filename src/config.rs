//! cwmpd configuration from /etc/config/cwmpd (placeholder).
