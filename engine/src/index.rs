//! R-tree index (being written).
