"""What every pipeline step shares: a start line, a summary line, progress bars and user errors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import Progress

from .settings import Settings

T = TypeVar("T")
Step = Callable[[Settings], str]

console = Console(highlight=False, soft_wrap=True)


class PipelineError(Exception):
    """A failure the user can act on: printed as one line, without a stack trace."""


def counted(number: int, noun: str) -> str:
    """`counted(1, "file")` is "1 file", `counted(2_000, "file")` is "2,000 files"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def run_step(name: str, step: Step, settings: Settings) -> str:
    """Run one step, logging `name: started` and `name: <summary> in N s`."""
    console.print(f"{name}: started")
    started = time.perf_counter()
    summary = step(settings)
    console.print(f"{name}: {summary} in {time.perf_counter() - started:.1f} s")
    return summary


def progress(items: Iterable[T], total: int, description: str) -> Iterator[T]:
    """Yield `items`, drawing a progress bar only when a person is watching a terminal."""
    if not sys.stderr.isatty() or total < 2:
        yield from items
        return
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
