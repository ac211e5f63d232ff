"""Executors run batches and hand back their records; the run loop stays the single writer of the run folder.

- LocalExecutor: the adapter in this process, as a pipeline of threads: samples decoded ahead of the model
  (runner/prefetch.py), each adapter stage in its own thread (the reasoner of batch k+1 while the segmenter does
  batch k), scoring and RLE encoding behind the model, and the caller writing. Batches come out in order.
- RayExecutor: one adapter actor per worker (the model loaded once per actor), batches fanned out and records
  streamed back as they finish, in any order. A worker that dies mid-batch is replaced and its batch is retried on
  another worker: a batch's records reach the writer exactly once, since only a finished batch returns any.
  Connects to the cluster named by RAY_ADDRESS when set, else starts a local one.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any, Iterator

from wisebench.errors import BadSampleError, WisebenchError
from wisebench.runner.batch import BatchWork, predict_and_score, run_stages, score_batch
from wisebench.runner.build import AdapterFactory, build_adapter, build_scorer
from wisebench.runner.config import RunConfig
from wisebench.runner.prefetch import preload, preload_batch
from wisebench.runner.stages import Pipeline, pipelined
from wisebench.scoring.record import SampleRecord

MAX_ATTEMPTS = 3  # per batch: a batch that kills three workers is the batch's fault, not the workers'
PIPELINE_DEPTH = 2  # batches queued between two stages: loading runs this far ahead, scoring this far behind


class LocalExecutor:
    """`pipelined=False` runs the same steps one after the other in the caller's thread (the loop before the
    pipeline; kept for debugging and as the benchmark's baseline)."""

    def __init__(self, config: RunConfig, factory: AdapterFactory, pipelined: bool = True):
        self.config = config
        # --latency measures one sample at a time, alone on the device: no overlap, no streaming window.
        self.pipelined = pipelined and not config.latency_mode
        self.pipeline: Pipeline | None = None
        self.adapter = factory(config)
        self.scorer = build_scorer(config)
        self.restarts = 0

    def describe(self) -> dict[str, Any]:
        return self.adapter.describe()

    def workers(self) -> list[dict[str, Any]]:
        return [{"pid": os.getpid(), "executor": "local"}]

    def results(self, batches: list[list[Any]]) -> Iterator[list[SampleRecord]]:
        skip_bad, adapter = self.config.skip_bad, self.adapter
        warmup_batches = adapter.warmup_batches

        def load(numbered: tuple[int, list[Any]]) -> BatchWork:
            number, batch = numbered
            return BatchWork(number=number, samples=preload_batch(batch, parallel=self.pipelined), warmup=number < warmup_batches)

        def stage(index: int):
            return lambda work: run_stages(adapter, work, index, skip_bad)

        score = lambda work: score_batch(adapter, self.scorer, work, skip_bad)  # noqa: E731
        stage_count = len(adapter.stages())
        if self.pipelined and adapter.can_stream():
            self.pipeline = Pipeline(self._streamed(batches), [*[stage(index) for index in range(1, stage_count)], score], depth=PIPELINE_DEPTH)
            yield from self.pipeline
            return
        steps = [load, *[stage(index) for index in range(stage_count)], score]
        if not self.pipelined:
            for numbered in enumerate(batches):
                value: Any = numbered
                for step in steps:
                    value = step(value)
                yield value
            return
        self.pipeline = Pipeline(enumerate(batches), steps, depth=PIPELINE_DEPTH)
        yield from self.pipeline

    def salvage(self) -> list[list[SampleRecord]]:
        """After an interruption: the batches the pipeline finished scoring that were not handed out yet."""
        return self.pipeline.finished() if self.pipeline is not None else []

    def _streamed(self, batches: list[list[Any]]) -> Iterator[BatchWork]:
        """The first stage as a stream (continuous batching): every pending sample, decoded ahead in a thread, goes
        to the adapter, which keeps `window` of them in its engine and hands results on as they finish."""
        adapter, config = self.adapter, self.config
        flat = (sample for batch in batches for sample in batch)
        loaded = pipelined(flat, [preload], depth=2 * config.batch_size, name="wisebench-load")
        single_stage = len(adapter.stages()) == 1
        for number, (samples, state) in enumerate(adapter.stream(loaded, config.batch_size, max(config.window, 1))):
            work = BatchWork(number=number, samples=samples, warmup=number < adapter.warmup_batches)
            if isinstance(state, BadSampleError):
                if not config.skip_bad:
                    raise state
                work.predictions = [state]
            elif single_stage:
                work.predictions = list(state)
            else:
                work.state = state
            yield work

    def close(self) -> None:
        if self.pipeline is not None and self.pipeline.busy:
            # A stage is still inside the model (interrupted mid-generate): freeing the model under it could crash
            # the device; the process is ending and frees it.
            return
        self.adapter.close()


class AdapterWorker:
    """The Ray actor: builds the adapter once, then scores batches."""

    def __init__(self, config_json: dict, factory: AdapterFactory | None):
        self.config = RunConfig.from_json(config_json)
        self.adapter = (factory or build_adapter)(self.config)
        self.scorer = build_scorer(self.config)
        self.batches_done = 0

    def pid(self) -> int:
        return os.getpid()

    def describe(self) -> dict[str, Any]:
        return self.adapter.describe()

    def run_batch(self, batch: list[Any]) -> list[dict]:
        warmup = self.batches_done < self.adapter.warmup_batches
        records = predict_and_score(self.adapter, self.scorer, preload_batch(batch), self.config.skip_bad, warmup)
        self.batches_done += 1
        return [record.to_json() for record in records]


class RayExecutor:
    def __init__(self, config: RunConfig, factory: AdapterFactory | None, num_workers: int, gpus_per_worker: float):
        try:
            import ray
        except ImportError as error:
            raise WisebenchError("--executor ray needs Ray: pip install 'wisebench[ray]'") from error
        self.ray = ray
        if not ray.is_initialized():
            address = os.environ.get("RAY_ADDRESS")
            # Local cluster: one CPU slot per worker so they all start, whatever the machine's core count.
            options: dict[str, Any] = {} if address else {"num_cpus": max(num_workers, os.cpu_count() or 1)}
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False, **options)
            from wisebench.runner.signals import reinstall_after_ray

            reinstall_after_ray()  # ray.init's SIGTERM handler dumps a C++ stack and skips the interrupted status
        self.config = config
        self.factory = factory
        self.remote_class = ray.remote(num_cpus=1, num_gpus=gpus_per_worker, max_restarts=0)(AdapterWorker)
        self.actors = [self._start_actor() for _ in range(num_workers)]
        self.pids = {actor: pid for actor, pid in zip(self.actors, ray.get([a.pid.remote() for a in self.actors]))}
        self.restarts = 0

    def _start_actor(self):
        return self.remote_class.remote(self.config.to_json(), self.factory)

    def describe(self) -> dict[str, Any]:
        return self.ray.get(self.actors[0].describe.remote())

    def workers(self) -> list[dict[str, Any]]:
        return [{"pid": pid, "executor": "ray"} for pid in self.pids.values()]

    def _replace(self, dead) -> Any:
        self.actors.remove(dead)
        self.pids.pop(dead, None)
        self.ray.kill(dead, no_restart=True)
        fresh = self._start_actor()
        self.pids[fresh] = self.ray.get(fresh.pid.remote())
        self.actors.append(fresh)
        self.restarts += 1
        return fresh

    def results(self, batches: list[list[Any]]) -> Iterator[list[SampleRecord]]:
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError, RayTaskError

        queue = deque((batch, 1) for batch in batches)
        idle = list(self.actors)
        in_flight: dict[Any, tuple[Any, list[Any], int]] = {}
        while queue or in_flight:
            while idle and queue:
                actor = idle.pop()
                batch, attempt = queue.popleft()
                in_flight[actor.run_batch.remote(batch)] = (actor, batch, attempt)
            (ready,), _ = self.ray.wait(list(in_flight), num_returns=1)
            actor, batch, attempt = in_flight.pop(ready)
            try:
                records = self.ray.get(ready)
            except (ActorDiedError, ActorUnavailableError, RayActorError) as error:
                if isinstance(error, RayTaskError):
                    raise _cause(error) from None
                if attempt >= MAX_ATTEMPTS:
                    raise WisebenchError(f"a batch of {len(batch)} samples (first {batch[0].sample_id}) killed {attempt} workers; giving up") from None
                idle.append(self._replace(actor))
                queue.appendleft((batch, attempt + 1))
                continue
            except RayTaskError as error:  # the adapter raised: surface the original error (e.g. a bad sample)
                raise _cause(error) from None
            idle.append(actor)
            yield [SampleRecord.from_json(record) for record in records]

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor, no_restart=True)
        self.actors = []


def _cause(error: Exception) -> Exception:
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, Exception) else error


def make_executor(config: RunConfig, factory: AdapterFactory | None, executor: str = "local", num_workers: int = 2, gpus_per_worker: float = 0.0):
    if executor == "local":
        return LocalExecutor(config, factory or build_adapter)
    if executor == "ray":
        return RayExecutor(config, factory, num_workers, gpus_per_worker)
    raise WisebenchError(f"unknown executor {executor!r}: local or ray")
