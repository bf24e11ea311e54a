"""Regenerate the README's results block from a `playground eval` report, so the figures a
user reads are the report's own.

    python -m playground.eval.readme assets/results/report.json README.md

The block lies between the lines `<!-- results: begin -->` and `<!-- results: end -->`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from playground.errors import PlaygroundError
from playground.eval.report_md import headline_table

BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"


class ReadmeError(PlaygroundError, ValueError):
    """The README has no results block to replace."""


def block(r: dict) -> list[str]:
    aa, lc, fp = r["action_accuracy"]["random"], r["loop_closure"], r["free_play"]["summary"]
    u = r["action_use"]
    return [BEGIN,
            f"Measured by `playground eval --out out/eval` ({'quick' if r['quick'] else 'full'} run, "
            f"{r['seconds'] / 60:.0f} minutes on a 2-core CPU; `--quick` takes a few) on held-out worlds, for the "
            f"shipped checkpoint (sha256 `{r['checkpoint_sha256'][:12]}`) with its settings, the network alone, "
            "two "
            "trivial predictors that see only the start frame, and the world's own frames (the ceiling). "
            "[docs/evaluation.md](docs/evaluation.md) says how each figure is made; the full report with "
            "intervals and plots is [assets/results/report.md](assets/results/report.md).", "",
            *headline_table(r), "",
            f"In plain words: an inverse-dynamics model recognises the dream's camera turns "
            f"{aa['shipped']['camera']['accuracy']:.0%} of the time (on the world's own frames "
            f"{aa['world (ceiling)']['camera']['accuracy']:.0%}) and its keys "
            f"{aa['shipped']['keyboard']['accuracy']:.0%} ({aa['world (ceiling)']['keyboard']['accuracy']:.0%}). "
            f"Back at a place after a loop, the dream shows it again in {lc['shipped']['revisit']:.0%} of trials. "
            f"After a minute of free play its frames are {fp['shipped']['sharpness']['last']:.2f} as sharp as the "
            f"world's and {fp['shipped']['smeared']['last']:.0%} of them are smears. Its training loss is "
            f"{u['ratio']:.2f} times as high when its actions are shuffled (1 would mean it ignores them).", "",
            "![a minute of free play](assets/results/free_play_frames.png)", END]


def replace_block(text: str, r: dict) -> str:
    if BEGIN not in text or END not in text:
        raise ReadmeError(f"the README has no results block: add the lines {BEGIN} and {END} where it goes")
    head, rest = text.split(BEGIN, 1)
    return head + "\n".join(block(r)) + rest.split(END, 1)[1]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="regenerate the README's results block from an eval report")
    p.add_argument("report", help="report.json of `playground eval`")
    p.add_argument("readme", help="the README to update in place")
    a = p.parse_args(argv)
    try:
        text = replace_block(Path(a.readme).read_text(), json.loads(Path(a.report).read_text()))
    except (PlaygroundError, OSError, json.JSONDecodeError) as e:
        raise SystemExit(f"readme: error: {e}") from None
    Path(a.readme).write_text(text)
    print(f"wrote {a.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
