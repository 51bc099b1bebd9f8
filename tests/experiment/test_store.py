"""Atomic files and staged directories: complete, or not there at all."""

import pytest

from sim.errors import ResultsError
from sim.experiment.store import (
    atomic_write,
    read_json,
    read_manifest,
    staged_directory,
    staged_files,
    write_json,
)


def listing(directory):
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


def test_staged_directory_replaces_the_directory_at_once(tmp_path):
    out = tmp_path / "r"
    with staged_directory(out, {"a.txt"}) as staging:
        (staging / "a.txt").write_text("first")
        assert not out.exists()  # nothing visible until the block ends
    assert (out / "a.txt").read_text() == "first"
    with staged_directory(out, {"a.txt"}) as staging:
        (staging / "a.txt").write_text("second")
        assert (out / "a.txt").read_text() == "first"
    assert (out / "a.txt").read_text() == "second"
    assert listing(tmp_path) == ["r", "r/a.txt"]


@pytest.mark.parametrize("error", [RuntimeError, OSError, KeyboardInterrupt])
def test_staged_directory_is_removed_on_any_exception(tmp_path, error):
    out = tmp_path / "r"
    with staged_directory(out, {"a.txt"}) as staging:
        (staging / "a.txt").write_text("kept")
    with pytest.raises(error), staged_directory(out, {"a.txt"}) as staging:
        (staging / "a.txt").write_text("half")
        raise error("interrupted")
    assert listing(tmp_path) == ["r", "r/a.txt"] and (out / "a.txt").read_text() == "kept"
    with pytest.raises(error), staged_directory(tmp_path / "new", {"a.txt"}) as staging:
        raise error("interrupted")
    assert listing(tmp_path) == ["r", "r/a.txt"]


def test_staged_directory_refuses_a_foreign_directory_before_writing(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    entered = []
    with pytest.raises(ResultsError, match="not a mentorsim results directory"), \
            staged_directory(out, {"a.txt"}):
        entered.append(1)
    assert not entered and listing(tmp_path) == ["mine", "mine/thesis.tex"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_staged_files_join_a_directory_together_or_not_at_all(tmp_path, error):
    (tmp_path / "runs").mkdir()
    (tmp_path / "report.md").write_text("old")
    with pytest.raises(error), staged_files(tmp_path) as staging:
        (staging / "report.md").write_text("new")
        (staging / "stats.csv").write_text("x")
        raise error("interrupted")
    assert listing(tmp_path) == ["report.md", "runs"]
    assert (tmp_path / "report.md").read_text() == "old"
    with staged_files(tmp_path) as staging:
        (staging / "report.md").write_text("new")
        (staging / "stats.csv").write_text("x")
    assert listing(tmp_path) == ["report.md", "runs", "stats.csv"]
    assert (tmp_path / "report.md").read_text() == "new"


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    def crash(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(tmp_path / "f.txt", crash)
    assert listing(tmp_path) == []


def test_json_reading_errors_are_one_line(tmp_path):
    write_json(tmp_path / "ok.json", {"x": float("nan")})
    assert read_json(tmp_path / "ok.json") == {"x": None}
    (tmp_path / "list.json").write_text("[1]")
    (tmp_path / "bad.json").write_text("{")
    for name, fragment in [("list.json", "not a JSON object"), ("bad.json", "unreadable"),
                           ("none.json", "no such file")]:
        with pytest.raises(ResultsError, match=fragment) as info:
            read_json(tmp_path / name)
        assert "\n" not in str(info.value)
    with pytest.raises(ResultsError, match="no manifest.json"):
        read_manifest(tmp_path)
    with pytest.raises(ResultsError, match="no such results directory"):
        read_manifest(tmp_path / "nowhere")


@pytest.mark.parametrize("name", ["res", "res[1]+", "a b", "résumé", "x.partial", ".hidden"])
def test_staged_directory_removes_only_its_own_stale_staging(tmp_path, capsys, name):
    out = tmp_path / name
    mine = [tmp_path / f".{name}.abcdefgh.partial", tmp_path / f".{name}.0a1b2c3d.old"]
    others = [tmp_path / f".{name}.b.abcdefgh.partial",  # of --out NAME.b
              tmp_path / f".{name}x.abcdefgh.partial",  # of --out NAMEx
              tmp_path / f".{name}.abcdefg.partial",  # not mkdtemp's eight characters
              tmp_path / f".{name}.abcdefgh.partial.keep"]
    for path in mine + others:
        path.mkdir()
    with staged_directory(out) as staging:
        (staging / "a.txt").write_text("1")
    assert not any(p.exists() for p in mine) and all(p.is_dir() for p in others)
    assert (out / "a.txt").read_text() == "1"
    assert "removed 2 staging directories left by a killed writer" in capsys.readouterr().err
