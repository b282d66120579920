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

/// Makes `out` hold exactly `tree`. On any error `out` is left as it was.
///
/// A new tree is written to a temporary directory beside `out`, which then takes its place
/// by rename. An existing tree is updated in place: files are compared first, and a no-op
/// build writes nothing at all; otherwise every changed file is written beside its target
/// first (a failure removes those and stops, leaving the old tree), then each takes its
/// target's place by rename (`mlc.lock` last), and files the tree no longer has are removed.
pub fn write_tree(out: &Path, tree: &Tree) -> io::Result<()> {
    if out.is_dir() {
        update_tree(out, tree)
    } else {
        write_new_tree(out, tree)
    }
}

/// Writes `tree` as a new directory `out`, atomically.
fn write_new_tree(out: &Path, tree: &Tree) -> io::Result<()> {
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
        tree.files
            .par_iter()
            .try_for_each(|(path, bytes)| std::fs::write(staging.join(path), bytes))?;
        std::fs::rename(&staging, out)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Whether the file at `path` holds exactly `bytes`.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == bytes)
}

/// Updates the existing tree `out` to `tree`, touching only what differs.
fn update_tree(out: &Path, tree: &Tree) -> io::Result<()> {
    use rayon::prelude::*;
    let on_disk = list_files(out)?;
    let changed: Vec<(&String, &Vec<u8>)> = tree
        .files
        .par_iter()
        .filter(|(path, bytes)| !holds(&out.join(path), bytes))
        .collect();
    let stale: Vec<&String> = on_disk
        .iter()
        .filter(|p| !tree.files.contains_key(*p))
        .collect();
    if changed.is_empty() && stale.is_empty() {
        return Ok(());
    }
    // Stage every changed file beside its target; on failure, undo the staging.
    let tag = format!(".mlc-new-{}", std::process::id());
    let mut created: Vec<PathBuf> = Vec::new();
    let staged: Vec<(PathBuf, PathBuf)> = changed
        .iter()
        .map(|(path, _)| {
            let target = out.join(path);
            let name = target
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            (target.with_file_name(format!(".{name}{tag}")), target)
        })
        .collect();
    let result = (|| {
        for (_, target) in &staged {
            let Some(dir) = target.parent() else {
                continue;
            };
            let mut missing = Vec::new();
            let mut at = dir;
            while !at.exists() && at != out {
                missing.push(at.to_path_buf());
                match at.parent() {
                    Some(parent) => at = parent,
                    None => break,
                }
            }
            for dir in missing.into_iter().rev() {
                std::fs::create_dir(&dir)?;
                created.push(dir);
            }
        }
        staged
            .par_iter()
            .zip(changed.par_iter())
            .try_for_each(|((temp, _), (_, bytes))| std::fs::write(temp, bytes))
    })();
    if let Err(e) = result {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        for dir in created.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(e);
    }
    // Commit: each staged file takes its target's place, the lock file last.
    let (lock, files): (Vec<_>, Vec<_>) = staged
        .iter()
        .partition(|(_, target)| target == &out.join("mlc.lock"));
    for (temp, target) in files.into_iter().chain(lock) {
        std::fs::rename(temp, target)?;
    }
    for path in stale {
        let file = out.join(path);
        std::fs::remove_file(&file)?;
        let mut dir = file.parent();
        while let Some(d) = dir.filter(|d| *d != out) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Every file below `dir`, as relative paths with `/`.
fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_dir() {
            files.push(relative(dir, entry.path())?);
        }
    }
    Ok(files)
}

fn relative(dir: &Path, path: &Path) -> io::Result<String> {
    Ok(path
        .strip_prefix(dir)
        .map_err(io::Error::other)?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
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
            tree.files
                .insert(relative(dir, entry.path())?, std::fs::read(entry.path())?);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        Tree {
            files: files
                .iter()
                .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
                .collect(),
        }
    }

    fn modified(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
        let mut out: Vec<_> = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap().modified().unwrap();
                (e.path().display().to_string(), m)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_no_op_update_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("manifests");
        let t = tree(&[("envs/p/m/a.yaml", "a: 1\n"), ("mlc.lock", "l\n")]);
        write_tree(&out, &t).unwrap();
        let before = modified(&out);
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_tree(&out, &t).unwrap();
        assert_eq!(before, modified(&out), "a no-op build touched the tree");
        assert_eq!(read_tree(&out).unwrap(), t);
    }

    #[test]
    fn an_update_changes_adds_and_removes_files_and_empty_directories() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("manifests");
        let old = tree(&[
            ("envs/p/gone/a.yaml", "a: 1\n"),
            ("envs/p/kept/a.yaml", "a: 1\n"),
            ("mlc.lock", "l1\n"),
        ]);
        write_tree(&out, &old).unwrap();
        std::fs::write(out.join("stray.yaml"), "x: 1\n").unwrap();
        let new = tree(&[
            ("envs/p/kept/a.yaml", "a: 2\n"),
            ("envs/p/new/deep/b.yaml", "b: 1\n"),
            ("mlc.lock", "l2\n"),
        ]);
        write_tree(&out, &new).unwrap();
        assert_eq!(read_tree(&out).unwrap(), new);
        assert!(
            !out.join("envs/p/gone").exists(),
            "an emptied directory stays"
        );
        let names: Vec<String> = list_files(&out).unwrap();
        assert!(names.iter().all(|n| !n.contains(".mlc-new-")), "{names:?}");
    }

    #[test]
    fn a_failed_update_leaves_the_old_tree() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("manifests");
        let old = tree(&[("envs/p/m/a.yaml", "a: 1\n"), ("mlc.lock", "l1\n")]);
        write_tree(&out, &old).unwrap();
        // A file where the new tree needs a directory: staging fails half-way.
        std::fs::write(out.join("envs/p/blocked"), "not a directory\n").unwrap();
        let expected = read_tree(&out).unwrap();
        let new = tree(&[
            ("envs/p/a-first/x.yaml", "x: 1\n"),
            ("envs/p/m/a.yaml", "a: 2\n"),
            ("envs/p/blocked/b.yaml", "b: 1\n"),
            ("mlc.lock", "l2\n"),
        ]);
        assert!(write_tree(&out, &new).is_err());
        assert_eq!(read_tree(&out).unwrap(), expected, "the old tree changed");
        assert!(
            !out.join("envs/p/a-first").exists(),
            "a created directory stays"
        );
    }

    #[test]
    fn a_new_tree_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("sub/manifests");
        let t = tree(&[("clusters/c/n.yaml", "n: 1\n"), ("mlc.lock", "l\n")]);
        write_tree(&out, &t).unwrap();
        assert_eq!(read_tree(&out).unwrap(), t);
    }
}
