"""Change the sampler settings a checkpoint recommends (its metadata's extra["sampler"],
playground.dream.tuning.SamplerDefaults) without touching its weights: for a setting chosen
after export when the training run is not at hand (`--export-only --set sampler.KEY=VALUE`
needs it).

    python tools/recommend.py CHECKPOINT OUT action_guidance=4 [guidance_on=keys ...]

Values are checked as the loader checks them; OUT may be CHECKPOINT itself (written
atomically). Prints the new sha256: update the model card's."""
import argparse
import json
from dataclasses import asdict

from playground import checkpoint
from playground.config import ConfigError, build, overrides
from playground.dream.tuning import RETIRED, SamplerDefaults


def recommend(src: str, out: str, changes: dict) -> tuple[str, dict]:
    """Write `src` to `out` with its sampler recommendation updated by `changes`, leaving out
    retired ones (tuning.RETIRED); returns (sha256, the new recommendation). ConfigError for
    unknown keys or bad values."""
    tensors, meta = checkpoint.read(src)
    extra = meta.get("extra", {})
    kept = {k: v for k, v in extra.get("sampler", {}).items() if k not in RETIRED}   # no sampler reads those
    sampler = asdict(build(SamplerDefaults, {**kept, **changes}, "recommendation"))
    return checkpoint.save_raw(out, tensors, meta["models"], {**extra, "sampler": sampler}), sampler


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("settings", nargs="+", metavar="KEY=VALUE", help="e.g. action_guidance=4 (YAML scalars)")
    a = ap.parse_args()
    try:
        changes = overrides(a.settings)
    except ConfigError as e:
        ap.error(str(e))
    sha, sampler = recommend(a.checkpoint, a.out, changes)
    print(f"{a.out}: sha256 {sha}; recommends {json.dumps(sampler)}")


if __name__ == "__main__":
    main()
