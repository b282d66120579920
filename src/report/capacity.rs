//! `mlc capacity`: per cluster and pool, what the project asks for at minimum and maximum
//! replicas and what the pool holds, from the capacity model of `validate/capacity.rs`.

use std::fmt::Write as _;

use crate::model::Project;
use crate::validate::{PoolCapacity, capacity_report};

/// The capacity report of a project, one row per pool resource.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// The project name.
    pub project: String,
    /// The rows, sorted by cluster, pool and resource.
    pub pools: Vec<PoolCapacity>,
}

impl Report {
    /// The report of `project`.
    pub fn of(project: &Project) -> Report {
        Report {
            project: project.name.value.clone(),
            pools: capacity_report(project),
        }
    }
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn free(row: &PoolCapacity) -> String {
    row.free_at_max()
        .map_or_else(|| "?".to_owned(), |n| n.to_string())
}

/// The report as a table, with each pool's users below it.
pub fn text(report: &Report) -> String {
    if report.pools.is_empty() {
        return format!("project `{}` declares no GPU pools\n", report.project);
    }
    let header = [
        "cluster",
        "pool",
        "gpu",
        "resource",
        "capacity",
        "at min",
        "at max",
        "free at max",
    ];
    let rows: Vec<[String; 8]> = report
        .pools
        .iter()
        .map(|r| {
            [
                r.cluster.clone(),
                r.pool.clone(),
                r.gpu.clone(),
                r.resource.clone(),
                opt(r.capacity),
                r.at_min.to_string(),
                r.at_max.to_string(),
                free(r),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            if i >= 4 {
                let _ = write!(out, "{cell:>w$}");
            } else {
                let _ = write!(out, "{cell:<w$}");
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(&header.map(str::to_owned)));
    for (row, r) in rows.iter().zip(&report.pools) {
        let _ = writeln!(out, "{}", line(row));
        for u in &r.users {
            let _ = writeln!(
                out,
                "    {}/{}: {} at min, {} at max",
                u.env, u.model, u.at_min, u.at_max
            );
        }
    }
    let over: Vec<&PoolCapacity> = report
        .pools
        .iter()
        .filter(|r| r.free_at_max().is_some_and(|f| f < 0))
        .collect();
    for r in over {
        let _ = writeln!(
            out,
            "over at max: pool `{}` ({}) needs {} {} and holds {}",
            r.pool,
            r.resource,
            r.at_max,
            r.resource,
            opt(r.capacity)
        );
    }
    out
}

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "version": 1,
        "project": report.project,
        "pools": report.pools.iter().map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            if let Some(map) = v.as_object_mut() {
                map.insert("free_at_max".to_owned(), r.free_at_max().into());
            }
            v
        }).collect::<Vec<_>>(),
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

/// The report as a self-contained HTML page (inline CSS and SVG; no scripts, fonts or links).
pub fn html(report: &Report) -> String {
    super::html::capacity_page(report)
}
