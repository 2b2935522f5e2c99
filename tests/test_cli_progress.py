"""The progress of long operator commands: a bar on a terminal, plain lines elsewhere."""

import io

from app.cli_progress import Reporter, reporter


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_report_without_terminal_writes_plain_lines_at_most_every_interval():
    out, clock = io.StringIO(), Clock()
    with reporter("copying rows", file=out, interval=10, clock=clock) as report:
        report(0, 1000)
        for done in range(100, 1000, 100):
            clock.now += 3
            report(done, 1000)
        report(1000, 1000)
    assert out.getvalue().splitlines() == [
        "copying rows: 0/1000 (0%)",
        "copying rows: 400/1000 (40%)",
        "copying rows: 800/1000 (80%)",
        "copying rows: 1000/1000 (100%)",
    ]


def test_report_without_terminal_ends_with_the_last_count_when_it_stops_short():
    out = io.StringIO()
    with reporter("pruning events", file=out, interval=60, clock=Clock()) as report:
        report(0, 50)
        report(20, 50)
    assert out.getvalue().splitlines() == [
        "pruning events: 0/50 (0%)",
        "pruning events: 20/50 (40%)",
    ]


def test_report_of_nothing_to_do_says_so_once():
    out = io.StringIO()
    with reporter("copying rows", file=out, clock=Clock()) as report:
        report(0, 0)
    assert out.getvalue() == "copying rows: 0/0 (100%)\n"


def test_report_on_terminal_draws_a_progress_bar_to_the_end():
    out = Terminal()
    with reporter("copying rows", file=out) as report:
        report(0, 200)
        report(100, 200)
        report(200, 200)
    text = out.getvalue()
    assert "copying rows" in text and "100%" in text and "200/200" in text
    assert "copying rows: 100/200" not in text  # no plain lines on a terminal


def test_reporter_never_reported_writes_nothing():
    out = io.StringIO()
    Reporter("copying rows", file=out).close()
    assert out.getvalue() == ""
