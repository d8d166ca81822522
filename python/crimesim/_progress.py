"""Progress bars: tqdm's when it is installed (``tqdm.auto``: a widget in
notebooks, text in terminals), else none."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Optional, Union

Progress = Union[bool, Callable[[int, int], Any], None]


def _tqdm() -> Optional[Any]:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


@contextlib.contextmanager
def progress_callback(
    progress: Progress, unit: str
) -> Iterator[Optional[Callable[[int, int], None]]]:
    """A ``(done, total)`` callback for the native side, or ``None``.

    ``None``: a tqdm bar if tqdm is installed, else quiet; ``True``: a tqdm
    bar (tqdm must be installed); ``False``: quiet; a callable: itself.
    """
    if progress is False:
        yield None
        return
    if callable(progress) and not isinstance(progress, bool):
        yield progress
        return
    tqdm = _tqdm()
    if tqdm is None:
        if progress is True:
            raise ImportError("progress=True needs tqdm: pip install tqdm")
        yield None
        return
    bars: list = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit=unit, leave=False, dynamic_ncols=True))
        bars[0].update(done - bars[0].n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()
