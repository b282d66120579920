"""Every command block of README.md and docs/*.md is marked, and every `run` block runs.

Usage: python3 .ci/doc_commands.py check        (every command block is marked)
       python3 .ci/doc_commands.py run          (and each `run` block exits 0)

A command block is a fenced block in `sh`, `bash`, `shell`, `console` or with no language.
The HTML comment right before it marks it:

    <!-- run -->                      executed by `run`, from the repository root
    <!-- no-run: REASON -->           shown only; REASON says why (needs Docker, a cluster…)

An unmarked command block, a `no-run` without a reason, and an indented code block (which
cannot be marked) are errors. `run` executes the blocks in file order (README.md first, then
docs/*.md sorted) with `bash -euo pipefail`, each bounded in time (`<!-- run: timeout=SECONDS -->`,
default 300; `needs=root,skopeo` names what it needs: without it the block is skipped and
counted in MLC_SKIP_LOG, a failure under CI=true), in one environment where `cargo install`
goes to a scratch root that is first on PATH (so `mlc` and `mlc-serve` are the ones the docs
just installed; `--path` builds share the workspace's target/).
The closing line is `docs: N passed, N failed`.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

from markdown_it import MarkdownIt

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMMAND_LANGS = {"", "sh", "bash", "shell", "console"}
MARK = re.compile(r"^<!--\s*(run|no-run)\s*(?::\s*(.*?))?\s*-->\s*$", re.S)


def documents():
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").glob("*.md"))
    yield from sorted((ROOT / "examples").glob("*/README.md"))


def blocks(path):
    """(line, kind, detail, code) for each command block; kind is run, no-run or an error."""
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    for i, tok in enumerate(tokens):
        if tok.type == "code_block":
            yield (tok.map[0] + 1, "error", "an indented code block cannot be marked: use a fenced block", tok.content)
            continue
        if tok.type != "fence":
            continue
        lang = (tok.info or "").split()[0] if tok.info else ""
        if lang not in COMMAND_LANGS:
            continue
        j = i - 1
        while j >= 0 and (tokens[j].type.endswith("_open") or tokens[j].type.endswith("_close")):
            j -= 1
        mark = MARK.match(tokens[j].content.strip()) if j >= 0 and tokens[j].type == "html_block" else None
        line = tok.map[0] + 1
        if not mark:
            yield (line, "error", "unmarked command block: put <!-- run --> or <!-- no-run: REASON --> right before it", tok.content)
        elif mark.group(1) == "no-run" and not (mark.group(2) or "").strip():
            yield (line, "error", "<!-- no-run --> needs a reason: <!-- no-run: needs Docker -->", tok.content)
        else:
            yield (line, mark.group(1), (mark.group(2) or "").strip(), tok.content)


def timeout_of(detail):
    m = re.search(r"timeout=(\d+)", detail or "")
    return int(m.group(1)) if m else 300


def missing_needs(detail):
    m = re.search(r"needs=([\w,.-]+)", detail or "")
    missing = []
    for need in (m.group(1).split(",") if m else []):
        if need == "root":
            if os.geteuid() != 0:
                missing.append("root")
        elif shutil.which(need) is None:
            missing.append(need)
    return missing


def record_skip(where, why):
    log = os.environ.get("MLC_SKIP_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"test\tdocs {where}\t{why}\n")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    if mode not in ("check", "run"):
        print(__doc__)
        return 2
    found = [(p, b) for p in documents() for b in blocks(p)]
    errors = [(p, b) for p, b in found if b[1] == "error"]
    for p, (line, _, detail, _) in errors:
        print(f"{p.relative_to(ROOT)}:{line}: {detail}")
    runs = [(p, b) for p, b in found if b[1] == "run"]
    no_runs = [(p, b) for p, b in found if b[1] == "no-run"]
    print(f"docs: {len(found)} command blocks: {len(runs)} run, {len(no_runs)} no-run, {len(errors)} unmarked or malformed")
    if mode == "check":
        return 1 if errors else 0

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="mlc-docs-"))
    env = dict(os.environ)
    env["CARGO_INSTALL_ROOT"] = str(scratch / "install")
    env["PATH"] = f"{scratch / 'install' / 'bin'}:{env['PATH']}"
    env["MLC_DOCS_SCRATCH"] = str(scratch)
    passed = failed = 0
    for p, (line, _, detail, code) in runs:
        where = f"{p.relative_to(ROOT)}:{line}"
        missing = missing_needs(detail)
        if missing:
            why = "needs " + ", ".join(missing)
            record_skip(where, why)
            if os.environ.get("CI") == "true":
                failed += 1
                print(f"FAILED: {where}: {why} (CI=true: nothing may be skipped)")
            else:
                print(f"SKIPPED {where}: {why}")
            continue
        limit = timeout_of(detail)
        start = time.monotonic()
        try:
            out = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code], cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                timeout=limit, start_new_session=True,
            )
            status, output = out.returncode, out.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            status, output = f"timeout after {limit} s", (e.stdout or b"").decode(errors="replace")
        took = time.monotonic() - start
        if status == 0:
            passed += 1
            print(f"ok: {where} ({took:.1f} s)")
        else:
            failed += 1
            print(f"FAILED: {where} (exit {status}, {took:.1f} s)")
            for text in output.splitlines()[-40:]:
                print(f"    {text}")
    failed += len(errors)
    print(f"docs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
