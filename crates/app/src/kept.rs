//! Result pages a node keeps for a few seconds (the member directory's, the events listing's):
//! the busiest read-only pages, where seconds-old figures do no harm. A write on this node
//! forgets them at once ([`App::forget_kept_pages`](crate::App::forget_kept_pages)); other
//! nodes see it when their copy ages out.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// At most this many pages are kept per kind; when full, all are dropped.
const PAGES_KEPT: usize = 2_000;

#[derive(Debug)]
pub struct KeptPages<K, T> {
    ttl: Duration,
    entries: HashMap<K, (Instant, T)>,
}

impl<K: Hash + Eq, T: Clone> KeptPages<K, T> {
    pub fn new(ttl: Duration) -> Self {
        KeptPages { ttl, entries: HashMap::new() }
    }

    pub fn get(&self, key: &K) -> Option<T> {
        self.entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, page)| page.clone())
    }

    pub fn put(&mut self, key: K, page: T) {
        if self.entries.len() >= PAGES_KEPT {
            self.entries.clear();
        }
        self.entries.insert(key, (Instant::now(), page));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
