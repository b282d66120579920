//! No diagnostic output (human, JSON, SARIF) contains a secret value from its input: inputs
//! under `tests/fixtures/secrets/` put credentials (a URL's password, `*_PASSWORD` and
//! `AWS_SECRET_ACCESS_KEY` literals, an AWS access key id, an API token) on lines that also
//! carry an error, so the human report's source excerpt shows those lines.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

const SECRETS: &[&str] = &[
    "hunter2-Sup3r",
    "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    "pr0m-p4ss",
    "AKIAIOSFODNN7EXAMPLE",
    "tok-9f8e7d6c5b4a",
];

fn run(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(support::repo().join("tests/fixtures/secrets"))
        .output()
        .expect("run mlc");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn no_output_format_prints_a_secret_from_the_input() {
    for command in [["check", "kdl"], ["validate", "yaml"]] {
        for format in ["human", "json", "sarif"] {
            let (status, text) = run(&["--format", format, command[0], command[1]]);
            assert_eq!(status, 1, "{command:?} {format}: {text}");
            for secret in SECRETS {
                assert!(
                    !text.contains(secret),
                    "{command:?} --format {format} prints `{secret}`:\n{text}"
                );
            }
            if format == "human" {
                // The excerpt is shown, with the value masked in place.
                assert!(text.contains("*************"), "{text}");
            }
        }
    }
}

#[test]
fn secret_references_stay_readable() {
    let (_, text) = run(&["check", "kdl"]);
    assert!(text.contains("DB_PASSWORD"), "{text}");
    assert!(text.contains("http://admin:"), "{text}");
}

/// The golden cases of credentials written inline (`E0217`): refused, and no output format
/// prints the value it refuses.
#[test]
fn inline_credentials_are_refused_without_printing_them() {
    let cases = [
        ("E0217-password-in-artifact-url", "hunter2"),
        (
            "E0217-aws-secret-in-env",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
        ),
        ("E0217-password-in-prometheus-url", "s3cr3t-pw"),
    ];
    for (case, secret) in cases {
        let input = support::repo()
            .join("golden/errors")
            .join(case)
            .join("input");
        for format in ["human", "json", "sarif"] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
                .args(["--format", format, "check"])
                .arg(&input)
                .output()
                .expect("run mlc");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(1), "{case} {format}: {text}");
            assert!(text.contains("E0217"), "{case} {format}: {text}");
            assert!(
                !text.contains(secret),
                "{case} --format {format} prints `{secret}`:\n{text}"
            );
        }
    }
}
