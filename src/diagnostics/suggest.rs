//! "Did you mean" suggestions.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score =
            strsim::jaro_winkler(&word.to_ascii_lowercase(), &candidate.to_ascii_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// A help line "did you mean `x`?" when a close candidate exists.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("h10", ["h100", "t4"]), Some("h100"));
        assert_eq!(closest("zzz", ["h100", "t4"]), None);
        assert_eq!(
            closest("1g.5gb", ["1g.10gb", "7g.80gb", "1g.20gb"]),
            Some("1g.10gb")
        );
    }
}
