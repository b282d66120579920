//! JSON pointer → the source span of the value (or key) it names.

use super::yaml::{ByteSpan, Node, NodeKind};

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The span of the deepest value on `pointer`'s path. With `key`, a pointer that ends on a
/// mapping entry gives the key's span (an unknown field is pointed at by its name).
pub(crate) fn locate(root: &Node, pointer: &str, key: bool) -> ByteSpan {
    let mut node = root;
    let mut span = root.span;
    for segment in pointer.split('/').skip(1) {
        let segment = unescape(segment);
        let next = match &node.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| *k == segment)
                .map(|(_, key_span, value)| (*key_span, value)),
            NodeKind::Seq(items) => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|item| (item.span, item)),
            NodeKind::Scalar => None,
        };
        let Some((key_span, child)) = next else {
            return span;
        };
        node = child;
        span = if key { key_span } else { child.span };
    }
    if !key && span.len == 0 {
        // Collections are located at their first byte; give the label one character.
        return ByteSpan {
            start: span.start,
            len: 0,
        };
    }
    span
}

#[cfg(test)]
mod tests {
    use super::super::yaml::parse;
    use super::*;

    #[test]
    fn finds_values_keys_and_falls_back_to_the_nearest_ancestor() {
        let text = "spec:\n  replicas: two\n  a/b: {x: 1}\n  list: [p, q]\n";
        let doc = &parse(text).unwrap()[0];
        let at = |p: &str, key: bool| {
            let s = locate(&doc.node, p, key);
            &text[s.start..s.start + s.len.max(1)]
        };
        assert_eq!(at("/spec/replicas", false), "two");
        assert_eq!(at("/spec/replicas", true), "replicas");
        assert!(at("/spec/a~1b/x", false).starts_with('1'));
        assert_eq!(at("/spec/list/1", false), "q");
        assert_eq!(at("/spec/missing/deeper", true), "spec");
    }
}
