"""Run wrk against one URL and read its figures."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def require_wrk():
    """Exit with instructions when wrk is missing."""
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu), "
            "then run the benchmark again."
        )


def run(url, *, duration, threads=2, connections=16, script=None, script_args=()):
    """Load `url` for `duration` seconds and return what wrk measured."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", str(LUA / script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    return parse(output)


def parse(output):
    """Extract req/s, p50, p99 and the error count from wrk's report."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Result(rate, _percentile(output, "50"), _percentile(output, "99"), errors)


def _percentile(output, percent):
    value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * UNITS[unit]
