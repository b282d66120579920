//! The diff as text, JSON and Markdown (for a pull-request comment).

use std::fmt::Write as _;

use serde_json::Value;

use super::{CapacityDelta, Delta, Diff, FieldChange};

/// Longest value shown inline; longer ones are cut with their size.
const MAX_VALUE: usize = 72;

fn value(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(none)".to_owned();
    };
    let text = match v {
        Value::String(s) if !s.contains('\n') => Value::from(s.as_str()).to_string(),
        Value::String(s) => format!("({} lines, {} bytes)", s.lines().count(), s.len()),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_VALUE {
        let cut: String = text.chars().take(MAX_VALUE - 1).collect();
        format!("{cut}… ({} bytes)", text.len())
    } else {
        text
    }
}

fn change(f: &FieldChange) -> String {
    match (&f.old, &f.new) {
        (None, new) => format!("{}: added {}", f.field, value(new.as_ref())),
        (old, None) => format!("{}: removed (was {})", f.field, value(old.as_ref())),
        (old, new) => format!(
            "{}: {} → {}",
            f.field,
            value(old.as_ref()),
            value(new.as_ref())
        ),
    }
}

/// Most changed lines shown for a multi-line text value.
const MAX_LINES: usize = 12;

/// The changed lines of a multi-line string value, as `-`/`+` lines.
fn text_lines(f: &FieldChange) -> Vec<String> {
    let (Some(Value::String(old)), Some(Value::String(new))) = (&f.old, &f.new) else {
        return Vec::new();
    };
    if !old.contains('\n') && !new.contains('\n') {
        return Vec::new();
    }
    let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
    let mut lines: Vec<String> = diff
        .iter_all_changes()
        .filter_map(|c| {
            let sign = match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => return None,
            };
            let text: String = c.value().trim_end().chars().take(MAX_VALUE).collect();
            Some(format!("{sign} {text}"))
        })
        .collect();
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES;
        lines.truncate(MAX_LINES);
        lines.push(format!("… {more} more changed lines"));
    }
    lines
}

fn num(n: Option<u64>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

fn delta(d: Delta) -> String {
    if d.before == d.after {
        num(d.after)
    } else {
        format!("{} → {}", num(d.before), num(d.after))
    }
}

fn money(pair: Option<(f64, f64)>) -> String {
    match pair {
        None => String::new(),
        Some((a, b)) if (a - b).abs() < 0.005 => format!("{b:.2}/h"),
        Some((a, b)) => {
            let pct = if a > 0.0 {
                format!(" ({:+.1} %)", (b - a) / a * 100.0)
            } else {
                String::new()
            };
            format!("{a:.2}/h → {b:.2}/h{pct}")
        }
    }
}

fn free(c: &CapacityDelta) -> String {
    c.free_after
        .map_or_else(|| "?".to_owned(), |f| f.to_string())
}

fn summary(d: &Diff) -> String {
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for s in &d.scopes {
        added += s.added.len();
        removed += s.removed.len();
        changed += s.changed.len();
    }
    if added + removed + changed == 0 {
        "no object changes".to_owned()
    } else {
        format!("{added} added, {removed} removed, {changed} changed")
    }
}

/// The diff as text.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    if d.base_from_manifests {
        out.push_str("BASE did not compile: compared with its committed manifests/\n");
    }
    let _ = writeln!(out, "objects: {}", summary(d));
    for s in &d.scopes {
        let _ = writeln!(out, "\n{}:", s.scope);
        for o in &s.added {
            let _ = writeln!(out, "  + {} {} ({})", o.kind, o.name, o.path);
        }
        for o in &s.removed {
            let _ = writeln!(out, "  - {} {} ({})", o.kind, o.name, o.path);
        }
        for c in &s.changed {
            let _ = writeln!(
                out,
                "  ~ {} {} ({})",
                c.object.kind, c.object.name, c.object.path
            );
            for f in &c.fields {
                let _ = writeln!(out, "      {}", change(f));
                for line in text_lines(f) {
                    let _ = writeln!(out, "          {line}");
                }
            }
        }
    }
    out.push('\n');
    match &d.capacity {
        None => out.push_str("capacity: unknown (BASE did not compile)\n"),
        Some(rows) if rows.is_empty() => out.push_str("capacity: no change\n"),
        Some(rows) => {
            out.push_str("capacity:\n");
            for r in rows {
                let _ = writeln!(
                    out,
                    "  {}/{} {}: capacity {}, at min {}, at max {}, free at max {}",
                    r.cluster,
                    r.pool,
                    r.resource,
                    delta(r.capacity),
                    delta(r.at_min),
                    delta(r.at_max),
                    free(r)
                );
                if r.cost_at_max.is_some() {
                    let _ = writeln!(
                        out,
                        "      cost at min {}, at max {}",
                        money(r.cost_at_min),
                        money(r.cost_at_max)
                    );
                }
            }
        }
    }
    if let Some(c) = d.cost {
        let _ = writeln!(
            out,
            "cost per hour of the priced pools: at min {}, at max {}",
            money(Some(c.at_min)),
            money(Some(c.at_max))
        );
    }
    out
}

/// The diff as one JSON document.
pub fn json(d: &Diff) -> String {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("version".to_owned(), 1.into());
    }
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The diff as Markdown, ready to post as a pull-request comment: the capacity table
/// first, then each scope's objects in a collapsed block.
pub fn markdown(d: &Diff) -> String {
    let mut out = String::from("### mlc diff\n\n");
    if d.base_from_manifests {
        out.push_str("> BASE did not compile: compared with its committed `manifests/`.\n\n");
    }
    let _ = writeln!(out, "**Objects:** {}\n", summary(d));
    match &d.capacity {
        None => out.push_str("**Capacity:** unknown (BASE did not compile)\n\n"),
        Some(rows) if rows.is_empty() => out.push_str("**Capacity:** no change\n\n"),
        Some(rows) => {
            let priced = rows.iter().any(|r| r.cost_at_max.is_some());
            out.push_str("**Capacity**\n\n| cluster | pool | resource | capacity | at min | at max | free at max |");
            out.push_str(if priced { " cost at max |\n" } else { "\n" });
            out.push_str("|---|---|---|---:|---:|---:|---:|");
            out.push_str(if priced { "---:|\n" } else { "\n" });
            for r in rows {
                let _ = write!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md_escape(&r.cluster),
                    md_escape(&r.pool),
                    md_escape(&r.resource),
                    delta(r.capacity),
                    delta(r.at_min),
                    delta(r.at_max),
                    free(r)
                );
                if priced {
                    let _ = write!(out, " {} |", money(r.cost_at_max));
                }
                out.push('\n');
            }
            out.push('\n');
        }
    }
    if let Some(c) = d.cost {
        let _ = writeln!(
            out,
            "**Cost per hour** of the priced pools: at min {}, at max {}.\n",
            money(Some(c.at_min)),
            money(Some(c.at_max))
        );
    }
    for s in &d.scopes {
        let _ = writeln!(
            out,
            "<details><summary>{} ({} added, {} removed, {} changed)</summary>\n",
            s.scope,
            s.added.len(),
            s.removed.len(),
            s.changed.len()
        );
        for o in &s.added {
            let _ = writeln!(out, "- ➕ added `{}` `{}`", o.kind, o.name);
        }
        for o in &s.removed {
            let _ = writeln!(out, "- ➖ removed `{}` `{}`", o.kind, o.name);
        }
        for c in &s.changed {
            let _ = writeln!(out, "- ✏️ changed `{}` `{}`", c.object.kind, c.object.name);
            for f in &c.fields {
                let _ = writeln!(out, "  - `{}`", change(f).replace('`', "'"));
            }
        }
        out.push_str("\n</details>\n\n");
    }
    out
}
