//! The OCI architecture of an ELF file, read from its header, so that the image config names
//! the platform of the binary it holds rather than the host's.

/// The OCI `architecture` of an ELF executable or library, or `None` when `head` (the file's
/// first bytes) is not an ELF header of a known machine.
pub(crate) fn architecture(head: &[u8]) -> Option<&'static str> {
    if head.get(..4)? != b"\x7fELF" {
        return None;
    }
    let class64 = *head.get(4)? == 2;
    let little = *head.get(5)? == 1;
    let raw = [*head.get(18)?, *head.get(19)?];
    let machine = if little {
        u16::from_le_bytes(raw)
    } else {
        u16::from_be_bytes(raw)
    };
    match (machine, class64, little) {
        (62, true, true) => Some("amd64"),
        (183, true, true) => Some("arm64"),
        (3, false, true) => Some("386"),
        (40, false, true) => Some("arm"),
        (21, true, true) => Some("ppc64le"),
        (22, true, false) => Some("s390x"),
        (243, true, true) => Some("riscv64"),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) fn header(machine: u16) -> Vec<u8> {
    let mut h = vec![0_u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[6] = 1;
    h[16] = 3; // ET_DYN
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_machine_of_64_bit_little_endian_files() {
        assert_eq!(architecture(&header(62)), Some("amd64"));
        assert_eq!(architecture(&header(183)), Some("arm64"));
        assert_eq!(architecture(&header(9999)), None);
        assert_eq!(architecture(b"#!/bin/sh\n"), None);
        assert_eq!(architecture(b"\x7fELF"), None);
    }
}
