//! `--copy-host-libs`: the shared libraries that the binary and the ONNX Runtime library load,
//! copied from this host with the symbolic links that lead to them (`/lib64` → `usr/lib64`,
//! `ld-linux-x86-64.so.2` → …), so that the dynamic loader finds them at the same paths in the
//! image. The list comes from `ldd`, run with an empty environment (no `LD_LIBRARY_PATH`).
//!
//! The result is reproducible only on the same host: it is whatever this host has installed.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use super::layer::{Entries, Entry};

/// The longest chain of symbolic links followed before giving up.
const MAX_LINKS: usize = 40;

/// Why the libraries cannot be collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostLibError {
    /// `ldd` could not be run.
    NoLdd(String),
    /// `ldd` reported a library this host does not have.
    NotFound { file: PathBuf, library: String },
    /// A library path cannot be read or resolved.
    Unreadable { path: PathBuf, reason: String },
}

/// The absolute paths of the libraries `file` needs, the dynamic loader included, as `ldd`
/// names them (sorted, no duplicates). A statically linked file needs none.
pub(crate) fn needed(file: &Path) -> Result<Vec<PathBuf>, HostLibError> {
    let ldd = ["/usr/bin/ldd", "/bin/ldd"]
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .unwrap_or(Path::new("ldd"));
    let output = Command::new(ldd)
        .arg(file)
        .env_clear()
        .output()
        .map_err(|e| HostLibError::NoLdd(e.to_string()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        if text.contains("not a dynamic executable")
            || err.contains("not a dynamic executable")
            || text.contains("statically linked")
        {
            return Ok(Vec::new());
        }
        return Err(HostLibError::NoLdd(format!(
            "`ldd {}` failed: {}",
            file.display(),
            err.trim()
        )));
    }
    parse_ldd(file, &text)
}

/// Reads `ldd` output: `name => /path (0x…)`, `/path (0x…)`, `name (0x…)` (the vDSO, no file)
/// and `name => not found`.
fn parse_ldd(file: &Path, text: &str) -> Result<Vec<PathBuf>, HostLibError> {
    let mut paths = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, target) = match line.split_once(" => ") {
            Some((name, target)) => (name.trim(), target.trim()),
            None => (line, line),
        };
        if target.starts_with("not found") {
            return Err(HostLibError::NotFound {
                file: file.to_path_buf(),
                library: name.to_owned(),
            });
        }
        let path = target.split(" (0x").next().unwrap_or(target).trim();
        if path.starts_with('/') {
            paths.push(PathBuf::from(path));
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Adds `path` as the image sees it: every directory on the way (mode 0755), every symbolic
/// link as a link with its host target, and the file at the end of the chain (mode 0755).
pub(crate) fn add_path(entries: &mut Entries, path: &Path) -> Result<(), HostLibError> {
    let unreadable = |reason: String| HostLibError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let mut rest: VecDeque<OsString> = components(path);
    let mut done = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = rest.pop_front() {
        if part == ".." {
            done.pop();
            continue;
        }
        let candidate = done.join(&part);
        let key = image_path(&candidate);
        let meta = std::fs::symlink_metadata(&candidate).map_err(|e| unreadable(e.to_string()))?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return Err(unreadable("too many levels of symbolic links".to_owned()));
            }
            let target = std::fs::read_link(&candidate).map_err(|e| unreadable(e.to_string()))?;
            entries.insert(key, Entry::symlink(target.to_string_lossy().into_owned()));
            if target.is_absolute() {
                done = PathBuf::from("/");
            }
            let mut next = components(&target);
            next.extend(rest);
            rest = next;
        } else if meta.is_dir() {
            entries.entry(key).or_insert_with(|| Entry::dir(0o755));
            done = candidate;
        } else if meta.is_file() && rest.is_empty() {
            let bytes = std::fs::read(&candidate).map_err(|e| unreadable(e.to_string()))?;
            entries.insert(key, Entry::file(bytes, 0o755));
            return Ok(());
        } else {
            return Err(unreadable("not a regular file".to_owned()));
        }
    }
    Err(unreadable("not a regular file".to_owned()))
}

fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

/// `/usr/lib/x` → `usr/lib/x`.
fn image_path(path: &Path) -> String {
    path.to_string_lossy().trim_start_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::layer::Kind;

    #[test]
    fn parses_ldd_output() {
        let text = "\tlinux-vdso.so.1 (0x00007ffd)\n\
            \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f)\n\
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n";
        let paths = parse_ldd(Path::new("bin"), text).unwrap();
        assert_eq!(
            paths,
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib/x86_64-linux-gnu/libm.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2"),
            ]
        );
        let missing = parse_ldd(Path::new("bin"), "\tlibfoo.so.1 => not found\n");
        assert!(
            matches!(missing, Err(HostLibError::NotFound { library, .. }) if library == "libfoo.so.1")
        );
    }

    #[test]
    fn symbolic_links_are_kept_as_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("usr/lib")).unwrap();
        std::fs::write(root.join("usr/lib/libx.so.1.2"), b"lib").unwrap();
        std::os::unix::fs::symlink("libx.so.1.2", root.join("usr/lib/libx.so.1")).unwrap();
        std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
        let mut entries = Entries::new();
        add_path(&mut entries, &root.join("lib/libx.so.1")).unwrap();
        let base = image_path(root);
        let get = |p: &str| entries.get(&format!("{base}/{p}")).map(|e| e.kind.clone());
        assert_eq!(get("lib"), Some(Kind::Symlink("usr/lib".to_owned())));
        assert_eq!(
            get("usr/lib/libx.so.1"),
            Some(Kind::Symlink("libx.so.1.2".to_owned()))
        );
        assert_eq!(
            get("usr/lib/libx.so.1.2"),
            Some(Kind::File(b"lib".to_vec()))
        );
        assert_eq!(get("usr"), Some(Kind::Dir));
        assert!(add_path(&mut entries, &root.join("usr")).is_err());
    }
}
