"""The raw Werkzeug password-check rate on this machine's cores: the login ceiling."""

import multiprocessing
import time

from werkzeug.security import check_password_hash, generate_password_hash

METHOD = "scrypt:32768:8:1"  # Werkzeug's default, as the app uses


def _checks_in(seconds, password_hash):
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        check_password_hash(password_hash, "a long enough bench passphrase")
        count += 1
    return count


def checks_per_second(seconds=5, processes=2):
    """Run `processes` workers checking hashes for `seconds`; return checks a second."""
    password_hash = generate_password_hash("a long enough bench passphrase", method=METHOD)
    with multiprocessing.Pool(processes) as pool:
        counts = pool.starmap(_checks_in, [(seconds, password_hash)] * processes)
    return sum(counts) / seconds
