//! Writing the tree atomically, and comparing it with what is on disk (`--check`).

use std::io;
use std::path::{Path, PathBuf};

use super::tree::Tree;

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "manifests".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Replaces `out` with `tree`: the tree is written to a temporary directory beside `out`,
/// which then takes its place by rename. On any error `out` is left as it was.
pub fn write_tree(out: &Path, tree: &Tree) -> io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let staging = sibling(out, "new");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = (|| {
        use rayon::prelude::*;
        std::fs::create_dir_all(&staging)?;
        let mut dirs: Vec<PathBuf> = tree
            .files
            .keys()
            .filter_map(|p| staging.join(p).parent().map(Path::to_path_buf))
            .collect();
        dirs.dedup();
        for dir in &dirs {
            std::fs::create_dir_all(dir)?;
        }
        // A file identical to the one in the current tree is hard-linked into the new tree
        // rather than written again: a no-op build moves no data, and removing the old tree
        // then frees only the blocks of files that changed.
        tree.files.par_iter().try_for_each(|(path, bytes)| {
            let target = staging.join(path);
            let old = out.join(path);
            let same = std::fs::metadata(&old)
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&old).is_ok_and(|b| b == *bytes);
            if same && std::fs::hard_link(&old, &target).is_ok() {
                return Ok(());
            }
            std::fs::write(&target, bytes)
        })?;
        if out.exists() {
            let old = sibling(out, "old");
            if old.exists() {
                std::fs::remove_dir_all(&old)?;
            }
            std::fs::rename(out, &old)?;
            if let Err(e) = std::fs::rename(&staging, out) {
                let _ = std::fs::rename(&old, out);
                return Err(e);
            }
            std::fs::remove_dir_all(&old)
        } else {
            std::fs::rename(&staging, out)
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Reads every file below `dir` (relative paths with `/`), sorted; empty when `dir` is missing.
pub fn read_tree(dir: &Path) -> io::Result<Tree> {
    let mut tree = Tree::default();
    if !dir.exists() {
        return Ok(tree);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(io::Error::other)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            tree.files.insert(rel, std::fs::read(entry.path())?);
        }
    }
    Ok(tree)
}

/// Unified diffs of every file that differs between `on_disk` and `built` (missing, extra or
/// changed), labelled with `prefix`.
pub fn diff(on_disk: &Tree, built: &Tree, prefix: &str) -> Vec<String> {
    let mut paths: Vec<&String> = on_disk.files.keys().chain(built.files.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        let old = on_disk.files.get(path);
        let new = built.files.get(path);
        if old == new {
            continue;
        }
        let old_text = old
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let new_text = new
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let a = if old.is_some() {
            format!("a/{prefix}/{path}")
        } else {
            "/dev/null".to_owned()
        };
        let b = if new.is_some() {
            format!("b/{prefix}/{path}")
        } else {
            "/dev/null".to_owned()
        };
        let text = similar::TextDiff::from_lines(&old_text, &new_text)
            .unified_diff()
            .context_radius(3)
            .header(&a, &b)
            .to_string();
        out.push(text);
    }
    out
}
