//! Reproducible layers: a tar stream of sorted entries with fixed times and owners, compressed
//! with gzip at a fixed level with a fixed header (no time, no name, OS byte "unknown").
//!
//! The same entries give the same bytes, hence the same `diff_id` and digest, as long as the
//! compressor (`flate2` with its pure-Rust backend) is the same version.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use flate2::{Compression, GzBuilder};
use sha2::{Digest as _, Sha256};

/// The compression level of every layer mlc writes.
const LEVEL: u32 = 6;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A directory.
    Dir,
    /// A regular file with its bytes.
    File(Vec<u8>),
    /// A symbolic link to this target (as written on the host: relative or absolute).
    Symlink(String),
}

/// One entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// What it is.
    pub kind: Kind,
    /// Permission bits (with sticky bit where needed).
    pub mode: u32,
    /// Owner and group.
    pub owner: u64,
}

impl Entry {
    /// A directory owned by root.
    pub(crate) fn dir(mode: u32) -> Self {
        Entry {
            kind: Kind::Dir,
            mode,
            owner: 0,
        }
    }

    /// A file owned by root.
    pub(crate) fn file(bytes: Vec<u8>, mode: u32) -> Self {
        Entry {
            kind: Kind::File(bytes),
            mode,
            owner: 0,
        }
    }

    /// A symbolic link owned by root.
    pub(crate) fn symlink(target: String) -> Self {
        Entry {
            kind: Kind::Symlink(target),
            mode: 0o777,
            owner: 0,
        }
    }
}

/// The entries of a layer by path inside the image, relative (`usr/local/bin/mlc-serve`):
/// a `BTreeMap`, so they are written sorted and parents come before their children.
pub(crate) type Entries = BTreeMap<String, Entry>;

/// Adds `path` and its parent directories (mode 0755, owned by root) unless present.
pub(crate) fn insert_with_parents(entries: &mut Entries, path: &str, entry: Entry) {
    let mut prefix = String::new();
    let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
    while let Some(part) = parts.next() {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if parts.peek().is_some() {
            entries
                .entry(prefix.clone())
                .or_insert_with(|| Entry::dir(0o755));
        }
    }
    entries.insert(prefix, entry);
}

/// A compressed layer blob and its two digests.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    /// The gzip bytes (the blob).
    pub blob: Vec<u8>,
    /// `sha256:` of the blob.
    pub digest: String,
    /// `sha256:` of the uncompressed tar stream (the config's `diff_id`).
    pub diff_id: String,
}

/// Writes `entries` as a tar stream and compresses it.
pub(crate) fn build(entries: &Entries) -> io::Result<Layer> {
    let mut tar_stream = HashingWriter::new(gzip_writer(Vec::new()));
    {
        let mut builder = tar::Builder::new(&mut tar_stream);
        for (path, entry) in entries {
            append(&mut builder, path, entry)?;
        }
        builder.finish()?;
    }
    let (diff_id, encoder) = tar_stream.finish();
    let blob = encoder.finish()?;
    Ok(Layer {
        digest: sha256_digest(&blob),
        diff_id,
        blob,
    })
}

/// Uses a tarball given by path as a layer: a gzip one as it is, a plain one compressed.
pub(crate) fn from_tarball(bytes: Vec<u8>) -> io::Result<Layer> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut hashing = HashingWriter::new(io::sink());
        io::copy(
            &mut flate2::read::GzDecoder::new(bytes.as_slice()),
            &mut hashing,
        )?;
        let (diff_id, _) = hashing.finish();
        Ok(Layer {
            digest: sha256_digest(&bytes),
            diff_id,
            blob: bytes,
        })
    } else {
        let diff_id = sha256_digest(&bytes);
        let mut encoder = gzip_writer(Vec::new());
        encoder.write_all(&bytes)?;
        let blob = encoder.finish()?;
        Ok(Layer {
            digest: sha256_digest(&blob),
            diff_id,
            blob,
        })
    }
}

/// The paths of the regular files and links in a tarball (plain or gzip), or an error when it
/// is not one.
pub(crate) fn tarball_paths(bytes: &[u8]) -> io::Result<Vec<String>> {
    let reader: Box<dyn Read + '_> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut archive = tar::Archive::new(reader);
    let mut paths = Vec::new();
    for entry in archive.entries()? {
        let entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        paths.push(
            path.trim_start_matches("./")
                .trim_start_matches('/')
                .to_owned(),
        );
    }
    Ok(paths)
}

fn gzip_writer<W: Write>(inner: W) -> flate2::write::GzEncoder<W> {
    GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(inner, Compression::new(LEVEL))
}

fn append<W: Write>(builder: &mut tar::Builder<W>, path: &str, entry: &Entry) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_mtime(0);
    header.set_uid(entry.owner);
    header.set_gid(entry.owner);
    header.set_mode(entry.mode);
    match &entry.kind {
        Kind::Dir => {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder.append_data(&mut header, format!("{path}/"), io::empty())
        }
        Kind::File(bytes) => {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(bytes.len() as u64);
            builder.append_data(&mut header, path, bytes.as_slice())
        }
        Kind::Symlink(target) => {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder.append_link(&mut header, path, target)
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    hex_digest(&Sha256::digest(bytes))
}

fn hex_digest(hash: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hash {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Passes bytes on while hashing them.
struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
        }
    }

    fn finish(self) -> (String, W) {
        (hex_digest(&self.hash.finalize()), self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entries {
        let mut e = Entries::new();
        insert_with_parents(
            &mut e,
            "usr/local/bin/tool",
            Entry::file(b"x".to_vec(), 0o755),
        );
        insert_with_parents(&mut e, "tmp", Entry::dir(0o1777));
        insert_with_parents(&mut e, "lib", Entry::symlink("usr/lib".to_owned()));
        e
    }

    #[test]
    fn parents_are_added_and_entries_sorted() {
        let e = sample();
        let paths: Vec<_> = e.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "lib",
                "tmp",
                "usr",
                "usr/local",
                "usr/local/bin",
                "usr/local/bin/tool"
            ]
        );
    }

    #[test]
    fn same_entries_give_the_same_bytes() {
        let a = build(&sample()).unwrap();
        let b = build(&sample()).unwrap();
        assert_eq!(a.blob, b.blob);
        assert_eq!(a.digest, sha256_digest(&a.blob));
        // gzip header: no mtime, OS byte 255.
        assert_eq!(&a.blob[4..8], &[0, 0, 0, 0]);
        assert_eq!(a.blob[9], 255);
        let paths = tarball_paths(&a.blob).unwrap();
        assert_eq!(paths.len(), 6);
        let again = from_tarball(a.blob.clone()).unwrap();
        assert_eq!(again.diff_id, a.diff_id);
        assert_eq!(again.digest, a.digest);
    }

    #[test]
    fn tar_headers_have_fixed_times_and_owners() {
        let layer = build(&sample()).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(layer.blob.as_slice()));
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let h = entry.header();
            assert_eq!(h.mtime().unwrap(), 0);
            assert_eq!(h.uid().unwrap(), 0);
            assert_eq!(h.gid().unwrap(), 0);
        }
    }
}
