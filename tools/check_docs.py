#!/usr/bin/env python3
"""Checks the user documents: no development-history wording and no link that leaves the
repository. Run from the project root; `make test` runs it. Exit status 1 on a finding.

The documents speak of the project as versions (checkpoint hashes, commits, dates), never
of who worked when; a link must resolve inside the repository (web addresses are allowed).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DOCUMENTS = ("README.md", "docs/*.md", "checkpoints/*.md", "kernels/README.md", "checkpoints/recipe.sh")

HISTORY = (
    (r"\bsessions? \d", "numbered work periods (key the entry to a checkpoint hash, commit or date)"),
    (r"\b(this|next|previous|earlier|later|that) session\b", "work periods (key it to a version)"),
    (r"\bsession's notes\b", "notes outside the repository"),
    (r"\blent\b|\blease\b", "how a machine was borrowed"),
    (r"\bthe model before this one\b|\bas shipped until\b", "relative history (name the version)"),
    (r"\.\./shared\b", "a path outside the repository"),
    (r"\b(the|this) issue (asks|wants|requires|says)\b", "the work's tracker (say what holds)"),
)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def findings(root: Path) -> list[str]:
    out = []
    for pattern in DOCUMENTS:
        for path in sorted(root.glob(pattern)):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                where = f"{path.relative_to(root)}:{number}"
                out += [f"{where}: {why}: {line.strip()[:100]}"
                        for rule, why in HISTORY if re.search(rule, line, re.IGNORECASE)]
                out += [f"{where}: link leaves the repository: {target}"
                        for target in LINK.findall(line) if _outside(root, path, target)]
                out += [f"{where}: no such file or heading: {target}"
                        for target in LINK.findall(line) if _broken(root, path, target)]
    return out


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _broken(root: Path, document: Path, target: str) -> bool:
    """A link inside the repository to a file that is not there, or to a heading its
    Markdown file does not have."""
    if re.match(r"[a-z]+://|mailto:", target) or _outside(root, document, target):
        return False
    name, _, anchor = target.partition("#")
    file = document if not name else (root / name.lstrip("/")) if name.startswith("/") else document.parent / name
    if not file.exists():
        return True
    if not anchor or file.suffix != ".md":
        return False
    headings = [line.lstrip("#") for line in file.read_text().splitlines() if line.startswith("#")]
    return anchor not in {_slug(h) for h in headings}


def _outside(root: Path, document: Path, target: str) -> bool:
    if re.match(r"[a-z]+://|mailto:|#", target):
        return target.startswith("file://")
    target = target.split("#")[0]
    resolved = (root / target.lstrip("/")) if target.startswith("/") else (document.parent / target)
    return not resolved.resolve().is_relative_to(root.resolve())


def main() -> int:
    found = findings(Path.cwd())
    for line in found:
        print(line)
    print(f"docs: {len(found)} finding(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
