"""A bounded pipeline of threads: each stage takes the previous stage's output, in order, while the next item is
already in the stage before it. Queues between stages hold `depth` items, so loading runs at most `depth` batches
ahead. Torch, PIL, OpenCV and numpy release the GIL in their heavy work, so the stages overlap on an accelerator (and
on a multi-core CPU).

An exception in any stage ends the pipeline and is raised to the consumer. When the consumer stops (an exception,
Ctrl-C, SIGTERM), every stage stops taking new items; the last stage finishes the item it holds, and what it
finished but the consumer had not taken yet is kept in `finished()` so the caller can still write it. A stage busy in
a long call (a model's generate) is not waited for beyond JOIN_SECONDS: `busy` then says so, and whatever that stage
uses must not be torn down under it."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator

JOIN_SECONDS = 5.0
_DONE = object()
_POLL_SECONDS = 0.1


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class Pipeline:
    """Iterate it once to get `stages[-1](...stages[0](item))` for each item, in order."""

    def __init__(self, items: Iterable[Any], stages: list[Callable[[Any], Any]], depth: int = 2, name: str = "wisebench"):
        self.items, self.stages, self.name = items, stages, name
        self.stop = threading.Event()
        # Between stages: bounded. The last one holds finished results only (small), so the last stage never
        # blocks: a result it finishes after the consumer stopped is still there for finished().
        self.queues: list[queue.Queue] = [queue.Queue(maxsize=depth) for _ in stages] + [queue.Queue()]
        self.threads: list[threading.Thread] = []

    def _put(self, target: queue.Queue, value: Any) -> bool:
        while not self.stop.is_set():
            try:
                target.put(value, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _get(self, source: queue.Queue) -> Any:
        while not self.stop.is_set():
            try:
                return source.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return _DONE

    def _feed(self) -> None:
        try:
            for item in self.items:
                if not self._put(self.queues[0], item):
                    return
        except BaseException as error:  # the item source failed (a bad suite entry): the consumer raises it
            self._put(self.queues[0], _Failure(error))
            return
        self._put(self.queues[0], _DONE)

    def _work(self, index: int) -> None:
        stage, source, target = self.stages[index], self.queues[index], self.queues[index + 1]
        last = index == len(self.stages) - 1
        # The last queue is unbounded: what the last stage finishes is never lost to a stop.
        put = (lambda value: target.put(value) or True) if last else (lambda value: self._put(target, value))
        while True:
            item = self._get(source)
            if last and item is _DONE and self.stop.is_set():
                self._finish_what_is_done(stage, source, target)
                return
            if item is _DONE or isinstance(item, _Failure):
                put(item)
                return
            try:
                result = stage(item)
            except BaseException as error:
                put(_Failure(error))
                return
            if not put(result):
                return

    def _finish_what_is_done(self, stage: Callable[[Any], Any], source: queue.Queue, target: queue.Queue) -> None:
        """The consumer stopped: the last stage (scoring, cheap) still finishes what the stages before it (the
        model, costly) had already done, so that work can be written."""
        while True:
            try:
                item = source.get_nowait()
            except queue.Empty:
                break
            if item is _DONE or isinstance(item, _Failure):
                continue
            try:
                target.put(stage(item))
            except BaseException:
                break
        target.put(_DONE)

    def __iter__(self) -> Iterator[Any]:
        self.threads = [threading.Thread(target=self._feed, name=f"{self.name}-feed", daemon=True)]
        self.threads += [threading.Thread(target=self._work, args=(index,), name=f"{self.name}-stage{index}", daemon=True) for index in range(len(self.stages))]
        for thread in self.threads:
            thread.start()
        try:
            while True:
                item = self.queues[-1].get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            self.stop.set()
            for thread in self.threads:
                thread.join(timeout=JOIN_SECONDS)

    @property
    def busy(self) -> bool:
        """A stage is still inside a call (after the consumer stopped and JOIN_SECONDS passed)."""
        return any(thread.is_alive() for thread in self.threads)

    def finished(self) -> list[Any]:
        """Results the last stage finished that the consumer never took (after it stopped)."""
        left = []
        while True:
            try:
                item = self.queues[-1].get_nowait()
            except queue.Empty:
                return left
            if item is not _DONE and not isinstance(item, _Failure):
                left.append(item)


def pipelined(items: Iterable[Any], stages: list[Callable[[Any], Any]], depth: int = 2, name: str = "wisebench") -> Iterator[Any]:
    """The results of a Pipeline, for callers that need nothing after it stops."""
    return iter(Pipeline(items, stages, depth, name))
