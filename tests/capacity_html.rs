//! The `mlc capacity --html` page in a real browser: headless Chromium (Debian `chromium`,
//! installed by `.ci/setup.d/60-chromium.sh`) loads it, takes a screenshot and dumps the DOM
//! after load; the page logs nothing to the console, and each bar of the SVG chart carries
//! the same numbers as its table row and as `mlc capacity --format json`. Each browser run
//! is killed at one shared deadline, so the whole test stays under a minute.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the browser on `page` with `args`, killed at `deadline`; returns (stdout, stderr).
fn browse(
    browser: &str,
    page: &Path,
    profile: &Path,
    args: &[String],
    deadline: Instant,
) -> (String, String) {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,900",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(format!("file://{}", page.display()))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if is_root() {
        cmd.arg("--no-sandbox");
    }
    let mut child = cmd.spawn().expect("start chromium");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish before the test's 55 s deadline");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mlc(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .output()
        .expect("run mlc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (capacity, at min, at max, free) per row key, from the table cells.
fn table_rows(dom: &str) -> BTreeMap<String, [String; 4]> {
    let row = regex::Regex::new(
        r#"<tr[^>]*data-key="([^"]+)"[^>]*>.*?<td class="n capacity">([^<]*)</td><td class="n at-min">([^<]*)</td><td class="n at-max">([^<]*)</td><td class="n free">([^<]*)</td>"#,
    )
    .unwrap();
    row.captures_iter(dom)
        .map(|c| {
            (
                c[1].to_owned(),
                [
                    c[2].to_owned(),
                    c[3].to_owned(),
                    c[4].to_owned(),
                    c[5].to_owned(),
                ],
            )
        })
        .collect()
}

/// The same per bar, from its data attributes and from its visible text.
fn chart_bars(dom: &str) -> BTreeMap<String, [String; 4]> {
    let bar = regex::Regex::new(
        r#"(?s)<g class="bar" data-key="([^"]+)" data-capacity="([^"]*)" data-at-min="([^"]*)" data-at-max="([^"]*)" data-free="([^"]*)">.*?<text class="figures"[^>]*>min (\S+) · max (\S+) · free (\S+) of (\S+)</text>"#,
    )
    .unwrap();
    bar.captures_iter(dom)
        .map(|c| {
            let data = [
                c[2].to_owned(),
                c[3].to_owned(),
                c[4].to_owned(),
                c[5].to_owned(),
            ];
            let shown = [
                c[9].to_owned(),
                c[6].to_owned(),
                c[7].to_owned(),
                c[8].to_owned(),
            ];
            assert_eq!(
                data, shown,
                "bar {} shows other numbers than it carries",
                &c[1]
            );
            (c[1].to_owned(), data)
        })
        .collect()
}

#[test]
fn capacity_page_renders_with_the_table_numbers() {
    let Some(browser) = chromium() else {
        support::skip("chromium is not on PATH (`.ci/setup` installs the Debian package)");
        return;
    };
    // Every browser run of the test shares one deadline: the whole test stays under a minute.
    let deadline = Instant::now() + Duration::from_secs(55);
    let dir = tempfile::tempdir().unwrap();
    for example in ["bert-kafka-mig", "environments", "timesliced-t4"] {
        let project = support::repo().join("examples").join(example);
        let project = project.to_str().unwrap();
        let page = dir.path().join(format!("{example}.html"));
        std::fs::write(&page, mlc(&["capacity", "--html", project])).unwrap();
        let shot = dir.path().join(format!("{example}.png"));
        let profile = dir.path().join("profile");
        let (_, log) = browse(
            browser,
            &page,
            &profile,
            &[format!("--screenshot={}", shot.display())],
            deadline,
        );
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{log}"));
        assert!(png.starts_with(b"\x89PNG"), "{example}: not a PNG");
        let (dom, log) = browse(
            browser,
            &page,
            &profile,
            &["--dump-dom".to_owned()],
            deadline,
        );
        let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
        assert!(
            console.is_empty(),
            "{example}: console messages:\n{}",
            console.join("\n")
        );
        assert!(
            dom.contains("<svg id=\"chart\""),
            "{example}: no chart in the DOM:\n{dom}"
        );
        let table = table_rows(&dom);
        let bars = chart_bars(&dom);
        assert!(!table.is_empty(), "{example}: no table rows in the DOM");
        assert_eq!(table, bars, "{example}: the chart and the table disagree");
        let json: serde_json::Value =
            serde_json::from_str(&mlc(&["--format", "json", "capacity", project])).unwrap();
        let from_json: BTreeMap<String, [String; 4]> = json["pools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let n = |k: &str| {
                    p[k].as_i64()
                        .map_or_else(|| "?".to_owned(), |n| n.to_string())
                };
                (
                    format!(
                        "{}/{}/{}",
                        p["cluster"].as_str().unwrap(),
                        p["pool"].as_str().unwrap(),
                        p["resource"].as_str().unwrap()
                    ),
                    [n("capacity"), n("at_min"), n("at_max"), n("free_at_max")],
                )
            })
            .collect();
        assert_eq!(
            table, from_json,
            "{example}: the page and the JSON report disagree"
        );
    }
}
