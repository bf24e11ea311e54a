"""Side by side: the headline numbers of two or more `playground eval` reports, each
with its difference from the first (the baseline, usually the shipped checkpoint's).

    python -m playground.eval.compare out/eval out/eval_candidate

This is how a candidate checkpoint is judged before it replaces the shipped one: the
headline figures (IDM action accuracy, loop closure, free play, PSNR buckets) for the
shipped settings and the network alone, then the PSNR per action script and the older
action-following rates, all on the same held-out seeds.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from playground.config import ConfigError


def load_report(path: str | Path) -> dict:
    """report.json of an eval folder (or the file itself)."""
    p = Path(path)
    p = p / "report.json" if p.is_dir() else p
    if not p.is_file():
        raise ConfigError(f"{p}: no eval report here; write one with `playground eval --out FOLDER`")
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ConfigError(f"{p}: not a readable eval report ({e}); run `playground eval` again") from e


def headline(r: dict) -> dict[str, float]:
    """The numbers a decision rests on, flat: name -> value. The report's headline figures
    (shipped settings and network alone) first, where the report has them."""
    from playground.eval.report_md import headline as figures
    acc, af = r["error_accumulation"], r["action_following"]
    rows = {}
    if "action_accuracy" in r:
        rows = {f"{fig} ({s})": v for fig, by in figures(r).items() for s, v in by.items()
                if s in ("shipped", "network alone")}
    rows.update({f"PSNR steps {k}": v["psnr"] for k, v in acc["buckets"].items()})
    rows.update({f"PSNR {k}": v for k, v in acc["by_script"].items()})
    rows["action following"] = af["rate"]
    rows.update({f"following {k}": v for k, v in af.get("by_script", {}).items()})
    rows.update({f"following {k}": v for k, v in af.get("by_pair", {}).items()})
    rows.update({f"response {k}": v for k, v in af.get("response", {}).items()})
    return rows


def table(reports: dict[str, dict]) -> str:
    """A markdown table: one row per number, one column per report, deltas to the first."""
    names = list(reports)
    rows = {name: headline(r) for name, r in reports.items()}
    base = rows[names[0]]
    lines = ["| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names)]
    for k in dict.fromkeys(k for n in names for k in rows[n]):   # the baseline's order first
        cells = []
        for i, n in enumerate(names):
            v = rows[n].get(k)
            small = v is not None and abs(v) < 10   # rates and ratios: 3 digits; dB: 2 decimals
            if v is None:
                cells.append("-")
            elif i == 0 or k not in base:
                cells.append(f"{v:.3g}" if small else f"{v:.2f}")
            else:
                d = v - base[k]
                cells.append(f"{v:.3g} ({d:+.3f})" if small else f"{v:.2f} ({d:+.2f})")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    checkpoints = "\n".join(f"- {n}: {r['checkpoint']} (sha256 {r['checkpoint_sha256'][:12]}), sampler "
                            f"{r.get('sampler_defaults', {})}, "
                            f"changed {r.get('settings', {}).get('sampler') or 'nothing'}"
                            for n, r in reports.items())
    return "\n".join(lines) + "\n\n" + checkpoints


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="compare eval reports, deltas to the first")
    p.add_argument("reports", nargs="+", help="eval folders (or report.json files); the first is the baseline")
    args = p.parse_args(argv)
    if len(args.reports) < 2:
        p.error("give at least two reports: the baseline, then the candidates")
    if len(set(args.reports)) < len(args.reports):
        p.error("a report is named twice; give each report once")
    try:
        reports = {path: load_report(path) for path in args.reports}
    except ConfigError as e:
        p.error(str(e))
    print(table(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
