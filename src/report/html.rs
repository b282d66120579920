//! The HTML capacity page: a table and an SVG chart with one bar per pool resource (used at
//! min, used up to max, free), each segment labelled in text and patterned as well as
//! coloured, so the chart reads without colour. Every number is also a `data-` attribute,
//! which the browser test compares with the table.

use std::fmt::Write as _;

use super::capacity::Report;

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.over td{background:#fde2e2}
.legend span{display:inline-block;margin-right:1.5rem}
svg text{font-size:12px;fill:#111}";

const BAR_WIDTH: f64 = 600.0;
const ROW_HEIGHT: u64 = 44;
const LABEL_WIDTH: f64 = 260.0;

/// The page.
pub(super) fn capacity_page(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("Capacity of project {}", report.project);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    if report.pools.is_empty() {
        out.push_str("<p>The project declares no GPU pools.</p>\n</body>\n</html>\n");
        return out;
    }
    out.push_str("<p>Per cluster and pool: what the project's models ask for at their minimum and maximum replicas, and what the pool holds.</p>\n");
    table(&mut out, report);
    chart(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

fn table(out: &mut String, report: &Report) {
    out.push_str("<table id=\"capacity\">\n<thead><tr><th>cluster</th><th>pool</th><th>GPU</th><th>resource</th><th>capacity</th><th>at min</th><th>at max</th><th>free at max</th><th>models</th></tr></thead>\n<tbody>\n");
    for r in &report.pools {
        let over = r.free_at_max().is_some_and(|f| f < 0);
        let users: Vec<String> = r
            .users
            .iter()
            .map(|u| format!("{}/{} ({}–{})", u.env, u.model, u.at_min, u.at_max))
            .collect();
        let _ = writeln!(
            out,
            "<tr{} data-key=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n capacity\">{}</td><td class=\"n at-min\">{}</td><td class=\"n at-max\">{}</td><td class=\"n free\">{}</td><td>{}</td></tr>",
            if over { " class=\"over\"" } else { "" },
            esc(&key(r)),
            esc(&r.cluster),
            esc(&r.pool),
            esc(&r.gpu),
            esc(&r.resource),
            r.capacity.map_or_else(|| "?".to_owned(), |c| c.to_string()),
            r.at_min,
            r.at_max,
            r.free_at_max()
                .map_or_else(|| "?".to_owned(), |f| f.to_string()),
            esc(&users.join(", "))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn key(r: &crate::validate::PoolCapacity) -> String {
    format!("{}/{}/{}", r.cluster, r.pool, r.resource)
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn chart(out: &mut String, report: &Report) {
    let rows = report.pools.len() as u64;
    let height = rows * ROW_HEIGHT + 20;
    let width = LABEL_WIDTH + BAR_WIDTH + 20.0;
    let _ = writeln!(
        out,
        "<h2>Chart</h2>\n<p class=\"legend\"><span>▇ solid dark: used at min</span><span>▨ hatched: added at max</span><span>□ white: free at max</span><span>red outline: over capacity</span></p>\n<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"capacity per pool\">\n<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#9ecae1\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#08519c\" stroke-width=\"2\"/></pattern></defs>"
    );
    for (i, r) in report.pools.iter().enumerate() {
        let y = i as u64 * ROW_HEIGHT + 10;
        let capacity = r.capacity.unwrap_or(0);
        let scale_to = capacity.max(r.at_max).max(1) as f64;
        let w = |n: u64| n as f64 / scale_to * BAR_WIDTH;
        let min_w = w(r.at_min.min(r.at_max));
        let max_w = w(r.at_max) - min_w;
        let free_w = w(capacity.saturating_sub(r.at_max));
        let over = r.free_at_max().is_some_and(|f| f < 0);
        let free_text = r
            .free_at_max()
            .map_or_else(|| "?".to_owned(), |f| f.to_string());
        let _ = writeln!(
            out,
            "<g class=\"bar\" data-key=\"{}\" data-capacity=\"{}\" data-at-min=\"{}\" data-at-max=\"{}\" data-free=\"{}\">\n<text x=\"0\" y=\"{}\">{} / {}</text>\n<text x=\"0\" y=\"{}\">{}</text>\n<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{min_w:.1}\" height=\"24\" fill=\"#08519c\"/>\n<rect x=\"{:.1}\" y=\"{y}\" width=\"{max_w:.1}\" height=\"24\" fill=\"url(#hatch)\"/>\n<rect x=\"{:.1}\" y=\"{y}\" width=\"{free_w:.1}\" height=\"24\" fill=\"#ffffff\" stroke=\"#555\"/>\n<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{:.1}\" height=\"24\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>\n<text class=\"figures\" x=\"{LABEL_WIDTH}\" y=\"{}\">min {} · max {} · free {} of {}</text>\n</g>",
            esc(&key(r)),
            r.capacity.map_or_else(|| "?".to_owned(), |c| c.to_string()),
            r.at_min,
            r.at_max,
            free_text,
            y + 12,
            esc(&r.cluster),
            esc(&r.pool),
            y + 26,
            esc(&r.resource),
            LABEL_WIDTH + min_w,
            LABEL_WIDTH + min_w + max_w,
            w(capacity.max(r.at_max)),
            if over { "#c00" } else { "#555" },
            if over { 3 } else { 1 },
            y + 38,
            r.at_min,
            r.at_max,
            free_text,
            r.capacity.map_or_else(|| "?".to_owned(), |c| c.to_string()),
        );
    }
    out.push_str("</svg>\n");
}
