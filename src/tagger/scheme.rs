//! The tags: two independent BIO groups per model token, one for content and one for the role
//! spans (cue, source), because a reported content often holds another attribution's cue and
//! source (14% of PolNeAR train contents do) and one tag per token could not say both.

/// Sizes of the softmax groups, in logit order: content (O, B, I), role (O, B-cue, I-cue,
/// B-source, I-source).
pub const GROUPS: [usize; 2] = [3, 5];

/// Column names of the logits, in order.
pub const LABELS: [&str; 8] = [
    "content:O",
    "content:B",
    "content:I",
    "role:O",
    "role:B-cue",
    "role:I-cue",
    "role:B-source",
    "role:I-source",
];

/// What a tagged span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpanKind {
    /// What was said.
    Content,
    /// The attribution verb or phrase.
    Cue,
    /// Who said it.
    Source,
}

impl SpanKind {
    /// Group index and the B label within it (I is B + 1).
    fn tag(self) -> (usize, usize) {
        match self {
            SpanKind::Content => (0, 1),
            SpanKind::Cue => (1, 1),
            SpanKind::Source => (1, 3),
        }
    }
}

/// A span: its kind and byte range.
pub type Tagged = (SpanKind, (usize, usize));

/// Training labels of one tokenised text: per token, its label in each group (`None` for
/// special tokens). A token belongs to a span when their byte ranges overlap; the span's first
/// such token is B. Spans are given as byte ranges in the same text as `offsets`; where two
/// spans of one group claim a token, a B wins over an I and, between roles, the later span.
pub fn encode(offsets: &[Option<(usize, usize)>], spans: &[Tagged]) -> Vec<Option<Vec<usize>>> {
    let mut labels: Vec<Option<Vec<usize>>> = offsets
        .iter()
        .map(|o| o.map(|_| vec![0; GROUPS.len()]))
        .collect();
    for &(kind, (start, end)) in spans {
        let (group, b) = kind.tag();
        let mut first = true;
        for (i, range) in offsets.iter().enumerate() {
            let Some((a, z)) = *range else { continue };
            if a >= end || z <= start || a == z {
                continue;
            }
            let label = &mut labels[i].as_mut().expect("a real token has labels")[group];
            let tag = if first { b } else { b + 1 };
            // Keep a B already there (the start of an adjacent content).
            if !(group == 0 && *label == 1) {
                *label = tag;
            }
            first = false;
        }
    }
    labels
}

/// The spans that `tags` (per token, the chosen label in each group; ignored for special
/// tokens) mark, as byte ranges: a B starts a span, an I continues the span of its kind
/// before it or starts one, anything else ends it.
pub fn decode(offsets: &[Option<(usize, usize)>], tags: &[Vec<usize>]) -> Vec<Tagged> {
    let mut out = Vec::new();
    for group in 0..GROUPS.len() {
        let mut open: Option<(SpanKind, usize, usize)> = None;
        for (range, tag) in offsets.iter().zip(tags) {
            let Some((a, z)) = *range else { continue };
            let label = tag[group];
            let kind = match (group, label) {
                (0, 1 | 2) => Some(SpanKind::Content),
                (1, 1 | 2) => Some(SpanKind::Cue),
                (1, 3 | 4) => Some(SpanKind::Source),
                _ => None,
            };
            let begins = label % 2 == 1;
            match (open, kind) {
                (Some((k, s, _)), Some(kind)) if k == kind && !begins => open = Some((k, s, z)),
                (_, Some(kind)) => {
                    out.extend(open.map(|(k, s, e)| (k, (s, e))));
                    open = Some((kind, a, z));
                }
                (_, None) => out.extend(open.take().map(|(k, s, e)| (k, (s, e)))),
            }
        }
        out.extend(open.map(|(k, s, e)| (k, (s, e))));
    }
    out.sort_by_key(|&(k, (s, e))| (s, e, k));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "“No,” he said": tokens “ No , ” he said, content over the marks and the word.
    #[test]
    fn encode_and_decode_round_trip_nested_roles() {
        let offsets = vec![
            None,
            Some((0, 3)),
            Some((3, 5)),
            Some((5, 6)),
            Some((6, 9)),
            Some((10, 12)),
            Some((13, 17)),
            None,
        ];
        let spans = vec![
            (SpanKind::Content, (0, 9)),
            (SpanKind::Source, (10, 12)),
            (SpanKind::Cue, (13, 17)),
        ];
        let labels = encode(&offsets, &spans);
        let got: Vec<Option<Vec<usize>>> = labels.clone();
        assert_eq!(
            got,
            vec![
                None,
                Some(vec![1, 0]),
                Some(vec![2, 0]),
                Some(vec![2, 0]),
                Some(vec![2, 0]),
                Some(vec![0, 3]),
                Some(vec![0, 1]),
                None
            ]
        );
        let tags: Vec<Vec<usize>> = labels
            .iter()
            .map(|l| l.clone().unwrap_or(vec![0, 0]))
            .collect();
        assert_eq!(decode(&offsets, &tags), spans);
        // A content holding a role keeps both; an I after O starts a span; B splits.
        let tags = vec![
            vec![0, 0],
            vec![2, 0],
            vec![2, 3],
            vec![1, 4],
            vec![2, 0],
            vec![0, 0],
            vec![0, 2],
            vec![0, 0],
        ];
        assert_eq!(
            decode(&offsets, &tags),
            vec![
                (SpanKind::Content, (0, 5)),
                (SpanKind::Source, (3, 6)),
                (SpanKind::Content, (5, 9)),
                (SpanKind::Cue, (13, 17)),
            ]
        );
    }
}
