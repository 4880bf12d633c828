"""One progress display for every counted piece of work in vltoolkit.

Validation and testing (:class:`~vltoolkit.engine.hooks.RichProgressHook`),
training in a terminal, the data tools and ``tools/analysis/ablate.py`` all
report progress through :class:`ProgressBar` (or :func:`track`), so they
look the same: ``done/total``, percent, rate, elapsed time and ETA.

How it is shown is the *mode*, taken from the ``VLT_PROGRESS`` environment
variable unless a caller passes one:

* ``auto`` (default): ``rich`` when stdout and stderr are both terminals,
  ``plain`` otherwise (a pipe, a Slurm log, a test's captured output);
* ``rich``: a live rich bar on stderr (forced, even without a terminal);
* ``plain``: one greppable line at every 10% step and at the end, e.g.
  ``test: 120/480 (25%), 3.41 it/s, elapsed 0:00:35, ETA 0:01:45``,
  through the given logger (so it lands in the run's log file too) or on
  stderr;
* ``off``: nothing.

Displays nest: a validation bar opened while the training bar is live joins
the same rich display (rich allows one live display at a time) and leaves it
when done; the last bar to close stays printed.

Example::

    from vltoolkit.utils import track
    for record in track(records, description='convert'):
        ...
"""

import datetime
import logging
import os
import sys
from time import perf_counter as _clock
from typing import Iterable, List, Optional

ENV_VAR = 'VLT_PROGRESS'
MODES = ('auto', 'rich', 'plain', 'off')


def progress_mode(mode: Optional[str] = None) -> str:
    """Resolve ``mode`` (or ``$VLT_PROGRESS``, or ``auto``) to ``rich``,
    ``plain`` or ``off``."""
    forced = mode is None and os.environ.get(ENV_VAR)
    mode = (mode or os.environ.get(ENV_VAR) or 'auto').strip().lower()
    if mode not in MODES:
        source = f'${ENV_VAR}' if forced else 'progress mode'
        raise ValueError(f'{source}={mode!r}: choose one of {", ".join(MODES)}')
    if mode == 'auto':
        interactive = all(getattr(s, 'isatty', lambda: False)() for s in (sys.stdout, sys.stderr))
        return 'rich' if interactive else 'plain'
    return mode


def _hms(seconds: Optional[float]) -> str:
    if seconds is None:
        return '-:--:--'
    return str(datetime.timedelta(seconds=int(round(seconds))))


class _RichSession:
    """The one live rich display that open bars share."""

    progress = None
    open_tasks: List[int] = []
    _swapped: list = []

    @classmethod
    def add(
        cls,
        description: str,
        total: int,
        completed: int,
        force: bool,
        logger: Optional[logging.Logger],
    ) -> int:
        if cls.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(stderr=True, force_terminal=True if force else None)
            cls.progress = Progress(
                TextColumn('[bold]{task.description}'),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn('{task.fields[rate]}'),
                TimeElapsedColumn(),
                TextColumn('ETA'),
                TimeRemainingColumn(),
                console=console,
                redirect_stdout=True,
                redirect_stderr=True,
            )
            cls.progress.start()
            cls._route_logger(logger)
        task = cls.progress.add_task(description, total=total, completed=completed, rate='')
        cls.open_tasks.append(task)
        return task

    @classmethod
    def _route_logger(cls, logger: Optional[logging.Logger]) -> None:
        """Send the logger's terminal handlers through rich's stdout proxy so
        log lines print above the live bars instead of through them."""
        from rich.file_proxy import FileProxy

        if logger is None or not isinstance(sys.stdout, FileProxy):
            return
        terminal = {id(s) for s in (sys.__stdout__, sys.__stderr__, sys.stdout.rich_proxied_file)}
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler and id(handler.stream) in terminal:
                cls._swapped.append((handler, handler.setStream(sys.stdout)))

    @classmethod
    def update(cls, task: int, completed: int, rate: str) -> None:
        cls.progress.update(task, completed=completed, rate=rate)

    @classmethod
    def close(cls, task: int) -> None:
        cls.open_tasks.remove(task)
        if cls.open_tasks:  # nested: leave the display to the outer bar
            cls.progress.remove_task(task)
            return
        cls.progress.refresh()
        cls.progress.stop()  # the final state stays printed
        for handler, stream in cls._swapped:
            handler.setStream(stream)
        cls._swapped.clear()
        cls.progress = None


class ProgressBar:
    """Progress of ``total`` steps, shown in the resolved :func:`progress_mode`.

    Args:
        total (int): the number of steps.
        description (str): what is counted (``test``, ``convert``, ...).
        mode (str, optional): ``auto`` / ``rich`` / ``plain`` / ``off``;
            default ``$VLT_PROGRESS`` or ``auto``.
        logger (logging.Logger, optional): where plain lines go (default
            stderr); in rich mode its terminal handlers print above the bar.
        completed (int): steps already done (a resumed run).
        plain_steps (int): plain mode prints at every ``1/plain_steps`` of
            the total (10% by default) and at the end ...
        min_interval (float): ... but at most one line every
            ``min_interval`` seconds before the end (a short run prints
            only its final line).
    """

    def __init__(
        self,
        total: int,
        description: str = '',
        mode: Optional[str] = None,
        logger: Optional[logging.Logger] = None,
        completed: int = 0,
        plain_steps: int = 10,
        min_interval: float = 5.0,
    ):
        self.total = max(int(total), 0)
        self.description = description
        self.forced = (mode or os.environ.get(ENV_VAR, 'auto')).lower() == 'rich'
        self.mode = progress_mode(mode)
        self.logger = logger
        self.completed = self._start_completed = int(completed)
        self.plain_steps = plain_steps
        self.min_interval = min_interval
        self._last_line = None
        self._next_plain = self._plain_mark_after(self.completed)
        self._task = None
        self._start = None
        self.closed = False

    # ------------------------------------------------------------ numbers
    @property
    def rate(self) -> Optional[float]:
        """Steps per second since the bar started (None before any step)."""
        done = self.completed - self._start_completed
        elapsed = _clock() - self._start if self._start else 0
        return done / elapsed if done > 0 and elapsed > 0 else None

    @property
    def eta(self) -> Optional[float]:
        rate = self.rate
        return (self.total - self.completed) / rate if rate else None

    def line(self) -> str:
        """The plain-text state: ``desc: done/total (pct%), rate, elapsed, ETA``."""
        pct = 100.0 * self.completed / self.total if self.total else 100.0
        rate = self.rate
        elapsed = _clock() - self._start if self._start else 0
        return (
            f'{self.description}: {self.completed}/{self.total} ({pct:.0f}%), '
            f'{f"{rate:.2f}" if rate else "-"} it/s, elapsed {_hms(elapsed)}, '
            f'ETA {_hms(self.eta)}'
        )

    def _plain_mark_after(self, done: int) -> int:
        if not self.total:
            return 0
        step = self.total / self.plain_steps
        k = int(done // step) + 1
        return min(self.total, int(round(k * step)))

    # ------------------------------------------------------------ display
    def start(self) -> 'ProgressBar':
        self._start = _clock()
        if self.mode == 'rich':
            try:
                self._task = _RichSession.add(
                    self.description, self.total, self.completed, self.forced, self.logger
                )
            except Exception as err:  # another live display owns the terminal
                from rich.errors import LiveError

                if not isinstance(err, LiveError):
                    raise
                _RichSession.progress = None
                self.mode = 'plain'
        return self

    def update(self, advance: int = 1) -> None:
        """Count ``advance`` more steps done."""
        if self._start is None:
            self.start()
        self.completed = (
            min(self.completed + advance, self.total) if self.total else self.completed + advance
        )
        if self.mode == 'rich':
            rate = self.rate
            _RichSession.update(self._task, self.completed, f'{rate:.2f} it/s' if rate else '')
        elif (
            self.mode == 'plain'
            and self.total
            and self.completed >= self._next_plain
            and self.completed < self.total
        ):
            self._next_plain = self._plain_mark_after(self.completed)
            now = _clock()
            if now - (self._last_line or self._start) >= self.min_interval:
                self._last_line = now
                self._emit(self.line())

    def set_description(self, description: str) -> None:
        self.description = description
        if self.mode == 'rich' and self._task is not None:
            _RichSession.progress.update(self._task, description=description)

    def close(self) -> None:
        """End the bar: the rich bar leaves (nested) or stays printed
        (outermost); plain mode prints the final line."""
        if self.closed:
            return
        self.closed = True
        if self._start is None:
            self._start = _clock()
        if self.mode == 'rich' and self._task is not None:
            _RichSession.close(self._task)
        elif self.mode == 'plain':
            self._emit(self.line() + (' done' if self.completed >= self.total else ''))

    def _emit(self, text: str) -> None:
        if self.logger is not None:
            self.logger.info(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def __enter__(self) -> 'ProgressBar':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def track(
    iterable: Iterable,
    total: Optional[int] = None,
    description: str = '',
    mode: Optional[str] = None,
    logger: Optional[logging.Logger] = None,
    **kwargs,
):
    """Iterate ``iterable`` while showing a :class:`ProgressBar` (``total``
    defaults to ``len(iterable)``)."""
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            iterable = list(iterable)
            total = len(iterable)
    with ProgressBar(total, description, mode=mode, logger=logger, **kwargs) as bar:
        for item in iterable:
            yield item
            bar.update()
