"""The same store gives the same answer, byte for byte, in every process.

Python salts string hashes per process (PYTHONHASHSEED), so anything that iterates a set of
ids can change which evidence is kept under the per-finding cap, and in what order. The
audit of a generated force is run in processes with different seeds and must not differ.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from coi.loaders.synthetic import SCALES, generate
from load_helpers import cli


@pytest.mark.slow
def test_audit_json_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    generate(tmp_path / "force", SCALES["small"])
    store = tmp_path / "store.sqlite"
    assert cli("load", tmp_path / "force", "--store", store).exit_code == 0
    digests = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "COI_TRAIL": str(tmp_path / "trail.jsonl")}
        done = subprocess.run(
            [sys.executable, "-m", "coi", "audit", "--json", "--store", str(store)], capture_output=True, env=env
        )
        assert done.returncode == 0, done.stderr
        digests.add(hashlib.sha256(done.stdout).hexdigest())
    assert len(digests) == 1, "the audit's evidence depends on string hashing"
