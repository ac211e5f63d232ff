"""The packaged recipes end to end: `wisebench run --suite lm-eval:verithinker/aime24` (and thinkless/math500) on
local fixtures with the upstream datasets' columns, through lm-eval, with a scripted stand-in backend: repeats,
stop string, the instruction exactly once, the scripts' scorers, token conventions and what run.json records; the
recipes under lm-eval itself; the generic path with the published specs' new defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("lm_eval")
pytest.importorskip("math_verify")

import text_recipes  # noqa: E402
import text_standin  # noqa: E402
from text_recipes import SCRIPT, THINKLESS_HEAD, VERITHINKER_TAIL, localize_recipes  # noqa: E402
from tiny_models import qwen_tokenizer  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402
from wisebench.text import recipes  # noqa: E402

AIME24 = [  # Maxwell-Jia/AIME_2024's columns
    {"ID": "2024-I-1", "Problem": "Find A.", "Solution": "...", "Answer": 5},
    {"ID": "2024-I-2", "Problem": "Find B.", "Solution": "...", "Answer": 12},
    {"ID": "2024-I-3", "Problem": "Find C.", "Solution": "...", "Answer": 7},
]
AIME24_SCRIPT = {  # problem -> outputs by repeat (seed % len); the stand-in stops at "\n</think>" as vLLM does
    "Find A.": [("2 plus 3.\nSo \\boxed{5}.\n</think>\n\nThe answer is \\boxed{5}.", "stop"), ("Hmm, \\boxed{4}.\n</think>\n\n\\boxed{5}", "stop")],
    "Find B.": [("Maybe \\boxed{\\frac{1}{2}}\n</think>\n\nIt is 12.", "stop")],  # box 'frac{1' is no float: digits "12"
    "Find C.": [("Let me think: 3+4 = 7 and then", "length")],  # truncated: scored as it stands (lenient)
}
MATH500 = [  # HuggingFaceH4/MATH-500's columns
    {"problem": "Compute 2+2.", "solution": "...", "answer": "4", "subject": "Algebra", "level": 1, "unique_id": "a"},
    {"problem": "Halve one.", "solution": "...", "answer": "\\frac{1}{2}", "subject": "Algebra", "level": 1, "unique_id": "b"},
]
MATH500_SCRIPT = {
    "Compute 2+2.": [("<think>\nIt might be \\boxed{3}.</think>\nNo: \\boxed{4}", "stop")],  # the last box of the whole response
    "Halve one.": [("<short>Half of one is \\boxed{\\frac12}.", "stop"), ("<short>\\boxed{2}", "stop")],
}


@pytest.fixture(autouse=True)
def standins(monkeypatch, tmp_path):
    text_recipes.register()
    text_standin.register()
    SCRIPT.calls.clear()
    SCRIPT.outputs.clear()
    copy = localize_recipes(tmp_path, {"verithinker/aime24": AIME24, "thinkless/math500": MATH500})
    monkeypatch.setattr(recipes, "RECIPES_ROOT", copy)
    yield


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def only_run(out: Path) -> Path:
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


def test_verithinker_aime24_recipe_end_to_end(tmp_path, capsys):
    SCRIPT.outputs.update(AIME24_SCRIPT)
    argv = ["run", "--model", "verithinker-standin", "--suite", "lm-eval:verithinker/aime24", "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "30"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "generation budget: 16384 new tokens (the task's max_gen_toks)" in err
    assert "parse verithinker-aime" in out and "verithinker convention" in out

    # eval_aime24.py:13: every problem 8 times, one record each, seeds --seed + repeat.
    folder = only_run(tmp_path / "runs")
    records = {record["sample_id"]: record for record in read_records(folder)}
    assert sorted(records) == sorted(f"{doc}/r{repeat}" for doc in range(3) for repeat in range(8))
    assert sorted(call.settings.seed for call in SCRIPT.calls) == list(range(8))
    for call in SCRIPT.calls:
        # eval_aime24.py:32 SamplingParams, and the text prompt's tokenization with special tokens (vLLM's second BOS)
        assert call.request.stop == ("\n</think>",) and call.request.prompt_special_tokens
        settings = call.settings
        assert (settings.max_new_tokens, settings.do_sample, settings.temperature, settings.top_p) == (16384, True, 0.6, 0.95)
        # eval_aime24.py:41-48: the raw problem plus the tail, the instruction exactly once (the spec's own is not added)
        assert sorted(call.prompts) == sorted(doc["Problem"] + VERITHINKER_TAIL for doc in AIME24)
        assert all(prompt.count("Please reason step by step") == 1 for prompt in call.prompts)

    tokenizer = qwen_tokenizer()
    chain = records["0/r0"]["prediction"]
    assert chain["raw_text"] == "2 plus 3.\nSo \\boxed{5}." and chain["stop_string"] == "\n</think>"  # text ends before the stop
    assert chain["reasoning_text"] == chain["raw_text"] and chain["answer_text"] == "" and not chain["truncated"]
    assert chain["scored_text"] == chain["raw_text"]  # the answer is read from the chain
    for record in records.values():
        prediction = record["prediction"]
        assert prediction["parse_policy"] == "verithinker-aime" and prediction["token_convention"] == "verithinker"
        assert prediction["tokens"]["conventions"]["verithinker"] == len(tokenizer.encode(prediction["raw_text"]))
        assert prediction["tokens"]["conventions"]["wisebench"] == prediction["tokens"]["reasoning"]

    # Scores per the script's rule: A right on even repeats, B right by the digits of its last token, C truncated
    # but scored (the script's own behaviour; strict would score it empty).
    correct = {key: record["scores"]["lm-eval"]["correct,all_responses"] for key, record in records.items()}
    assert [correct[f"0/r{repeat}"] for repeat in range(8)] == [1.0, 0.0] * 4
    assert all(correct[f"1/r{repeat}"] == 1.0 and correct[f"2/r{repeat}"] == 1.0 for repeat in range(8))
    run_document = json.loads((folder / "run.json").read_text())
    summary = run_document["summary"]
    assert summary["subsets"]["overall"]["accuracy"] == pytest.approx(20 / 24)
    assert summary["subsets"]["overall"]["accuracy_strict"] == pytest.approx(12 / 24)
    assert summary["truncation_policy"] == "lenient" and summary["truncated"]["n"] == 8
    assert summary["token_convention"] == "verithinker" and summary["parse"]["policy"] == "verithinker-aime"
    counts = [record["prediction"]["tokens"]["conventions"]["verithinker"] for record in records.values()]
    assert summary["tokens"]["reasoning"]["mean"] == pytest.approx(sum(counts) / len(counts))
    assert set(summary["tokens"]["reasoning_by_convention"]) == {"wisebench", "verithinker", "thinkless"}

    model = run_document["model"]
    assert model["recipe"] == "verithinker/aime24" and model["parse_policy"] == "verithinker-aime" and model["token_convention"] == "verithinker"
    assert model["repeats"] == 8 and model["stop"] == ["\n</think>"] and model["prompt_special_tokens"] is True
    assert model["generation_budget"] == {"max_new_tokens": 16384, "source": "the task's max_gen_toks"}
    assert model["instruction"] == {"added": 0, "already_in_task_prompt": 3}

    # The same command resumes: nothing is generated again.
    calls = len(SCRIPT.calls)
    assert run(capsys, *argv)[0] == 0 and len(SCRIPT.calls) == calls


def test_set_wins_over_the_recipe(tmp_path, capsys):
    SCRIPT.outputs.update(AIME24_SCRIPT)
    code, _, err = run(capsys, "run", "--model", "verithinker-standin", "--suite", "lm-eval:verithinker/aime24", "--out", str(tmp_path / "runs"), "--no-progress",
                       "--set", "max_new_tokens=64", "--set", "repeats=2", "--set", "truncated=strict", "--set", "token_convention=wisebench")
    assert code == 0, err
    assert "generation budget: 64 new tokens (--set max_new_tokens)" in err
    folder = only_run(tmp_path / "runs")
    run_document = json.loads((folder / "run.json").read_text())
    assert len(read_records(folder)) == 6 and run_document["model"]["generation_budget"]["source"] == "--set max_new_tokens"
    summary = run_document["summary"]
    assert summary["truncation_policy"] == "strict" and summary["token_convention"] == "wisebench"
    assert summary["subsets"]["overall"]["accuracy"] == pytest.approx(3 / 6)  # A once, B twice, C never (strict)


def test_thinkless_math500_recipe_end_to_end(tmp_path, capsys):
    SCRIPT.outputs.update(MATH500_SCRIPT)
    code, out, err = run(capsys, "run", "--model", "thinkless-standin", "--suite", "lm-eval:thinkless/math500", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 0, err
    assert "generation budget: 32768 new tokens (the task's max_gen_toks)" in err
    folder = only_run(tmp_path / "runs")
    records = {record["sample_id"]: record for record in read_records(folder)}
    assert len(records) == 10  # run_eval.sh:5: 5 seeded repeats
    for call in SCRIPT.calls:
        assert call.request.stop == ("<｜end▁of▁sentence｜>", "<|im_end|>") and not call.request.prompt_special_tokens
        assert call.settings.max_new_tokens == 32768
        # math_500.yaml:5: the instruction is the task's, exactly once (the spec's own would prefix it again)
        assert sorted(call.prompts) == sorted(THINKLESS_HEAD + doc["problem"] for doc in MATH500)
        assert all(prompt.count("Please reason step by step") == 1 for prompt in call.prompts)
    correct = {key: record["scores"]["lm-eval"]["correct,all_responses"] for key, record in records.items()}
    assert all(correct[f"0/r{repeat}"] == 1.0 for repeat in range(5))  # the last box of the whole response
    assert [correct[f"1/r{repeat}"] for repeat in range(5)] == [1.0, 0.0, 1.0, 0.0, 1.0]
    think, short = records["0/r0"]["prediction"], records["1/r0"]["prediction"]
    assert think["scored_text"] == think["raw_text"] and think["mode"] == "think" and short["mode"] == "short"
    tokens = think["tokens"]["conventions"]["thinkless"]
    assert isinstance(tokens, int) and tokens > think["tokens"]["generated"]  # prompt and template tokens count too
    summary = json.loads((folder / "run.json").read_text())["summary"]
    assert summary["parse"]["policy"] == "thinkless-math" and summary["token_convention"] == "thinkless"
    assert summary["subsets"]["overall"]["accuracy"] == pytest.approx(8 / 10)
    assert summary["subsets"]["mode-short"]["n"] == 5


def test_thinkless_own_style_yaml_gets_the_instruction_once_and_its_budget(tmp_path, capsys):
    """A user's YAML whose doc_to_text carries the instruction (as Thinkless' eval_configs do): the spec's instruction
    is not added again, and the task's max_gen_toks is the budget; the rest of the generic path is unchanged."""
    data = tmp_path / "math.json"
    data.write_text(json.dumps(MATH500))
    task = tmp_path / "own_math.yaml"
    task.write_text(
        "task: own_math\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: " + str(data) + "\ntest_split: test\noutput_type: generate_until\n"
        'doc_to_text: "Please reason step by step, and put your final answer within \\\\boxed{}.\\n{{problem}}"\ndoc_to_target: "{{answer}}"\n'
        "generation_kwargs:\n  until: []\n  max_gen_toks: 777\n  do_sample: false\n"
        "filter_list:\n  - name: box\n    filter:\n      - function: regex\n        regex_pattern: 'boxed\\{(.*)\\}'\n      - function: take_first\n"
        "metric_list:\n  - metric: exact_match\n"
    )
    SCRIPT.outputs.update(MATH500_SCRIPT)
    code, _, err = run(capsys, "run", "--model", "thinkless-standin", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", "--set", "repeats=1")
    assert code == 0, err
    assert "generation budget: 777 new tokens (the task's max_gen_toks)" in err
    assert all(prompt.count("Please reason step by step") == 1 for call in SCRIPT.calls for prompt in call.prompts)
    assert all(call.settings.do_sample and call.settings.max_new_tokens == 777 for call in SCRIPT.calls)  # sampling stays the spec's
    run_document = json.loads((only_run(tmp_path / "runs") / "run.json").read_text())
    assert run_document["model"]["instruction"] == {"added": 0, "already_in_task_prompt": 2}
    assert run_document["model"]["parse_policy"] == "lm-eval" and run_document["summary"]["parse"]["policy"] == "lm-eval"


def test_verithinker_spec_on_a_generic_task_stops_and_scores_the_chain(tmp_path, capsys):
    """lm-eval's own scorer on a generic task: the spec's stop string ends the chain, the chain is what is scored."""
    task = text_standin.write_task(tmp_path / "task")
    SCRIPT.outputs.update({f"Question: {question}": [(f"so the answer is {index + 1}\n</think>\n\nthe answer is 99", "stop")] for index, question in enumerate(text_standin.QUESTIONS)})
    code, _, err = run(capsys, "run", "--model", "verithinker-standin", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 0, err
    assert all(call.request.stop == ("\n</think>",) and not call.request.prompt_special_tokens for call in SCRIPT.calls)
    assert all(prompt.endswith(VERITHINKER_TAIL) and prompt.count("Please reason") == 1 for call in SCRIPT.calls for prompt in call.prompts)
    summary = json.loads((only_run(tmp_path / "runs") / "run.json").read_text())["summary"]
    assert summary["subsets"]["overall"]["accuracy"] == 1.0 and summary["parse"]["policy"] == "lm-eval"


def test_recipes_run_under_lm_eval_itself():
    """The YAML is an ordinary lm-eval task: with its own `repeats` every response is scored and averaged."""
    import lm_eval
    from lm_eval.api.model import LM
    from lm_eval.tasks import TaskManager

    answers = iter(["\\boxed{5}", "\\boxed{4}"] * 4 + ["12"] * 8 + ["7"] * 8)

    class Replay(LM):
        def loglikelihood(self, requests): raise NotImplementedError

        def loglikelihood_rolling(self, requests): raise NotImplementedError

        def generate_until(self, requests):
            assert all(request.args[1]["until"] == ["\n</think>"] and request.args[1]["max_gen_toks"] == 16384 for request in requests)
            return [next(answers) for _ in requests]

    manager = TaskManager(include_path=str(recipes.RECIPES_ROOT / "verithinker"), include_defaults=False)
    results = lm_eval.simple_evaluate(model=Replay(), tasks=["verithinker_aime24"], task_manager=manager, bootstrap_iters=0, log_samples=True)
    assert len(results["samples"]["verithinker_aime24"][0]["resps"][0]) == 8  # 8 responses per problem
    assert results["results"]["verithinker_aime24"]["correct,all_responses"] == pytest.approx((4 + 8 + 8) / 24)


def test_recipe_names_and_an_unknown_one(tmp_path, capsys):
    assert {"verithinker/aime24", "verithinker/aime25", "verithinker/math500", "thinkless/aime24", "thinkless/math500", "thinkless/gsm8k", "thinkless/minerva_algebra"} <= set(recipes.recipe_names())
    code, _, err = run(capsys, "run", "--model", "verithinker-standin", "--suite", "lm-eval:verithinker/aime26", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "verithinker/aime24" in err


SHIPPED = {  # recipe -> (dataset_path, dataset_name, split, repeats, max_gen_toks), as the upstream code loads and runs it
    "verithinker/aime24": ("Maxwell-Jia/AIME_2024", None, "train", 8, 16384),  # eval_aime24.py:11,13,32
    "verithinker/aime25": ("math-ai/aime25", None, "test", 8, 16384),  # eval_aime25.py:12,14,33
    "verithinker/math500": ("HuggingFaceH4/MATH-500", None, "test", 1, 16384),  # eval_math500.py:13,14,33
    "thinkless/aime24": ("HuggingFaceH4/aime_2024", "default", "train", 5, 32768),  # aime_0shot_cot.yaml:1-2,18,39
    "thinkless/math500": ("HuggingFaceH4/MATH-500", "default", "test", 5, 32768),  # math_500.yaml:1-2,19,39
    "thinkless/gsm8k": ("openai/gsm8k", "main", "test", 5, 32768),  # gsm8k_8shot_cot.yaml:1-2,60,80
    "thinkless/minerva_algebra": ("EleutherAI/hendrycks_math", "algebra", "test", 5, 32768),  # algebra.yaml:4-9,18
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_recipes_name_the_upstream_data_and_settings(name):
    import re
    from fnmatch import fnmatch

    path = Path(recipes.__file__).parent / f"{name}.yaml"  # the packaged file, not the test's local copy
    text = path.read_text(encoding="utf-8")
    field_of = lambda key: (re.search(rf"^\s*{key}: (\S+)", text, re.MULTILINE) or [None, None])[1]  # noqa: E731
    dataset, dataset_name, split, repeats, budget = SHIPPED[name]
    assert (field_of("dataset_path"), field_of("dataset_name"), field_of("test_split")) == (dataset, dataset_name, split)
    assert (int(field_of("repeats")), int(field_of("max_gen_toks"))) == (repeats, budget)
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()  # [tool.setuptools.package-data]
    globs = json.loads(re.search(r'^"wisebench\.text\.recipes" = (\[.*\])$', pyproject, re.MULTILINE).group(1))
    assert any(fnmatch(f"{name}.yaml", pattern) for pattern in globs)  # installed as package data
