"""Column-by-column work on every core, for large tables only.

Reading, checking and scoring a wave is a loop over columns, and each column's work is NumPy or
pyarrow array operations that release the interpreter's lock: on two cores, two columns at a time
take about half the time. Below :data:`MIN_ROWS` respondents the loop stays on one thread (the
work is milliseconds and threads would only add their overhead). Results come back in the order
of the columns whichever thread finished first, so the outputs do not depend on the number of
cores.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

#: Tables with fewer rows are worked on one thread.
MIN_ROWS = 100_000

#: At most this many threads (memory bandwidth, not arithmetic, limits column work beyond it).
MAX_THREADS = 4


def threads(n_rows: int) -> int:
    """How many threads column work on ``n_rows`` rows uses: 1 below :data:`MIN_ROWS`, else one per
    core this process may use, at most :data:`MAX_THREADS`.

    Examples
    --------
    >>> threads(500)
    1
    >>> 1 <= threads(1_000_000) <= MAX_THREADS
    True
    """
    return 1 if n_rows < MIN_ROWS else max(1, min(MAX_THREADS, cores()))


def cores() -> int:
    """The processor cores this process may run on (on Linux, as limited by the scheduler's
    affinity, e.g. ``taskset`` or a container's CPU set).

    Examples
    --------
    >>> cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Inline:
    """An executor that runs each task at once, on the calling thread."""

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 (handed to the caller by result())
            future.set_exception(exc)
        return future

    def map(self, fn, *iterables):
        return map(fn, *iterables)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def pool(n_rows: int):
    """An executor for column work on ``n_rows`` rows: a thread pool of :func:`threads` workers, or
    one that runs each task inline when that is 1. Use it as a context manager; ``map`` keeps the
    order of its input.

    Examples
    --------
    >>> with pool(10) as workers:
    ...     list(workers.map(len, ["a", "bb"])), workers.submit(sum, [1, 2]).result()
    ([1, 2], 3)
    """
    n = threads(n_rows)
    return _Inline() if n == 1 else ThreadPoolExecutor(max_workers=n)
