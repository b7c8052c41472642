//! The server's one cache policy: a map bounded by a budget of total weight (bytes, or
//! entries at weight 1) that forgets the least recently used entries first. Results, views
//! of scenarios, tiles and what makes tiles quick all live in one of these.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

/// A map that forgets its least recently used entries past a budget of total weight.
#[derive(Debug)]
pub struct Bounded<K, V> {
    /// Value, weight and the tick of its last use.
    map: HashMap<K, (V, usize, u64)>,
    /// Keys by the tick of their last use: the first is the next to go.
    by_use: BTreeMap<u64, K>,
    tick: u64,
    weight: usize,
    budget: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Bounded<K, V> {
    /// An empty map keeping at most `budget` of total weight.
    pub fn new(budget: usize) -> Self {
        Bounded {
            map: HashMap::new(),
            by_use: BTreeMap::new(),
            tick: 0,
            weight: 0,
            budget,
        }
    }

    /// The value of `k`, which counts as a use.
    pub fn get(&mut self, k: &K) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        let (v, _, used) = self.map.get_mut(k)?;
        self.by_use.remove(used);
        *used = tick;
        self.by_use.insert(tick, k.clone());
        Some(v.clone())
    }

    /// Keeps `v` under `k` at `weight`, forgetting the least recently used entries past the
    /// budget. A value heavier than the whole budget is not kept (and evicts nothing).
    pub fn insert(&mut self, k: K, v: V, weight: usize) {
        if weight > self.budget {
            return;
        }
        self.tick += 1;
        if let Some((_, old, used)) = self.map.insert(k.clone(), (v, weight, self.tick)) {
            self.weight -= old;
            self.by_use.remove(&used);
        }
        self.by_use.insert(self.tick, k);
        self.weight += weight;
        while self.weight > self.budget {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((_, w, _)) = self.map.remove(&oldest) {
                self.weight -= w;
            }
        }
    }

    /// Total weight kept.
    pub fn weight(&self) -> usize {
        self.weight
    }
}

/// The guard of a cache's mutex: a panic elsewhere while holding it leaves the map whole
/// (every change above completes before it can panic), so its poison is ignored.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_least_recently_used_past_its_budget() {
        let mut b: Bounded<&str, u8> = Bounded::new(10);
        b.insert("a", 1, 4);
        b.insert("b", 2, 4);
        assert_eq!(b.get(&"a"), Some(1)); // "a" is now newer than "b"
        b.insert("c", 3, 4); // 12 > 10: "b" goes
        assert_eq!(
            (b.get(&"a"), b.get(&"b"), b.get(&"c")),
            (Some(1), None, Some(3))
        );
        b.insert("d", 4, 11); // larger than the whole budget: not kept, nothing evicted
        assert_eq!((b.get(&"d"), b.get(&"a")), (None, Some(1)));
        b.insert("a", 5, 2); // replaced in place
        assert_eq!((b.get(&"a"), b.weight()), (Some(5), 6));
        assert_eq!(b.map.len(), b.by_use.len());
    }
}
