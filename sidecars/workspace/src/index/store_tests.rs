//! The store's synchronous merge: it folds the overlay into a complete base, and leaves a base
//! whose sizes, mtimes and FST are still to come alone.

use std::sync::Arc;

use super::*;
use crate::index::base::BaseBuilder;

fn meta(size: u64) -> FileMeta {
    FileMeta { size, mtime_ms: 7, symlink: false }
}

fn base(keys: &[&str], mut builder: BaseBuilder) -> Base {
    keys.iter().for_each(|k| builder.push(k.as_bytes(), meta(3)).unwrap());
    builder.finish().unwrap()
}

#[test]
fn a_merge_waits_for_a_complete_base() {
    let store = Arc::new(Store::new());
    let keys = ["a.txt", "b.txt"];
    // A first scan's base: paths only, sizes and mtimes still to come.
    let partial = store.replace_base(base(&keys, BaseBuilder::paths_only()));
    store.apply(|_| (vec![("c.txt".to_owned(), Some(meta(5)))], ()));
    assert!(!store.merge_now().unwrap(), "nothing to merge into yet");
    let snap = store.snapshot();
    assert!(Arc::ptr_eq(&snap.base, &partial), "the base stays");
    assert_eq!(snap.overlay.len(), 1, "and so does the overlay");
    // Once the base is complete, the same overlay merges and every size survives it.
    store.fill(&partial, base(&keys, BaseBuilder::new(keys.len()))).expect("the base was not replaced");
    assert!(store.merge_now().unwrap());
    let snap = store.snapshot();
    assert!(snap.overlay.is_empty() && snap.base.map.is_some());
    assert_eq!(
        (snap.get("a.txt"), snap.get("b.txt"), snap.get("c.txt")),
        (Some(meta(3)), Some(meta(3)), Some(meta(5)))
    );
}
