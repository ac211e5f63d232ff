"""A bounded pipeline of threads: each stage takes the previous stage's output, in order, while the next item is
already in the stage before it. Queues hold `depth` items, so loading runs at most `depth` batches ahead and
scoring at most `depth` behind. Torch, PIL, OpenCV and numpy release the GIL in their heavy work, so the stages
overlap on an accelerator (and on a multi-core CPU).

An exception in any stage ends the pipeline and is raised to the consumer; closing the consumer's iterator stops
every stage after its current item."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator

_DONE = object()
_POLL_SECONDS = 0.1


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


def pipelined(items: Iterable[Any], stages: list[Callable[[Any], Any]], depth: int = 2, name: str = "wisebench") -> Iterator[Any]:
    """Yield `stages[-1](...stages[0](item))` for each item, in order, each stage in its own thread."""
    stop = threading.Event()
    queues = [queue.Queue(maxsize=depth) for _ in range(len(stages) + 1)]

    def put(target: queue.Queue, value: Any) -> bool:
        while not stop.is_set():
            try:
                target.put(value, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def get(source: queue.Queue) -> Any:
        while not stop.is_set():
            try:
                return source.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return _DONE

    def feed() -> None:
        try:
            for item in items:
                if not put(queues[0], item):
                    return
        except BaseException as error:  # the item source failed (a bad suite entry): the consumer raises it
            put(queues[0], _Failure(error))
            return
        put(queues[0], _DONE)

    def work(stage: Callable[[Any], Any], source: queue.Queue, target: queue.Queue) -> None:
        while True:
            item = get(source)
            if item is _DONE or isinstance(item, _Failure):
                put(target, item)
                return
            try:
                result = stage(item)
            except BaseException as error:
                put(target, _Failure(error))
                return
            if not put(target, result):
                return

    threads = [threading.Thread(target=feed, name=f"{name}-feed", daemon=True)]
    for index, stage in enumerate(stages):
        threads.append(threading.Thread(target=work, args=(stage, queues[index], queues[index + 1]), name=f"{name}-stage{index}", daemon=True))
    for thread in threads:
        thread.start()
    try:
        while True:
            item = queues[-1].get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
