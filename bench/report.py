"""Print the benchmark's tables and write BENCHMARKS.md with a chart of the ratios."""

import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import audit as audit_bench
from bench import scim as scim_bench

# Issue 17's targets: req/s as a share of the floor's /ping (same round), or of the
# raw password-hash rate for the routes that hash.
FLOOR_TARGETS = {
    "GET /health/live": 0.90,
    "GET /users/me": 0.75,
    "GET /users/me (API key)": 0.75,
    "GET /users/{id} (admin)": 0.72,
    "GET /users?limit=20 (admin)": 0.50,
    "PATCH /users/me": 0.35,
}
HASH_TARGETS = {"POST /login": 0.95, "POST /login + /login/mfa": 0.95}
SEARCH_P50_MS, SEARCH_P99_MS = 10.0, 25.0
SOAK_DRIFT, SOAK_RSS_GROWTH = 1.5, 0.05
READS = (
    "GET /health/live",
    "GET /users/me",
    "GET /users/me (API key)",
    "GET /users/{id} (admin)",
    "GET /users?limit=20 (admin)",
)
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
API_KEY_TARGET = 0.90  # an API key costs at most 10% more than an access token


def print_tables(tables, large, soaked=None, audit=None):
    for config, rows in tables.items():
        print(f"\n{config}:")
        for line in _table(rows):
            print(line)
        for row in rows:
            if "vs_access_token" in row:
                print(_api_key_line(row))
    for engine, figures in (large or {}).items():
        print()
        for line in _large_table(figures, ENGINES[engine]):
            print(line)
    print("\nTargets:")
    for line in _targets(tables, large, soaked):
        print(line)
    if audit:
        print()
        for line in (*audit_bench.table(audit), "", *audit_bench.targets(audit)):
            print(line)


def _table(rows):
    yield (
        "| endpoint | req/s | p50 ms | p99 ms | errors | floor /ping req/s "
        "| ratio to floor | ratio to hash rate |"
    )
    yield "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for row in rows:
        hash_ratio = f"{row['hash_ratio']:.2f}" if "hash_ratio" in row else ""
        yield (
            f"| {row['endpoint']} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} "
            f"| {row['errors']} | {row['floor_rps']:.0f} | {row['ratio']:.2f} | {hash_ratio} |"
        )


def _api_key_line(row):
    ratio = row["vs_access_token"]
    return (
        f"- `GET /users/me` with an API key at {ratio:.2f}x the same request with an "
        f"access token (target >= {API_KEY_TARGET:.2f}): "
        f"{'met' if ratio >= API_KEY_TARGET else 'NOT met'}"
    )


def _large_table(large, engine="SQLite"):
    yield (
        f"Listing with {large['users']:,} users on {engine} (in-process, "
        f"{len(large['rows'])} cases):"
    )
    yield ""
    yield "| case | p50 ms | p99 ms | rows |"
    yield "| --- | ---: | ---: | ---: |"
    for row in large["rows"]:
        yield f"| {row['case']} | {row['p50']:.2f} | {row['p99']:.2f} | {row['items']} |"


def _met(ok):
    return "met" if ok else "NOT met"


def _targets(tables, large, soaked=None):
    """One line per target of issue 17: the figure, the target, met or not."""
    sync = {row["endpoint"]: row for row in tables.get("sync", [])}
    lines = []
    for label, target in FLOOR_TARGETS.items():
        if label in sync:
            ratio = sync[label]["ratio"]
            lines.append(
                f"- `{label}` at {ratio:.2f}x the floor (target >= {target:.2f}): "
                f"{_met(ratio >= target)}"
            )
    for label, target in HASH_TARGETS.items():
        if "hash_ratio" in sync.get(label, {}):
            ratio = sync[label]["hash_ratio"]
            lines.append(
                f"- `{label}` at {ratio:.2f}x the raw hash rate "
                f"(target >= {target:.2f}): {_met(ratio >= target)}"
            )
    if "vs_access_token" in sync.get("GET /users/me (API key)", {}):
        lines.append(_api_key_line(sync["GET /users/me (API key)"]))
    reads = [sync[name] for name in READS if name in sync]
    if reads:
        errors = sum(row["errors"] for row in reads)
        lines.append(f"- reads: {errors} errors (target 0): {_met(errors == 0)}")
    for engine, figures in (large or {}).items():
        searches = [row for row in figures["rows"] if row["case"].startswith("q search")]
        worst50 = max(searches, key=lambda row: row["p50"])
        worst99 = max(searches, key=lambda row: row["p99"])
        lines.append(
            f"- {ENGINES[engine]}, {figures['users']:,} users, {len(searches)} `q` searches: "
            f"worst p50 {worst50['p50']:.2f} ms ({worst50['case']}; target < "
            f"{SEARCH_P50_MS:.0f}): {_met(worst50['p50'] < SEARCH_P50_MS)}; worst p99 "
            f"{worst99['p99']:.2f} ms ({worst99['case']}; target < {SEARCH_P99_MS:.0f}): "
            f"{_met(worst99['p99'] < SEARCH_P99_MS)}"
        )
    if soaked:
        lines.append(
            f"- soak {soaked['seconds']:.0f} s, gunicorn -w 2, c=16, mixed reads and writes: "
            f"{soaked['errors']} errors (target 0): {_met(soaked['errors'] == 0)}; p99 last "
            f"{soaked['window']:.0f} s {soaked['p99_last']:.1f} ms vs first "
            f"{soaked['p99_first']:.1f} ms = {soaked['drift']:.2f}x (target <= {SOAK_DRIFT}): "
            f"{_met(soaked['drift'] <= SOAK_DRIFT)}; worker RSS growth "
            f"{soaked['rss_growth']:+.1%} (target < {SOAK_RSS_GROWTH:.0%}): "
            f"{_met(soaked['rss_growth'] < SOAK_RSS_GROWTH and not soaked['workers_replaced'])}"
        )
    return lines


def _load(at_start):
    """The load average over the run: how quiet the machine was."""
    now = os.getloadavg()[0]
    if at_start is None:
        return f"Load average (1 min) {now:.1f} at the end."
    return f"Load average (1 min) {at_start[0]:.1f} at the start, {now:.1f} at the end."


def _machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def write(args, tables, large, soaked=None, audit=None, scim_figures=None, load_at_start=None):
    """Write the report (and the chart next to it) for this run."""
    args.output.parent.mkdir(parents=True, exist_ok=True)
    chart = args.output.with_name(args.output.stem.lower() + "-ratios.png")
    charted = _chart(tables, chart)
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "",
        f"Command: `python -m bench {' '.join(sys.argv[1:])}`".rstrip() + "  ",
        f"{args.users:,} users seeded; wrk `-t2 -c16 -d{args.duration}s --latency`; "
        f"{args.rounds} rounds; each endpoint measured right after the floor's `/ping` "
        "(bench/floor.py) under the same gunicorn settings, the ratio taken within the "
        "round, the median reported.",
        "",
        f"{_load(load_at_start)} Absolute req/s and ms swing with what else the machine "
        "runs, so the figures that count are the ratios, each taken between two runs "
        "measured side by side in one round.",
        "",
        "## Targets",
        "",
        *(_targets(tables, large, soaked) or ["- (no target measured)"]),
        *(audit_bench.targets(audit) if audit else ()),
        *(scim_bench.targets(scim_figures[1]) if scim_figures else ()),
        "",
    ]
    for config, rows in tables.items():
        flags = {"sync": "gunicorn -w 2 -k sync", "gthread": "gunicorn -w 2 -k gthread --threads 4"}
        lines += [f"## {flags[config]}", "", *_table(rows), ""]
    for engine, figures in (large or {}).items():
        lines += [
            f"## Listing at scale, {ENGINES[engine]}",
            "",
            *_large_table(figures, ENGINES[engine]),
            "",
        ]
    if soaked:
        lines += [
            "## Soak",
            "",
            f"`python -m bench --soak {soaked['seconds']:.0f}`: "
            f"{soaked['requests']:,} requests in {soaked['seconds']:.0f} s, "
            f"{soaked['errors']} errors, p99 first {soaked['window']:.0f} s "
            f"{soaked['p99_first']:.1f} ms, last {soaked['p99_last']:.1f} ms, "
            f"worst worker RSS growth {soaked['rss_growth']:+.1%}.",
            "",
        ]
    if audit:
        lines += ["## Audit trail at scale", "", *audit_bench.table(audit), ""]
    if scim_figures:
        lines += ["## SCIM at scale", "", *scim_bench.table(*scim_figures), ""]
    notes = Path(__file__).with_name("notes.md")  # profiles and analysis, kept by hand
    if notes.exists() and not args.quick:
        lines += [notes.read_text()]
    if charted:
        lines += [f"![ratios to the floor]({chart.name})", ""]
    args.output.write_text("\n".join(lines))


def _chart(tables, path):
    """Bar chart of each endpoint's ratio to the floor, per configuration."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    from matplotlib import pyplot

    labels = [row["endpoint"] for row in next(iter(tables.values()))]
    figure, axes = pyplot.subplots(figsize=(10, 4.5))
    width = 0.8 / len(tables)
    for index, (config, rows) in enumerate(tables.items()):
        ratios = {row["endpoint"]: row["ratio"] for row in rows}
        positions = [n + index * width for n in range(len(labels))]
        axes.bar(positions, [ratios.get(label, 0) for label in labels], width, label=config)
    for label, target in FLOOR_TARGETS.items():
        if label in labels:
            spot = labels.index(label)
            axes.hlines(
                target,
                spot - 0.4,
                spot + 0.4 + width * (len(tables) - 1),
                color="grey",
                linestyle="--",
                linewidth=1,
            )
    axes.plot([], [], color="grey", linestyle="--", linewidth=1, label="target")
    axes.set_xticks(
        [n + width * (len(tables) - 1) / 2 for n in range(len(labels))],
        labels,
        rotation=25,
        ha="right",
        fontsize=8,
    )
    axes.set_ylabel("req/s relative to the floor's /ping")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return True
