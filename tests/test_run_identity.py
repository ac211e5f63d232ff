"""What a run id depends on: what changes results and nothing else. Naming the default segmenter is the same run;
unknown --set keys are refused before anything loads, naming the keys the model knows, for every adapter."""

from __future__ import annotations

import pytest

from wisebench.cli import main
from wisebench.errors import WisebenchError
from wisebench.runner.config import RunConfig
from wisebench.runner.run import check_settings, normalize_segmenter


def run_ids(out) -> list[str]:
    return sorted(path.name for path in out.iterdir() if path.is_dir())


def test_naming_the_default_segmenter_is_the_same_run(tmp_path, capsys):
    base = ["run", "--model", "oracle", "--suite", "reasonseg-mini", "--limit", "2", "--out", str(tmp_path), "--no-progress"]
    assert main(base) == 0
    assert main([*base, "--segmenter", "grabcut"]) == 0
    assert len(run_ids(tmp_path)) == 1
    assert "resumed" in capsys.readouterr().out or len(run_ids(tmp_path)) == 1


@pytest.mark.parametrize("model, default", [("oracle", "grabcut"), ("seg-zero", "sam2"), ("wise-s", "sam2"), ("visionreasoner", "sam2")])
def test_the_default_segmenter_is_normalized_away(model, default):
    named = RunConfig(model=model, suite="reasonseg-mini", split="val", segmenter=default)
    unnamed = RunConfig(model=model, suite="reasonseg-mini", split="val")
    normalize_segmenter(named)
    assert named.segmenter is None and named.run_id() == unnamed.run_id()
    other = RunConfig(model=model, suite="reasonseg-mini", split="val", segmenter="grabcut" if default == "sam2" else "sam2")
    normalize_segmenter(other)
    assert other.run_id() != unnamed.run_id()


@pytest.mark.parametrize("model, known", [("oracle", "per_component"), ("seg-zero", "brevity"), ("lisa", "sam_dtype"), ("wise", "parse_policy")])
def test_unknown_settings_are_refused_with_the_known_keys(model, known):
    config = RunConfig(model=model, suite="reasonseg-mini", split="val", settings={"max_new_token": 5})
    with pytest.raises(WisebenchError, match=f"unknown settings for {model}: max_new_token .*known: .*{known}"):
        check_settings(config)


def test_unknown_setting_on_the_command_line_exits_2_before_loading(tmp_path, capsys):
    code = main(["run", "--model", "seg-zero", "--suite", "reasonseg-mini", "--set", "temprature=0.7", "--out", str(tmp_path), "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert "temprature" in err and "temperature" in err
    assert not any(tmp_path.iterdir())  # refused before a run folder or a model existed
