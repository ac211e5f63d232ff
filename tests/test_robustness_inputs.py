"""Hostile data never reaches a traceback (issue 17). For each class of bad input, through the real CLI:
exit 2, a message naming the file and the problem, the records already finished still there, and with --skip-bad
the sample counted in the summary. Bad samples found while running (coordinates, images) stop a run after the
batches before them; bad entries found while loading stop it before it touches any run folder."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from PIL import Image

from lisa_fixtures import shape, square, write_sample
from wisebench.cli import main
from wisebench.data.reasonseg import ReasonSegSuite

BAD = "s004"  # sorted fifth of six: with batches of two, two batches finish before it


def write_split(root: Path, count: int = 6) -> Path:
    """`count` ReasonSeg samples s000.. (40 x 30, one target square each); returns the split folder."""
    folder = root / "ReasonSeg" / "val"
    for index in range(count):
        write_sample(folder, f"s{index:03d}", [f"query {index}"], index % 2 == 0, [shape("target", square(5 + index, 4, 25, 20))])
    return folder


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(data), "--out", str(out), "--batch-size", "2", "--no-progress", *extra]


def run_folder(out: Path) -> Path:
    (folder,) = [path for path in out.iterdir() if path.is_dir() and not path.name.startswith(".")]
    return folder


def assert_named_error(code: int, err: str, names: list[str]) -> None:
    assert code == 2, err
    assert err.startswith("wisebench: error:") and "internal error" not in err and "Traceback" not in err
    for name in names:
        assert name in err, (name, err)


def assert_skip_bad_counts(capsys, data: Path, out: Path, sample_id: str, file_name: str, total: int = 6) -> None:
    code, stdout, err = run_cli(capsys, *run_args(data, out, "--skip-bad"))
    assert code == 0, err
    assert "skipped:  1 bad sample" in stdout and f"scored {total - 1}/{total}" in stdout
    summary = json.loads((run_folder(out) / "run.json").read_text())["summary"]
    assert summary["n_skipped"] == 1 and summary["subsets"]["overall"]["n"] == total - 1
    (skipped,) = summary["skipped"]
    assert skipped["sample_id"] == sample_id and file_name in skipped["path"]


def check_found_while_running(tmp_path: Path, capsys, spoil: Callable[[Path], None], names: list[str]) -> None:
    """`spoil` breaks sample s004 in a way only running it can see: the run stops there with a named error,
    keeping the four records before it; re-run with --skip-bad, it finishes and counts s004."""
    data, out = tmp_path / "data", tmp_path / "runs"
    spoil(write_split(data))
    code, _, err = run_cli(capsys, *run_args(data, out))
    assert_named_error(code, err, names)
    folder = run_folder(out)
    finished = (folder / "records.jsonl").read_bytes()
    assert finished.count(b"\n") == 4
    assert json.loads((folder / "run.json").read_text())["status"] == "failed"
    # Resuming with --skip-bad keeps those four records byte for byte and counts the bad sample.
    assert_skip_bad_counts(capsys, data, out, BAD, names[0])
    assert (folder / "records.jsonl").read_bytes().startswith(finished)


def check_found_while_loading(tmp_path: Path, capsys, spoil: Callable[[Path], None], names: list[str], sample_id: str = BAD, total: int = 6) -> None:
    """`spoil` breaks one entry so loading sees it: a finished run of the same data stays untouched, a new run
    stops before starting, and --skip-bad counts the entry."""
    data, out = tmp_path / "data", tmp_path / "runs"
    folder_path = write_split(data)
    assert run_cli(capsys, *run_args(data, out))[0] == 0
    finished = (run_folder(out) / "records.jsonl").read_bytes()
    spoil(folder_path)
    code, _, err = run_cli(capsys, *run_args(data, out))
    assert_named_error(code, err, names)
    assert (run_folder(out) / "records.jsonl").read_bytes() == finished
    assert_skip_bad_counts(capsys, data, tmp_path / "runs-skip", sample_id, names[0], total)


# ---------------------------------------------------------------- found while running


@pytest.mark.parametrize("coordinate", [1e6, 1e12, 1e300, -5e7])
def test_coordinates_far_outside_the_image(tmp_path, capsys, coordinate):
    def spoil(folder: Path) -> None:
        write_sample(folder, BAD, ["q"], True, [shape("target", square(5, 5, 20, 20)), shape("target", [[1, 1], [coordinate, 3], [10, 12]])])

    check_found_while_running(tmp_path, capsys, spoil, [f"{BAD}.json", "shapes[1]", f"{coordinate:g}", "far outside the 40 x 30 image"])


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels (and holds none): what a decompression bomb shows first."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_image(tmp_path, capsys):
    def spoil(folder: Path) -> None:
        (folder / f"{BAD}.jpg").write_bytes(png_header_only(20_000, 20_000))  # 400 M pixels claimed

    check_found_while_running(tmp_path, capsys, spoil, [f"{BAD}.jpg", "decompression bomb", "400000000 pixels", "WISEBENCH_MAX_IMAGE_PIXELS"])


def test_pixel_limit_is_a_setting(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WISEBENCH_MAX_IMAGE_PIXELS", "2000")  # every fixture image is 40 x 30 = 1200

    def spoil(folder: Path) -> None:
        Image.fromarray(np.zeros((30, 80, 3), np.uint8)).save(folder / f"{BAD}.jpg")  # 2400 pixels

    check_found_while_running(tmp_path, capsys, spoil, [f"{BAD}.jpg", "80 x 30 = 2,400 pixels, over the limit of 2,000"])
    monkeypatch.setenv("WISEBENCH_MAX_IMAGE_PIXELS", "many")
    code, _, err = run_cli(capsys, *run_args(tmp_path / "data", tmp_path / "runs-x"))
    assert_named_error(code, err, ["WISEBENCH_MAX_IMAGE_PIXELS", "'many'"])


def test_image_path_is_a_folder(tmp_path, capsys):
    def spoil(folder: Path) -> None:
        (folder / f"{BAD}.jpg").unlink()
        (folder / f"{BAD}.jpg").mkdir()

    check_found_while_running(tmp_path, capsys, spoil, [f"{BAD}.jpg", "is a folder, expected an image file"])


@pytest.mark.parametrize("cut", ["truncated", "byte flips"])
def test_damaged_image_bytes(tmp_path, capsys, cut):
    def spoil(folder: Path) -> None:
        path = folder / f"{BAD}.jpg"
        data = bytearray(path.read_bytes())
        if cut == "truncated":
            data = data[: len(data) // 3]
        else:
            data[2:40] = bytes(255 - b for b in data[2:40])  # the JPEG headers, scrambled
        path.write_bytes(bytes(data))

    check_found_while_running(tmp_path, capsys, spoil, [f"{BAD}.jpg", "cannot read image"])


# ---------------------------------------------------------------- found while loading


def test_annotation_path_is_a_folder(tmp_path, capsys):
    def spoil(folder: Path) -> None:
        (folder / f"{BAD}.json").unlink()
        (folder / f"{BAD}.json").mkdir()

    check_found_while_loading(tmp_path, capsys, spoil, [f"{BAD}.json", "is a folder, expected a file"])


def test_deeply_nested_annotation(tmp_path, capsys):
    def spoil(folder: Path) -> None:
        (folder / f"{BAD}.json").write_text("[" * 200_000 + "]" * 200_000)

    check_found_while_loading(tmp_path, capsys, spoil, [f"{BAD}.json", "nested too deeply"])


@pytest.mark.parametrize("kind", ["dangling link", "fifo"])
def test_unreadable_annotation(tmp_path, capsys, kind):
    def spoil(folder: Path) -> None:
        path = folder / f"{BAD}.json"
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)  # reading it would block forever
        else:
            path.symlink_to(folder / "gone.json")

    problem = "not a regular file" if kind == "fifo" else "cannot read: No such file or directory"
    check_found_while_loading(tmp_path, capsys, spoil, [f"{BAD}.json", problem])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode; the link and FIFO cases run")
def test_annotation_without_read_permission(tmp_path, capsys):
    check_found_while_loading(tmp_path, capsys, lambda folder: (folder / f"{BAD}.json").chmod(0), [f"{BAD}.json", "Permission denied"])


def test_image_without_its_annotation_is_counted(tmp_path, capsys):
    def spoil(folder: Path) -> None:
        Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(folder / "s006.jpg")

    check_found_while_loading(tmp_path, capsys, spoil, ["s006.jpg", "image without its annotation s006.json"], "s006", total=7)


@pytest.mark.parametrize(
    "text, problem",
    [([""], '"text"[0] is empty'), (["   "], '"text"[0] is empty'), (["\ud800 lamp"], "lone surrogate"), ([7], "is int, not a string")],
)
def test_unusable_query(tmp_path, capsys, text, problem):
    def spoil(folder: Path) -> None:
        payload = {"text": text, "is_sentence": False, "shapes": [shape("target", square(1, 1, 9, 9))]}
        (folder / f"{BAD}.json").write_text(json.dumps(payload))  # json escapes the surrogate as \\ud800

    check_found_while_loading(tmp_path, capsys, spoil, [f"{BAD}.json", problem])


@pytest.mark.parametrize(
    "points, problem",
    [
        ('[[1, 2], [NaN, 3], [5, 6]]', "finite numbers"),
        ('[[1, 2], [1e400, 3], [5, 6]]', "finite numbers"),
        ("[[1, 2], [" + "9" * 400 + ", 3], [5, 6]]", "finite numbers"),
        ("[[1, 2], [" + "9" * 5000 + ", 3], [5, 6]]", "not valid JSON"),
        ('[[1, 2], ["3", 3], [5, 6]]', "finite numbers"),
    ],
)
def test_non_finite_and_huge_numbers(tmp_path, capsys, points, problem):
    def spoil(folder: Path) -> None:
        (folder / f"{BAD}.json").write_text('{"text": ["q"], "is_sentence": true, "shapes": [{"label": "target", "points": %s}]}' % points)

    check_found_while_loading(tmp_path, capsys, spoil, [f"{BAD}.json", problem])


# ---------------------------------------------------------------- loads, and says what it saw


def test_png_renamed_jpg_loads_and_its_format_is_noted(tmp_path, capsys):
    folder = write_split(tmp_path / "data")
    pixels = np.asarray(Image.open(folder / f"{BAD}.jpg").convert("RGB"))
    Image.fromarray(pixels).save(folder / f"{BAD}.jpg", format="PNG")
    loaded = ReasonSegSuite().load("val", str(tmp_path / "data"))
    assert loaded.notes == [{"sample_id": BAD, "path": str(folder / f"{BAD}.jpg"), "note": "PNG data in a .jpg file"}]
    sample = {s.sample_id: s for s in loaded.samples}[BAD]
    assert sample.extra["image_format_note"] == "PNG data in a .jpg file"
    np.testing.assert_array_equal(sample.load_image(), pixels)  # lossless: the very pixels
    code, _, err = run_cli(capsys, *run_args(tmp_path / "data", tmp_path / "runs"))
    assert code == 0, err
    (run_folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    assert json.loads((run_folder / "run.json").read_text())["suite"]["notes"] == loaded.notes  # recorded with the run


def test_score_command_names_a_bomb_or_folder_among_predictions(tmp_path, capsys):
    """`wisebench score` reads predicted masks from another codebase: the same classes of bad files."""
    write_split(tmp_path / "data")
    predictions = tmp_path / "predictions"
    predictions.mkdir()
    for index in range(6):
        Image.fromarray(np.zeros((30, 40), np.uint8)).save(predictions / f"s{index:03d}.png")
    (predictions / f"{BAD}.png").write_bytes(png_header_only(20_000, 20_000))
    (predictions / "s001.png").unlink()
    (predictions / "s001.png").mkdir()
    argv = ["score", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--predictions", str(predictions)]
    code, _, err = run_cli(capsys, *argv)
    assert_named_error(code, err, ["s001.png", "is a folder, expected an image file"])
    code, out, err = run_cli(capsys, *argv, "--skip-bad", "--json")
    assert code == 0, err
    assert json.loads(out)["n_skipped"] == 2 and json.loads(out)["n"] == 4
    (predictions / "s001.png").rmdir()
    code, _, err = run_cli(capsys, *argv)
    assert_named_error(code, err, [f"{BAD}.png", "decompression bomb"])
