"""The run loop's thread pipeline (runner/stages.py): order kept, errors raised to the consumer, and when the consumer
stops, the model's finished work is still scored and handed back (never lost, never twice)."""

from __future__ import annotations

import threading
import time

import pytest

from wisebench.runner.stages import Pipeline


def test_results_come_in_order_through_every_stage():
    pipeline = Pipeline(range(20), [lambda x: x * 2, lambda x: x + 1], depth=2)
    assert list(pipeline) == [2 * x + 1 for x in range(20)]
    assert not pipeline.busy and pipeline.finished() == []


def test_an_error_in_a_stage_reaches_the_consumer_after_the_items_before_it():
    def fragile(x):
        if x == 5:
            raise ValueError("bad item 5")
        return x

    seen = []
    with pytest.raises(ValueError, match="bad item 5"):
        for item in Pipeline(range(10), [fragile, lambda x: x]):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_an_error_in_the_item_source_reaches_the_consumer():
    def items():
        yield 1
        raise OSError("unreadable annotation")

    with pytest.raises(OSError, match="unreadable annotation"):
        list(Pipeline(items(), [lambda x: x]))


def test_a_stopped_consumer_gets_the_finished_work_back_once():
    """The consumer stops after one result (as on Ctrl-C): whatever the model stage had finished is still scored by
    the last stage and returned by finished(); consumed + finished is a gap-free prefix of the results."""
    modeled = []

    def model(x):
        time.sleep(0.01)
        modeled.append(x)
        return x

    def score(x):
        time.sleep(0.05)  # slower than the model: finished model work waits in the queue before it
        return -x

    pipeline = Pipeline(range(50), [model, score], depth=3)
    results = iter(pipeline)
    consumed = [next(results)]
    time.sleep(0.3)
    results.close()
    left = pipeline.finished()
    assert not pipeline.busy
    handed = consumed + left
    assert handed == [-x for x in range(len(handed))]  # in order, none twice, none skipped
    assert len(handed) >= 2 and len(handed) >= len(modeled) - 1  # the model's work was scored, at most one in flight lost


def test_a_stage_stuck_in_a_long_call_is_reported_busy(monkeypatch):
    monkeypatch.setattr("wisebench.runner.stages.JOIN_SECONDS", 0.2)
    release = threading.Event()

    def slow_model(x):
        if x == 1:
            release.wait(10)
        return x

    pipeline = Pipeline(range(5), [slow_model, lambda x: x])
    results = iter(pipeline)
    assert next(results) == 0
    time.sleep(0.1)
    results.close()
    assert pipeline.busy  # the executor must not free the model under it
    release.set()
    time.sleep(0.3)
    assert not pipeline.busy


def test_ctrl_c_mid_run_writes_what_was_scored_and_resumes_without_duplicates(tmp_path):
    import _thread
    import json

    from wisebench.adapters.oracle import OracleAdapter
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run
    from wisebench.runner.store import read_records

    class TwoStageOracle(OracleAdapter):
        def stages(self):
            return [self.think, self.predict]

        def think(self, samples):
            time.sleep(0.05)
            return samples

    config = RunConfig(model="oracle", suite="reasonseg-mini", split="val", out=str(tmp_path), batch_size=2)
    folder = tmp_path / config.run_id()

    def interrupt_after_first_records():
        deadline = time.time() + 60
        while time.time() < deadline:
            if (folder / "records.jsonl").exists() and (folder / "records.jsonl").read_bytes().count(b"\n") >= 2:
                _thread.interrupt_main()
                return
            time.sleep(0.01)

    threading.Thread(target=interrupt_after_first_records, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        execute_run(config, progress=False, adapter_factory=lambda cfg: TwoStageOracle(cfg.model_options()))
    kept = read_records(folder)
    assert 2 <= len(kept) < 32 and len({r["sample_id"] for r in kept}) == len(kept)
    assert json.loads((folder / "run.json").read_text())["status"] == "interrupted"
    result = execute_run(RunConfig(model="oracle", suite="reasonseg-mini", split="val", out=str(tmp_path), batch_size=2), progress=False)
    ids = [record["sample_id"] for record in result.records]
    assert len(ids) == len(set(ids)) == 32 and result.records[: len(kept)] == kept


def test_a_batch_interrupted_mid_write_is_cut_back_and_written_once(tmp_path, monkeypatch):
    """Ctrl-C between two writes of a batch: the file is cut back to whole lines; the run loop's write_once then
    writes what the file does not hold, and nothing twice."""
    import os as real_os

    from wisebench.runner.run import write_once
    from wisebench.runner.store import RunStore, read_records
    from wisebench.scoring.record import SampleRecord

    def record(index: int) -> SampleRecord:
        return SampleRecord(sample_id=f"s{index}", image_id=f"s{index}", subsets=[], query="q", prompt_hash=None, scores={})

    with RunStore(tmp_path / "run") as store:
        store.append([record(0), record(1)])
        calls = {"n": 0}
        write = real_os.write

        def interrupted_write(descriptor, data):
            calls["n"] += 1
            if calls["n"] == 1:
                write(descriptor, data[: len(data) // 2])  # half a batch on disk, then the signal
                raise KeyboardInterrupt
            return write(descriptor, data)

        monkeypatch.setattr("wisebench.runner.store.os.write", interrupted_write)
        with pytest.raises(KeyboardInterrupt):
            store.append([record(2), record(3)])
        monkeypatch.setattr("wisebench.runner.store.os.write", write)
        assert [r["sample_id"] for r in read_records(tmp_path / "run")] == ["s0", "s1"]  # cut back: whole lines
        assert write_once(store, [[record(2), record(3)], [record(1), record(4)]]) == 3
    assert [r["sample_id"] for r in read_records(tmp_path / "run")] == ["s0", "s1", "s2", "s3", "s4"]
