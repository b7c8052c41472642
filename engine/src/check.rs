//! Data-integrity check (being written).
