//! Events (citizen complaints, incidents): the timestamps they carry ([`timestamp`]) and
//! which of them an analysis looks at ([`selection`]: a category and a time window).
//! Shared by the analyses that take an `events` layer (`complaints`, and `clusters`'
//! DBSCAN), so neither reaches into the other.

pub mod selection;
pub mod timestamp;

pub use selection::{select, Query, Selection};
pub use timestamp::Stamp;
