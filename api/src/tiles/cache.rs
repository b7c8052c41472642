//! The server's tile cache: encoded tiles bounded in bytes, and what makes the next tiles
//! quick — baseline layers' Mercator bounds, layers as scenarios edit them (with their own
//! R-tree), result rows joined to their zones. Each part forgets its least recently used
//! entries past its budget ([`Bounded`]). No HTTP here: the handlers are in [`crate::tiles`].

use crate::bounded::{lock, Bounded};
use axum::body::Bytes;
use geo::Rect;
use std::sync::{Arc, Mutex};
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::Layer;

/// Bytes of tiles kept in memory by default; past it the oldest go first.
pub const TILE_BYTES: usize = 64 << 20;

/// Scenario layers, layer bounds and result joins kept (each).
const ENTRIES: usize = 256;

/// What a tile entry costs besides its bytes (key, map slot), so empty tiles count too.
const ENTRY_OVERHEAD: usize = 128;

/// A layer as a scenario made it, with its own R-tree and bounds.
#[derive(Debug)]
pub struct Edited {
    /// The edited layer.
    pub layer: Arc<Layer>,
    /// Its R-tree.
    pub index: SpatialIndex,
    /// Its Web Mercator bounds (none without geometry).
    pub bounds: Option<Rect>,
}

/// The server's tiles and what it keeps to make them quickly, shared by all requests.
#[derive(Debug)]
pub struct TileCache {
    /// Encoded tiles by key (the layer's content hash or the result's key, and the tile);
    /// bounded in bytes.
    tiles: Mutex<Bounded<String, Bytes>>,
    /// Mercator bounds of baseline layers, by content hash.
    bounds: Mutex<Bounded<String, Option<Rect>>>,
    /// Layers as scenarios make them, by scenario, version, layer and the baseline layer's
    /// hash; `None` when the scenario leaves the layer as it is.
    edited: Mutex<Bounded<String, Option<Arc<Edited>>>>,
    /// Result rows by feature of their row layer, by result key.
    joins: Mutex<Bounded<String, Arc<Vec<Option<usize>>>>>,
}

impl Default for TileCache {
    fn default() -> Self {
        TileCache::new(TILE_BYTES)
    }
}

/// The value of `key` in `map`, or `make`'s, kept at weight 1. `make` runs outside the lock:
/// two requests may both make it, but neither waits for the other's work.
fn get_or_make<V: Clone, E>(
    map: &Mutex<Bounded<String, V>>,
    key: &str,
    make: impl FnOnce() -> Result<V, E>,
) -> Result<V, E> {
    let key = key.to_string();
    if let Some(v) = lock(map).get(&key) {
        return Ok(v);
    }
    let v = make()?;
    lock(map).insert(key, v.clone(), 1);
    Ok(v)
}

impl TileCache {
    /// A cache keeping at most `bytes` of tiles.
    pub fn new(bytes: usize) -> TileCache {
        TileCache {
            tiles: Mutex::new(Bounded::new(bytes)),
            bounds: Mutex::new(Bounded::new(ENTRIES)),
            edited: Mutex::new(Bounded::new(ENTRIES)),
            joins: Mutex::new(Bounded::new(ENTRIES)),
        }
    }

    /// The tile kept under `key`.
    pub fn tile(&self, key: &str) -> Option<Bytes> {
        lock(&self.tiles).get(&key.to_string())
    }

    /// Keeps tile `bytes` under `key`.
    pub fn keep(&self, key: String, bytes: Bytes) {
        let weight = bytes.len() + key.len() + ENTRY_OVERHEAD;
        lock(&self.tiles).insert(key, bytes, weight);
    }

    /// The Mercator bounds of the baseline layer of content hash `hash`, made by `make` once.
    pub fn bounds<E>(
        &self,
        hash: &str,
        make: impl FnOnce() -> Result<Option<Rect>, E>,
    ) -> Result<Option<Rect>, E> {
        get_or_make(&self.bounds, hash, make)
    }

    /// A layer as a scenario version makes it (`None`: the scenario leaves it alone), made
    /// by `make` once per `key`.
    pub fn edited<E>(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Option<Arc<Edited>>, E>,
    ) -> Result<Option<Arc<Edited>>, E> {
        get_or_make(&self.edited, key, make)
    }

    /// The rows of result `key` by feature of their row layer, joined by `make` once.
    pub fn join(
        &self,
        key: &str,
        make: impl FnOnce() -> Vec<Option<usize>>,
    ) -> Arc<Vec<Option<usize>>> {
        get_or_make(&self.joins, key, || {
            Ok::<_, std::convert::Infallible>(Arc::new(make()))
        })
        .unwrap_or_else(|never| match never {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_kept() {
        let cache = TileCache::new(1024);
        let mut made = 0;
        for _ in 0..3 {
            let b = cache.bounds("h", || {
                made += 1;
                Ok::<_, ()>(None)
            });
            assert_eq!(b, Ok(None));
        }
        assert_eq!(made, 1);
        let failed = cache.edited("k", || Err("no such scenario"));
        assert_eq!(failed.err(), Some("no such scenario"));
        let again = cache.edited("k", || Ok::<_, &str>(None));
        assert!(matches!(again, Ok(None)), "a failure is not kept");
        cache.keep("t".into(), Bytes::from_static(b"mvt"));
        assert_eq!(cache.tile("t"), Some(Bytes::from_static(b"mvt")));
        assert_eq!(cache.tile("u"), None);
    }
}
