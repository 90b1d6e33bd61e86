//! Any bytes through the XML layer alone: never a panic, and every element of a parsed (or
//! partially parsed) tree can be walked.
#![no_main]

use cwmpd::cwmp::xml::{parse, Element, TreeLimits};
use libfuzzer_sys::fuzz_target;

fn walk(element: Element<'_, '_>, depth: usize) -> usize {
    let _ = (
        element.ns(),
        element.local_name(),
        element.text(),
        element.xsi_type(),
    );
    assert!(depth <= 32, "the depth limit held");
    1 + element
        .children()
        .map(|child| walk(child, depth + 1))
        .sum::<usize>()
}

fuzz_target!(|data: &[u8]| {
    let limits = TreeLimits {
        max_depth: 32,
        max_elements: 10_000,
    };
    let document = match parse(data, limits) {
        Ok(document) => document,
        Err(failure) => failure.partial,
    };
    if let Some(root) = document.root() {
        assert!(walk(root, 1) <= 10_000, "the element limit held");
    }
});
