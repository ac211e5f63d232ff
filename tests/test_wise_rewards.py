"""WISE's reward components on hand-written completions, with expected values worked out by hand; then the same
rewards through the TRL adapter, the real MiniLM + Qwen tokenizer, the config and the training samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wise.train import rewards as wr
from wise.train.config import REWARD_NAMES, GRPOSettings, RewardConfig, TrainConfig, load_config
from wise.train.reward_functions import box_iou_reward, self_distillation_score
from wise.train.reward_rules import RewardRules
from wisebench.errors import WisebenchError

GT_BOX = [100, 100, 299, 399]  # inclusive pixels: 200 x 300
GT_POINTS = [[150, 200], [250, 300]]
ANSWER = '{"bbox": [100,100,299,399], "points_1": [150,200], "points_2": [250,300]}'
CONCISE = "red mug left of plate"  # 5 words
DETAILED = "two mugs stand on the table and the red one left of the plate is the target"  # 17 words

PERFECT = f"<think>{CONCISE}</think><answer>{ANSWER}</answer><d_think>{DETAILED}</d_think>"
WRONG_ORDER = f"<answer>{ANSWER}</answer><think>{CONCISE}</think><d_think>{DETAILED}</d_think>"
MISSING_D_THINK = f"<think>{CONCISE}</think><answer>{ANSWER}</answer>"
PLACEHOLDER_COPY = f"<think> streamlined thinking process here </think><answer>{ANSWER}</answer><d_think> detailed thinking process here </d_think>"
LONG_CONCISE = f"<think>{DETAILED} and many more words here to be sure</think><answer>{ANSWER}</answer><d_think>{DETAILED}</d_think>"


def words(text: str) -> int:
    return len(text.split())


def constant_similarity(first: str, second: str) -> float:
    return 0.8


ROBUST = RewardRules("wise", "robust")  # the lenient policy (the trainer's old default), kept as an option
NO_DISTILLATION = {**RewardConfig().weights, "self_distillation": 0.0}


def distillation(text: str, gt_box=GT_BOX, tagged: bool = False, rules: RewardRules = ROBUST) -> float:
    config = RewardConfig(distillation_tagged_spans=tagged)
    return self_distillation_score(rules, config, text, gt_box, constant_similarity, words)


def all_components(rules: RewardRules, text: str) -> tuple[float, ...]:
    return (rules.answer_schema(text), rules.box_iou(text, GT_BOX), rules.box_l1(text, GT_BOX, 10.0), rules.points(text, GT_POINTS, 100.0))


def test_perfect_completion_earns_every_reward_under_both_policies():
    for rules in (ROBUST, RewardRules()):
        assert rules.format(PERFECT) == 1.0 and all_components(rules, PERFECT) == (1.0, 1.0, 1.0, 1.0)
        assert distillation(PERFECT, rules=rules) == pytest.approx(0.8 * (1 - 5 / 17))
    # robust strips the text before the format check; upstream checks the raw text (seg_restrict.py:8).
    padded = "\n" + PERFECT.replace("</think>", "</think>\n ") + "\n"
    assert ROBUST.format(padded) == 1.0 and RewardRules().format(padded) == 0.0
    # Upstream counts the spans with their tags: "<think>red" and "plate</think>" are still 5 words, d_think 17.
    assert distillation(PERFECT, tagged=True) == pytest.approx(0.8 * (1 - 5 / 17))
    assert wr.rationale_spans(PERFECT, True) == (f"<think>{CONCISE}</think>", f"<d_think>{DETAILED}</d_think>")
    assert wr.rationale_spans(PERFECT, False) == (CONCISE, DETAILED)


def test_wrong_order_fails_format_only():
    assert ROBUST.format(WRONG_ORDER) == 0.0
    assert all_components(ROBUST, WRONG_ORDER) == (1.0, 1.0, 1.0, 1.0)
    assert distillation(WRONG_ORDER) == pytest.approx(0.8 * (1 - 5 / 17))  # as upstream: gated on IoU, not format


def test_missing_d_think_loses_format_and_distillation():
    assert ROBUST.format(MISSING_D_THINK) == 0.0
    assert ROBUST.answer_schema(MISSING_D_THINK) == 1.0
    assert distillation(MISSING_D_THINK) == 0.0
    assert distillation(MISSING_D_THINK.replace("</answer>", "</answer><d_think>unclosed")) == 0.0


def test_robust_placeholder_detection_takes_any_copy():
    assert ROBUST.zeroes_all(PLACEHOLDER_COPY)
    assert ROBUST.zeroes_all("<think>streamlined thinking process here</think>")  # without the spaces too
    assert not ROBUST.zeroes_all(PERFECT)
    assert not RewardRules("pixelthink", "robust").zeroes_all(PLACEHOLDER_COPY)  # PixelThink zeroes nothing


def test_long_concise_part_gets_no_distillation():
    assert ROBUST.format(LONG_CONCISE) == 1.0
    assert distillation(LONG_CONCISE) == 0.0  # 25 concise words against 17: max(0, 1 - 25/17) = 0
    assert wr.distillation_score(0.9, 17, 17) == 0.0
    assert wr.distillation_score(0.9, 3, 0) == 0.0


def test_box_rewards_continuous_iou_l1_and_the_gate():
    half = PERFECT.replace("[100,100,299,399]", "[100,100,199,399]")  # 100 x 300 inside 200 x 300: IoU 0.5
    assert ROBUST.box_iou(half, GT_BOX) == pytest.approx(0.5)
    assert box_iou_reward(ROBUST, RewardConfig(box_iou_threshold=0.5), half, GT_BOX) == 0.0  # PixelThink's 0/1 reward
    assert ROBUST.box_l1(half, GT_BOX, 10.0) == 0.0  # mean |diff| = 100 / 4 = 25 px
    assert distillation(half) == 0.0  # IoU must exceed 0.5
    near = PERFECT.replace("[100,100,299,399]", "[110,110,309,409]")  # every corner 10 px off
    assert ROBUST.box_l1(near, GT_BOX, 10.0) == 0.0 and ROBUST.box_l1(near, GT_BOX, 10.5) == 1.0
    assert ROBUST.box_l1(PERFECT.replace("[100,100,299,399]", "[109,109,308,408]"), GT_BOX, 10.0) == 1.0
    assert wr.box_iou([0, 0, 9, 9], [10, 10, 19, 19]) == 0.0
    assert wr.box_iou([0, 0, 9, 9], [5, 0, 14, 9]) == pytest.approx(50 / 150)  # 5 x 10 (+1 convention) over 150


def test_points_reward_best_pairing_box_and_distance():
    swapped = PERFECT.replace('"points_1": [150,200], "points_2": [250,300]', '"points_1": [250,300], "points_2": [150,200]')
    assert ROBUST.points(swapped, GT_POINTS, 100.0) == 1.0
    far = PERFECT.replace('"points_1": [150,200]', '"points_1": [150,399]')  # 199 px off: mean 99.5 < 100
    assert ROBUST.points(far, GT_POINTS, 100.0) == 1.0
    farther = PERFECT.replace('"points_1": [150,200]', '"points_1": [299,399]')  # mean (sqrt(149^2+199^2)+0)/2 = 124
    assert wr.paired_point_distance([(299, 399), (250, 300)], GT_POINTS) == pytest.approx(124.3, abs=0.1)
    assert ROBUST.points(farther, GT_POINTS, 100.0) == 0.0
    outside = PERFECT.replace("[100,100,299,399]", "[100,100,200,399]")  # (250, 300) falls outside the predicted box
    assert ROBUST.points(outside, GT_POINTS, 100.0) == 0.0


@pytest.mark.parametrize("text", [
    "<think>x</think><answer>not json</answer><d_think>y</d_think>",
    '<think>x</think><answer>{"bbox": [10, 10, 20]}</answer><d_think>y</d_think>',
    '<think>x</think><answer>{"bbox": [30,30,20,20], "points_1": [1,1], "points_2": [2,2]}</answer><d_think>y</d_think>',
    '<think>x</think><answer>{"bbox": [10,10,20,20], "points_1": [12,12]}</answer><d_think>y</d_think>',
    "<think>never closed",
])
def test_robust_malformed_answers_score_zero_without_raising(text):
    assert ROBUST.answer_schema(text) == 0.0
    assert ROBUST.box_iou(text, GT_BOX) == ROBUST.box_l1(text, GT_BOX, 10.0) == ROBUST.points(text, GT_POINTS, 100.0) == 0.0
    assert distillation(text) == 0.0


def test_pixelthink_length_budget_and_penalty():
    assert wr.length_budget(6.0, uncertainty=0.4) == pytest.approx(266.0)
    assert wr.length_budget(4.0) is None and wr.length_budget(2.0) == 96.0 and wr.length_budget(3.0) == 96.0
    assert wr.length_score(50, 96.0) == 1.0 and wr.length_score(346, 96.0) == pytest.approx(0.5)
    assert wr.length_score(2000, 96.0) == 0.0 and wr.length_score(2000, None) == 1.0
    assert wr.pixelthink_length_penalty(4.0, 346, difficulty=2.0) == pytest.approx(-2.0)  # 4 + (-2) = 4 * 0.5
    assert wr.pixelthink_length_penalty(4.0, 5000, difficulty=4.0) == 0.0


def test_mask_iou_ignores_ignore_pixels():
    gt = np.zeros((4, 4), np.uint8)
    gt[:2] = 1
    gt[3] = 255
    prediction = np.zeros((4, 4), bool)
    prediction[1:] = True  # 4 hits, 4 false positives on row 2, row 3 ignored
    assert wr.mask_iou(prediction, gt) == pytest.approx(4 / 12)


# ---------------------------------------------------------------- through TRL's calling convention


def trl_call(reward, texts, completion_ids=None, log_metric=None, **columns):
    """Call a reward as TRL 1.16's GRPOTrainer._calculate_rewards does; a column given as a list is per completion."""
    completions = [[{"role": "assistant", "content": text}] for text in texts]
    count = len(texts)
    batch = {key: value if isinstance(value, list) and key.startswith("per_") else [value] * count for key, value in columns.items()}
    batch = {key.removeprefix("per_"): value for key, value in batch.items()}
    return reward(prompts=[[{"role": "user", "content": "p"}]] * count, completions=completions,
                  completion_ids=completion_ids or [[index] for index in range(count)], trainer_state=None,
                  log_extra=lambda *a: None, log_metric=log_metric or (lambda *a: None), **batch)


@pytest.fixture(scope="module")
def qwen():
    pytest.importorskip("transformers")
    from tiny_models import qwen_tokenizer

    return qwen_tokenizer()


def test_reward_set_follows_the_config_and_zeroes_placeholder_copies(qwen):
    pytest.importorskip("sentence_transformers")
    from wise.train.reward_functions import build_rewards

    rewards = build_rewards(RewardConfig(), qwen)
    assert rewards.names() == ["format", "answer_schema", "box_iou", "box_l1", "points", "self_distillation"]
    assert rewards.weights == [1.0] * 6
    texts = [PERFECT, WRONG_ORDER, MISSING_D_THINK, PLACEHOLDER_COPY, LONG_CONCISE]
    scores = {fn.__name__: trl_call(fn, texts, gt_box=GT_BOX, gt_points=GT_POINTS) for fn in rewards.functions}
    assert scores["format"] == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert scores["answer_schema"] == scores["box_iou"] == scores["box_l1"] == scores["points"] == [1.0, 1.0, 1.0, 0.0, 1.0]
    distill = scores["self_distillation"]
    assert 0.0 < distill[0] < 1.0 and distill[1] == pytest.approx(distill[0]) and distill[2:] == [0.0, 0.0, 0.0]
    # The robust option stays available: it reads the answer tag, so a box inside <think> does not count first.
    in_think = PERFECT.replace(f"<think>{CONCISE}", '<think>maybe {"bbox": [0,0,9,9]}')
    robust = build_rewards(RewardConfig(parse_policy="robust", weights=NO_DISTILLATION), qwen)
    upstream = build_rewards(RewardConfig(weights=NO_DISTILLATION), qwen)
    assert [trl_call(fn, [in_think], gt_box=GT_BOX, gt_points=GT_POINTS)[0] for fn in robust.functions] == [1.0] * 5
    assert [trl_call(fn, [in_think], gt_box=GT_BOX, gt_points=GT_POINTS)[0] for fn in upstream.functions] == [1.0, 0.0, 0.0, 0.0, 0.0]


def test_self_distillation_with_real_minilm_and_qwen_counts(qwen):
    pytest.importorskip("sentence_transformers")
    from wise.train.reward_functions import SentenceSimilarity, token_counter

    similarity = SentenceSimilarity()  # the packaged all-MiniLM-L6-v2
    assert similarity(DETAILED, DETAILED) == pytest.approx(1.0, abs=1e-5)
    concise, detailed = f"<think>{CONCISE}</think>", f"<d_think>{DETAILED}</d_think>"
    count = token_counter(qwen)
    expected = similarity(concise, detailed) * (1 - count(concise) / count(detailed))
    value = self_distillation_score(RewardRules(), RewardConfig(), PERFECT, GT_BOX, similarity, count)
    assert value == pytest.approx(expected, abs=1e-6) and 0.1 < value < 1.0
    assert count(concise) > count(CONCISE)  # the tags are counted, as upstream


def test_optional_rewards_mask_iou_and_pixelthink_length(qwen):
    from PIL import Image

    from wise.train.reward_functions import build_rewards
    from wise.train.uncertainty import RolloutUncertainty

    only = {name: 0.0 for name in REWARD_NAMES} | {"mask_iou": 1.0, "pixelthink_length": 0.5}
    config = RewardConfig(weights=only, mask_segmenter="grabcut")
    with pytest.raises(ValueError, match="RolloutUncertainty"):
        build_rewards(config, qwen)
    probe = RolloutUncertainty()
    rewards = build_rewards(config, qwen, uncertainty=probe)
    assert rewards.names() == ["mask_iou", "pixelthink_length"] and rewards.weights == [1.0, 0.5]
    image = np.full((112, 112, 3), 40, np.uint8)
    image[30:80, 20:90] = (220, 60, 60)
    gt = np.zeros((112, 112), np.uint8)
    gt[30:80, 20:90] = 1
    text = '<think>a</think><answer>{"bbox": [18,28,91,81], "points_1": [40,55], "points_2": [70,55]}</answer><d_think>b c</d_think>'
    mask_fn, length_fn = rewards.functions
    (iou, missing) = trl_call(mask_fn, [text, "no answer"], image=Image.fromarray(image), gt_mask=Image.fromarray(gt))
    assert iou > 0.7 and missing == 0.0
    long_text = text.replace("<think>a", "<think>" + "word " * 400)  # ~410 words: easy budget 96, score 0.37
    probe.record([[1], [2]], [0.0, 0.0])
    (short, long) = trl_call(length_fn, [text, long_text], completion_ids=[[1], [2]], gt_box=[20, 30, 89, 79], gt_points=[[40, 55], [70, 55]], difficulty=None)
    assert short == 0.0 and long < -1.0  # accuracy ~4.6 times (0.37 - 1): no difficulty is 3.0, an easy sample
    with pytest.raises(RuntimeError, match="not the 2 of the last recorded rollout"):
        trl_call(length_fn, [text, long_text], completion_ids=[[1], [3]], gt_box=[20, 30, 89, 79], gt_points=[[40, 55], [70, 55]], difficulty=None)


# ---------------------------------------------------------------- config and samples


def test_wise_yaml_holds_the_dataclass_defaults_and_overrides_apply():
    folder = Path(__file__).parent.parent / "wise" / "configs"
    config = load_config(folder / "wise.yaml")
    assert config.grpo == GRPOSettings() and config.rewards == RewardConfig() and config.seed == TrainConfig().seed
    assert (config.grpo.group_size, config.grpo.temperature, config.grpo.learning_rate) == (8, 1.0, 1e-6)
    assert (config.grpo.kl_coef, config.grpo.prompts_per_step, config.grpo.max_completion_length) == (5e-3, 16, 1300)
    tiny = load_config(folder / "tiny-cpu.yaml", ["model=some/model", "grpo.max_steps=3", "rewards.weights.mask_iou=0.5"])
    assert tiny.grpo.max_steps == 3 and tiny.rewards.weights["mask_iou"] == 0.5 and tiny.rewards.weights["format"] == 1.0
    with pytest.raises(WisebenchError, match="unknown key"):
        load_config(folder / "wise.yaml", ["grpo.groupsize=4"])
    with pytest.raises(WisebenchError, match="unknown reward"):
        load_config(folder / "wise.yaml", ["rewards.weights.iou=1"])
    with pytest.raises(WisebenchError, match="model is not set"):
        load_config(folder / "tiny-cpu.yaml")


def test_gradient_accumulation_makes_up_sixteen_prompts_of_eight():
    from wise.train.trainer import gradient_accumulation_steps

    config = TrainConfig()
    assert gradient_accumulation_steps(config, world_size=8) == 8  # 128 completions / (2 per device x 8)
    assert gradient_accumulation_steps(config, world_size=1) == 64
    with pytest.raises(WisebenchError, match="not a multiple"):
        gradient_accumulation_steps(config, world_size=3)


def test_training_rows_from_reasonseg_mini():
    from wise.train.dataset import WISE_TRAINING, load_source_samples, training_row, training_targets

    sample = load_source_samples("reasonseg-mini", "val", None, 1)[0]
    row = training_row(sample, 840)
    assert row["image"].size == (840, 840) and row["gt_mask"].size == (840, 840)
    x1, y1, x2, y2 = row["gt_box"]
    assert 0 <= x1 < x2 < 840 and 0 <= y1 < y2 < 840
    assert all(x1 <= x <= x2 and y1 <= y <= y2 for x, y in row["gt_points"]) and len(row["gt_points"]) == 2
    mask = np.asarray(row["gt_mask"])
    assert all(mask[y, x] == 1 for x, y in row["gt_points"])
    text = row["prompt"][0]["content"][1]["text"]
    question = sample.query.lower().strip(".")
    assert text == (  # mrazhou/WISE verl/utils/rl_dataset.py, after its "<image>"
        f"Please find '{question}' with bbox and points.Compare the difference between objects and find the most closely "
        "matched one.Output the detailed thinking process in <d_think> </d_think>, the streamlined thinking process in "
        "<think> </think> and final answer in <answer> </answer> tags.Output the one bbox and points of two largest "
        "inscribed circles inside the interested object in JSON format.i.e., <think> streamlined thinking process here "
        '</think><answer>{"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer><d_think> '
        "detailed thinking process here </d_think>"
    )
    assert row["prompt"][0]["content"][0]["type"] == "image" and WISE_TRAINING.prompt(sample.query) == text
    thin = np.zeros((10, 10), np.uint8)
    thin[4, 2:8] = 1
    box, points = training_targets(thin)
    assert box == [2, 4, 7, 4] and len(points) == 2 and all(thin[y, x] == 1 for x, y in points)
    dot = np.zeros((5, 5), np.uint8)
    dot[2, 3] = 1
    assert training_targets(dot) == ([3, 2, 3, 2], [[3, 2], [3, 2]])  # one inscribed circle: the point repeats
    assert training_targets(np.zeros((5, 5), np.uint8)) is None


def test_segzero_format_rows_are_rescaled(tmp_path):
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    from wise.train.config import DataConfig
    from wise.train.dataset import build_training_dataset

    image = Image.new("RGB", (420, 210), (10, 20, 30))
    table = datasets.Dataset.from_dict({
        "image": [image], "problem": ["The red mug."],
        "solution": ["<box>(10,20),(110,120)</box><points>(30,40),(60,70)</points>"],
    })
    table.save_to_disk(str(tmp_path / "refcocog_tiny"))
    data = DataConfig(hf_dataset=str(tmp_path / "refcocog_tiny"), image_size=840)
    (row,) = build_training_dataset(data, tmp_path / "cache")
    assert row["image"].size == (840, 840) and row["gt_mask"] is None and row["query"] == "The red mug."
    assert row["gt_box"] == [20, 80, 220, 480] and row["gt_points"] == [[60, 160], [120, 280]]
    assert "Please find 'the red mug' with bbox and points." in row["prompt"][0]["content"][1]["text"]
    with pytest.raises(WisebenchError, match="no masks"):
        load_config(None, ["rewards.weights.mask_iou=1"])


def test_refcoco_family_gives_its_train_split(tmp_path, monkeypatch):
    from test_refcoco import umd_refs, write_dataset, write_images  # the refer-layout fixture builders

    from wisebench.data.refcoco import COCO_IMAGES_ENV
    from wise.train.dataset import load_source_samples

    root = tmp_path / "refer_seg"
    write_dataset(root, "refcocog", "umd", umd_refs())
    write_images(root / "images" / "mscoco" / "images" / "train2014")
    monkeypatch.delenv(COCO_IMAGES_ENV, raising=False)
    (sample,) = load_source_samples("refcocog", "train", str(root), None)
    assert sample.query == "train only"
    with pytest.raises(WisebenchError, match="no split 'train'"):
        load_source_samples("reasonseg-mini", "train", None, None)


def test_scale_settings_reach_grpo_config_and_the_packaged_files_exist(tmp_path, monkeypatch):
    import json
    import tomllib

    pytest.importorskip("trl")
    from wise.train.config import CONFIGS_FOLDER, config_file
    from wise.train.trainer import grpo_arguments

    ds = json.loads((CONFIGS_FOLDER / "ds_zero3.json").read_text())
    assert ds["zero_optimization"]["stage"] == 3 and ds["train_micro_batch_size_per_gpu"] == "auto"
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert "configs/*.json" in project["tool"]["setuptools"]["package-data"]["wise"]
    extras = project["project"]["optional-dependencies"]
    assert any(item.startswith("deepspeed") for item in extras["train"])
    assert "vllm>=0.22.0,<=0.31.0" in extras["vllm"]  # trl 1.16's accepted range (trl/import_utils.py)
    monkeypatch.chdir(tmp_path)  # from anywhere: the packaged file is found by name
    assert config_file("wise/configs/ds_zero3.json", "DeepSpeed config", "--set grpo.deepspeed=FILE") == CONFIGS_FOLDER / "ds_zero3.json"
    with pytest.raises(WisebenchError, match="ds_zero3.json"):
        config_file("ds_zero2.json", "DeepSpeed config", "--set grpo.deepspeed=FILE")

    config = load_config(CONFIGS_FOLDER / "wise.yaml", [
        f"output_dir={tmp_path / 'out'}", "grpo.use_cpu=true", "grpo.bf16=false", "grpo.save_total_limit=1",
        "grpo.save_optimizer_state=false", "grpo.vllm_mode=server", "grpo.vllm_server_port=8123",
    ])
    args = grpo_arguments(config, [1.0] * 6, world_size=8)
    assert (args.save_steps, args.save_total_limit, args.save_only_model, str(args.save_strategy)) == (50, 1, True, "SaveStrategy.STEPS")
    assert (args.use_vllm, args.vllm_mode, args.vllm_tensor_parallel_size, args.vllm_gpu_memory_utilization, args.vllm_server_port) == (False, "server", 2, 0.5, 8123)
    assert args.gradient_accumulation_steps == 8
    config.grpo.save_steps = 0
    assert str(grpo_arguments(config, [1.0] * 6, world_size=8).save_strategy) == "SaveStrategy.NO"
    with pytest.raises(WisebenchError, match="vllm_mode"):
        load_config(CONFIGS_FOLDER / "wise.yaml", ["grpo.vllm_mode=remote"])
    with pytest.raises(WisebenchError, match="parse_policy"):
        load_config(CONFIGS_FOLDER / "wise.yaml", ["rewards.parse_policy=lenient"])


def test_missing_training_data_is_one_message_naming_the_flag(tmp_path, monkeypatch):
    pytest.importorskip("datasets")
    from wise.train.config import DataConfig
    from wise.train.dataset import build_training_dataset

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WisebenchError) as missing:
        build_training_dataset(DataConfig(hf_dataset=str(tmp_path / "nowhere")), tmp_path / "cache")
    message = str(missing.value)
    assert "training data not found" in message and "--set data.hf_dataset=" in message and "--data-dir" not in message
    assert str(tmp_path / "nowhere") in message


def test_visionreasoner_solutions_are_named(tmp_path):
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    from wise.train.config import DataConfig
    from wise.train.dataset import build_training_dataset

    table = datasets.Dataset.from_dict({
        "image": [Image.new("RGB", (84, 84))], "problem": ["the mug"],
        "solution": ['[{"bbox_2d": [10,20,30,40], "point_2d": [20,30]}]'],
    })
    table.save_to_disk(str(tmp_path / "vr"))
    with pytest.raises(WisebenchError, match="VisionReasoner's bbox_2d / point_2d JSON"):
        build_training_dataset(DataConfig(hf_dataset=str(tmp_path / "vr")), tmp_path / "cache")
