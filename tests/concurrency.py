"""Run database work in threads released together: the races of issue 10's tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from robotrace.store.db import make_engine, transaction


def at_once(db_url: str, steps: Sequence[Callable[[Session], object]]) -> list[object]:
    """Run each step in a thread of its own, on its own engine and transaction, all released
    together; what each returned, or the exception it raised."""
    barrier = threading.Barrier(len(steps))
    results: list[object] = [None] * len(steps)

    def run(index: int) -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            with transaction(engine) as session:
                results[index] = steps[index](session)
        except Exception as exc:  # every outcome is recorded and checked by the test
            results[index] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
