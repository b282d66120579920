#!/usr/bin/env bash
# Run by .ci/run after `cargo test`: every command block of README.md, docs/*.md and
# examples/*/README.md marked <!-- run --> is executed from the repository root
# (.ci/doc_commands.py; `cargo test --test doc_blocks` already failed on an unmarked block).
# Its closing line is `docs: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 .ci/doc_commands.py run
