"""A wheel carries what the package reads at run time: the presets, the keymap and the
shipped checkpoint (playground/shipped/ links to the repository's checkpoints/ and assets/)."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_a_playable_game(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, cwd=tmp_path, capture_output=True)
    (wheel,) = tmp_path.glob("playground-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    for name in ("tiny.safetensors", "idm.safetensors"):
        assert (site / "playground/shipped" / name).stat().st_size == (ROOT / "checkpoints" / name).stat().st_size
    # Run from elsewhere with the unpacked wheel first on the path, not this clone.
    probe = ("import playground, pathlib\n"
             "from playground.config import load_yaml, preset_path\n"
             "from playground.dream.load import SHIPPED, load_dream\n"
             "from playground.keymap import Keymap\n"
             f"assert pathlib.Path(playground.__file__).is_relative_to({str(site)!r}), playground.__file__\n"
             f"assert SHIPPED.is_relative_to({str(site)!r}), SHIPPED\n"
             "from playground.eval.idm import load_shipped\n"
             "load_yaml(preset_path('dit-tiny')); Keymap.load(); load_dream()\n"
             f"assert load_shipped()[1]['file'].startswith({str(site)!r})\n")
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_shipped_files_prefer_the_clones_copy(tmp_path, monkeypatch):
    from playground import shipped
    assert shipped.shipped_path("tiny.safetensors") == ROOT / "checkpoints/tiny.safetensors"
    assert shipped.shipped_path("keymap.yaml") == ROOT / "assets/keymap.yaml"
    assert shipped.shipped_path("idm.safetensors") == ROOT / "checkpoints/idm.safetensors"
    # Away from a clone (an installed wheel), the package's own copy.
    monkeypatch.setattr(shipped, "_CLONE", tmp_path)
    assert shipped.shipped_path("keymap.yaml") == ROOT / "playground/shipped/keymap.yaml"
