"""Provenance: the code that shapes numbers, and the CPU numba compiles for."""

import json
import os
import subprocess
import sys

import llvmlite.binding as llvm

from sim.experiment import provenance
from tests.paths import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_fingerprint_is_stable_and_covers_the_code_that_shapes_numbers(tmp_path):
    first = provenance.fingerprint()
    assert first["code"] == provenance.code_hash() and len(first["code"]) == 64
    covered = {p.relative_to(provenance.PACKAGE).as_posix() for p in provenance.source_files()}
    assert first["files"] == len(covered) > 20
    assert {"model/model.py", "kernels/learning.py", "config/schema.py"} <= covered
    assert not any(name.startswith(("cli/", "viz/")) for name in covered)
    child = subprocess.run([sys.executable, "-c", "import json, sim.experiment.provenance as p; "
                            "print(json.dumps(p.fingerprint()))"], capture_output=True,
                           text=True, cwd=tmp_path, env=ENV)
    assert json.loads(child.stdout)["code"] == first["code"]
    copy = tmp_path / "sim"
    for path in provenance.source_files():
        target = copy / path.relative_to(provenance.PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (copy / "model/__pycache__").mkdir()
    assert provenance.code_hash(copy) == first["code"]
    (copy / "model/__pycache__/x.py").write_text("ignored")
    (copy / "cli").mkdir()
    (copy / "cli/run.py").write_text("# an edit to the CLI does not shape numbers\n")
    assert provenance.code_hash(copy) == first["code"]
    assert provenance.code_hash(copy, version="9.9.9") != first["code"]
    (copy / "model/model.py").write_text("# changed\n", encoding="utf-8")
    assert provenance.code_hash(copy) != first["code"]


def test_cpu_is_the_one_numba_compiles_for():
    found = provenance.cpu()
    assert found == provenance.fingerprint()["cpu"]
    assert found["name"] == llvm.get_host_cpu_name()
    host = {f[1:] for f in llvm.get_host_cpu_features().flatten().split(",")
            if f.startswith("+")}
    assert set(found["features"]) == host and found["features"] == sorted(host)
    code = "import json, sim.experiment.provenance as p; print(json.dumps(p.cpu()))"
    env = {**ENV, "NUMBA_CPU_NAME": "generic", "NUMBA_CPU_FEATURES": "+sse2,-avx,+cx16"}
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True)
    assert json.loads(child.stdout) == {"name": "generic", "features": ["cx16", "sse2"]}


def test_describe_cpu_difference():
    here = {"name": "znver4", "features": ["avx", "avx2", "avx512f"]}
    assert provenance.describe_cpu_difference(here, here) == \
        "the same as recorded (znver4, 3 features)"
    older = {"name": "haswell", "features": ["avx", "avx2", "fma"]}
    text = provenance.describe_cpu_difference(older, here)
    assert text.startswith("differs from the recorded one: recorded haswell, this is znver4")
    assert "features only then: fma" in text and "features only now: avx512f" in text
    assert "not recorded" in provenance.describe_cpu_difference(None, here)
