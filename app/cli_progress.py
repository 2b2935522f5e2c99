"""Progress of long operator commands (`flask db copy`, `flask audit prune`).

On a terminal: click's progress bar. Elsewhere (a container's log, a pipe, a file):
a plain line at the start, then at most one every `interval` seconds, and one at the
end, so a log shows that a command of many minutes is moving without filling up.
Progress goes to stderr: stdout keeps only the command's result.

    with cli_progress.reporter("copying rows") as report:
        service.do_it(..., on_progress=report)     # calls report(done, total)

Services know nothing of this module: they call the plain `on_progress(done, total)`
they are given, with `done` counting up to `total`.
"""

import contextlib
import sys
import time

import click

PLAIN_INTERVAL = 10.0  # seconds between two plain progress lines


class Reporter:
    """A callable `report(done, total)` that shows the progress of one operation."""

    def __init__(self, label, *, file=None, interval=PLAIN_INTERVAL, clock=time.monotonic):
        self.label = label
        self.file = file if file is not None else sys.stderr
        self.interval = interval
        self.clock = clock
        self.terminal = _is_terminal(self.file)
        self._bar = None
        self._done = 0
        self._total = None
        self._last_line = None

    def __call__(self, done, total):
        if self.terminal:
            self._advance_bar(done, total)
        else:
            self._maybe_write_line(done, total)
        self._done, self._total = done, total

    def close(self):
        """End the bar, or write the last plain line if it was not written yet."""
        if self._bar is not None:
            self._bar.render_finish()
            self._bar = None
        elif (
            not self.terminal
            and self._total is not None
            and self._last_line != (self._done, self._total)
        ):
            self._write_line(self._done, self._total)

    def _advance_bar(self, done, total):
        if self._bar is None:
            self._bar = click.progressbar(
                length=total, label=self.label, file=self.file, show_pos=True, show_percent=True
            )
            self._bar.render_progress()
        self._bar.update(max(0, done - self._bar.pos))

    def _maybe_write_line(self, done, total):
        now = self.clock()
        first = self._last_line is None
        finished = done >= total and self._last_line != (done, total)
        if first or finished or now - self._last_time >= self.interval:
            self._write_line(done, total)

    def _write_line(self, done, total):
        percent = 100 if total == 0 else done * 100 // total
        click.echo(f"{self.label}: {done}/{total} ({percent}%)", file=self.file)
        self._last_line = (done, total)
        self._last_time = self.clock()


def _is_terminal(file):
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextlib.contextmanager
def reporter(label, **options):
    """Yield a `Reporter` for `label`; close it (finish the bar or the lines) at the end."""
    report = Reporter(label, **options)
    try:
        yield report
    finally:
        report.close()
