"""The PixelThink option of the trainer: its difficulty JSON, its uncertainty measured during rollouts, and its reward
(accuracy x length score, as the sum of TRL reward functions) against a hand computation."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from wise.train.config import load_config
from wise.train.difficulty import load_difficulties
from wisebench.errors import DatasetFormatError, DatasetNotFoundError, WisebenchError

CONFIGS = Path(__file__).parent.parent / "wise" / "configs"
GT_BOX = [100, 100, 299, 399]
GT_POINTS = [[150, 200], [250, 300]]
JSON = '{"bbox": [100,100,299,399], "points_1": [150,200], "points_2": [250,300]}'


def write_difficulties(folder: Path, items: list) -> Path:
    path = folder / "refcoco_train_labeled_merged.json"
    path.write_text(json.dumps(items))
    return path


def test_difficulty_json_is_keyed_by_sample_id_and_checked(tmp_path):
    path = write_difficulties(tmp_path, [
        {"image_id": 7, "difficulty_score_model": 6.5}, {"image_id": "a", "difficulty_score_model": 2},
        {"image_id": "b", "difficulty_score_model": None},  # no score: the sample gets the default
    ])
    assert load_difficulties(path) == {"7": 6.5, "a": 2.0}
    with pytest.raises(DatasetNotFoundError, match="data.difficulty_file"):
        load_difficulties(tmp_path / "missing.json")
    for bad, problem in (({"7": 6.5}, "not the list"), ([{"id": 7}], "image_id"), ([{"image_id": 7, "difficulty_score_model": "hard"}], "finite number")):
        with pytest.raises(DatasetFormatError, match=problem):
            load_difficulties(write_difficulties(tmp_path, bad))
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(DatasetFormatError, match="not valid JSON"):
        load_difficulties(tmp_path / "broken.json")


def test_pixelthink_yaml_needs_its_difficulty_file_and_refuses_what_cannot_hold(tmp_path):
    with pytest.raises(WisebenchError, match="--set data.difficulty_file=FILE"):
        load_config(CONFIGS / "pixelthink.yaml")
    path = write_difficulties(tmp_path, [])
    config = load_config(CONFIGS / "pixelthink.yaml", [f"data.difficulty_file={path}"])
    assert config.recipe == "pixelthink" and config.rewards.box_iou_threshold == 0.5 and config.rewards.default_difficulty == 3.0
    assert config.rewards.active() == {name: 1.0 for name in ("format", "answer_schema", "box_iou", "box_l1", "points", "pixelthink_length")}
    with pytest.raises(WisebenchError, match="self_distillation"):
        load_config(CONFIGS / "pixelthink.yaml", [f"data.difficulty_file={path}", "rewards.weights.self_distillation=1"])
    with pytest.raises(WisebenchError, match="use_vllm=false"):
        load_config(CONFIGS / "pixelthink.yaml", [f"data.difficulty_file={path}", "grpo.use_vllm=true"])


def test_pixelthink_prompt_is_segzero_s():
    from baselines.pixelthink import PIXELTHINK
    from wise.train.dataset import recipe_spec

    assert recipe_spec("pixelthink").prompt("The red mug.") == PIXELTHINK.prompt("The red mug.")
    assert "{'bbox': [10,100,200,210]" in recipe_spec("pixelthink").prompt("x")  # rl_dataset.py:40, single quotes


def test_token_uncertainty_and_its_per_completion_average():
    torch = pytest.importorskip("torch")
    from wise.train.uncertainty import RolloutUncertainty, token_uncertainty

    probabilities = torch.tensor([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05]])
    assert token_uncertainty(probabilities.log()).tolist() == pytest.approx([0.8, 0.15])

    class Policy(torch.nn.Module):  # returns the next-token logits of each step, as generate's forward does
        def __init__(self, steps):
            super().__init__()
            self.steps = iter(steps)

        def forward(self):
            return SimpleNamespace(logits=next(self.steps).log()[:, None, :])

    steps = [torch.tensor([[0.5, 0.3, 0.2], [0.6, 0.4, 0.0]]), torch.tensor([[0.4, 0.4, 0.2], [1.0, 0.0, 0.0]]), torch.ones(2, 3) / 3]
    policy, probe = Policy(steps), RolloutUncertainty()
    with probe.recording(policy):
        policy()
        policy()
    policy()  # outside the rollout: not recorded
    # Row 0 generated 2 tokens: (0.8 + 1.0) / 2; row 1 stopped after 1 token: 0.8; an empty completion gets 0.
    assert probe.finish([[5, 6], [7]]) == pytest.approx([0.9, 0.8])
    assert probe.for_completions([[5, 6], [7]]) == pytest.approx([0.9, 0.8])
    probe.record([[1], []], [0.3, 0.0])
    with pytest.raises(RuntimeError, match="last recorded rollout"):
        probe.for_completions([[1], [2]])


def test_pixelthink_reward_equals_a_hand_computation(tmp_path):
    pytest.importorskip("transformers")
    from test_wise_rewards import trl_call
    from tiny_models import qwen_tokenizer
    from wise.train.reward_functions import build_rewards
    from wise.train.uncertainty import RolloutUncertainty

    config = load_config(CONFIGS / "pixelthink.yaml", [f"data.difficulty_file={write_difficulties(tmp_path, [])}"])
    probe = RolloutUncertainty()
    rewards = build_rewards(config.rewards, qwen_tokenizer(), config.recipe, probe)
    assert rewards.names() == ["format", "answer_schema", "box_iou", "box_l1", "points", "pixelthink_length"]

    short = f"<think>the mug</think><answer>{JSON}</answer>"  # 7 whitespace words, every accuracy term 1
    long = short.replace("the mug", "the mug " + "word " * 400)  # 408 words: "mug" and "</think><answer>..." now split
    half = short.replace("[100,100,299,399]", "[100,100,199,399]")  # IoU 0.5 (not > 0.5), L1 25 px, a point outside
    three_parts = short + "<d_think>x</d_think>"  # WISE's format is not PixelThink's; also 8 words
    texts = [short, long, long, long, half, three_parts]
    difficulties = [6.0, 6.0, None, 4.0, 2.0, None]
    uncertainties = [0.4, 0.4, 0.9, 0.9, 0.0, 0.0]
    ids = [[index, 1] for index in range(len(texts))]
    probe.record(ids, uncertainties)
    logged = {}
    columns = {"gt_box": GT_BOX, "gt_points": GT_POINTS, "per_difficulty": difficulties}
    per_function = [trl_call(fn, texts, completion_ids=ids, log_metric=logged.__setitem__, **columns) for fn in rewards.functions]
    totals = [sum(values) for values in zip(*per_function)]
    hand = [
        5 * 1.0,  # hard (6 >= 5): budget 256 + 25 * 0.4 = 266, 7 words under it
        5 * (1 - (408 - 266) / 500),  # = 3.58
        5 * (1 - (408 - 96) / 500),  # no difficulty: PixelThink's 3.0, an easy sample: budget 96 -> 1.88
        5 * 1.0,  # medium (3.5 <= 4 < 5): no budget
        2 * 1.0,  # format + schema only; easy budget 96, 7 words
        4 * 1.0,  # no format reward; easy, 8 words
    ]
    assert totals == pytest.approx(hand)
    assert logged["pixelthink/uncertainty"] == pytest.approx(sum(uncertainties) / 6)
    assert logged["pixelthink/difficulty"] == pytest.approx((6 + 6 + 3 + 4 + 2 + 3) / 6)


def test_a_pixelthink_run_logs_the_uncertainty_of_its_rollouts(tmp_path):
    """One GRPO step of a tiny random Qwen2.5-VL under the PixelThink recipe: the uncertainty comes from its rollout."""
    for package in ("torch", "transformers", "trl"):
        pytest.importorskip(package)
    from tiny_models import build_tiny_qwen25vl, qwen_tokenizer_folder
    from wise.train.dataset import load_source_samples
    from wise.train.trainer import TRAINING_LOG, train

    first, _ = load_source_samples("reasonseg-mini", "val", None, 2)
    difficulty_file = write_difficulties(tmp_path, [{"image_id": first.sample_id, "difficulty_score_model": 6.0}])
    output = tmp_path / "pixelthink"
    config = load_config(CONFIGS / "tiny-cpu.yaml", [
        f"model={build_tiny_qwen25vl(tmp_path / 'tiny')}", f"rewards.token_counter={qwen_tokenizer_folder()}", f"output_dir={output}",
        "recipe=pixelthink", f"data.difficulty_file={difficulty_file}", "rewards.weights.self_distillation=0",
        "rewards.weights.pixelthink_length=1", "rewards.box_iou_threshold=0.5", "grpo.max_steps=1",
    ])
    train(config)
    (step,) = [entry for entry in map(json.loads, (output / TRAINING_LOG).read_text().splitlines()) if "loss" in entry]
    assert 0.0 < step["pixelthink/uncertainty"] <= 1.0  # random weights: far from certain
    assert "rewards/pixelthink_length/mean" in step and "rewards/self_distillation/mean" not in step
    assert step["pixelthink/difficulty"] in (6.0, 3.0)  # the step's prompt is the scored sample or the default
