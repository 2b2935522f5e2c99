"""Print the benchmark's tables and write BENCHMARKS.md with a chart of the ratios."""

import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import audit as audit_bench

TARGETS = {"GET /users/me": 0.60}
READS = ("GET /health/live", "GET /users/me", "GET /users/{id} (admin)",
         "GET /users?limit=20 (admin)")


def print_tables(tables, large, audit=None):
    for config, rows in tables.items():
        print(f"\n{config}:")
        for line in _table(rows):
            print(line)
    if large:
        print()
        for line in _large_table(large):
            print(line)
    if audit:
        print()
        for line in (*audit_bench.table(audit), "", *audit_bench.targets(audit)):
            print(line)


def _table(rows):
    yield ("| endpoint | req/s | p50 ms | p99 ms | errors | floor /ping req/s "
           "| ratio to floor | ratio to hash rate |")
    yield "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for row in rows:
        hash_ratio = f"{row['hash_ratio']:.2f}" if "hash_ratio" in row else ""
        yield (f"| {row['endpoint']} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} "
               f"| {row['errors']} | {row['floor_rps']:.0f} | {row['ratio']:.2f} | {hash_ratio} |")


def _large_table(large):
    yield f"Listing with {large['users']:,} users (in-process, {len(large['rows'])} cases):"
    yield ""
    yield "| case | p50 ms | p99 ms | rows |"
    yield "| --- | ---: | ---: | ---: |"
    for row in large["rows"]:
        yield f"| {row['case']} | {row['p50']:.2f} | {row['p99']:.2f} | {row['items']} |"


def _targets(tables, large):
    sync = {row["endpoint"]: row for row in tables.get("sync", [])}
    lines = []
    if "GET /users/me" in sync:
        ratio = sync["GET /users/me"]["ratio"]
        lines.append(f"- `GET /users/me` at {ratio:.2f}x the floor (target >= 0.60): "
                     f"{'met' if ratio >= 0.60 else 'NOT met'}")
    if "POST /login" in sync and "hash_ratio" in sync["POST /login"]:
        ratio = sync["POST /login"]["hash_ratio"]
        lines.append(f"- `POST /login` at {ratio:.2f}x the raw hash rate (target >= 0.90): "
                     f"{'met' if ratio >= 0.90 else 'NOT met'}")
    reads = [sync[name] for name in READS if name in sync]
    if reads:
        worst = max(row["p99"] for row in reads)
        errors = sum(row["errors"] for row in reads)
        lines.append(f"- reads: {errors} errors, worst p99 {worst:.2f} ms (target 0 and < 25 ms): "
                     f"{'met' if errors == 0 and worst < 25 else 'NOT met'}")
    if large:
        rows = {row["case"]: row for row in large["rows"]}
        first = rows["first page (limit 20, sort id)"]["p50"]
        deep = next(row["p50"] for case, row in rows.items() if "deep" in case)
        search = max(row["p50"] for case, row in rows.items() if case.startswith("q search"))
        sorts = max(row["p50"] for case, row in rows.items() if case.startswith("sort"))
        lines.append(f"- deep page {deep / first:.2f}x the first page (target <= 1.5): "
                     f"{'met' if deep <= 1.5 * first else 'NOT met'}")
        lines.append(f"- q search p50 {search:.2f} ms (target < 10): "
                     f"{'met' if search < 10 else 'NOT met'}")
        lines.append(f"- slowest sort p50 {sorts:.2f} ms (target < 5): "
                     f"{'met' if sorts < 5 else 'NOT met'}")
    return lines


def _machine():
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def write(args, tables, large, audit=None):
    """Write the report (and the chart next to it) for this run."""
    args.output.parent.mkdir(parents=True, exist_ok=True)
    chart = args.output.with_name(args.output.stem.lower() + "-ratios.png")
    charted = _chart(tables, chart)
    lines = [
        "# Benchmarks", "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.", "",
        f"Command: `python -m bench {' '.join(sys.argv[1:])}`".rstrip() + "  ",
        f"{args.users:,} users seeded; wrk `-t2 -c16 -d{args.duration}s --latency`; "
        f"{args.rounds} rounds; each endpoint measured right after the floor's `/ping` "
        "(bench/floor.py) under the same gunicorn settings, the ratio taken within the "
        "round, the median reported.", "",
        "## Targets", "", *(_targets(tables, large) or ["- (no target measured)"]),
        *(audit_bench.targets(audit) if audit else ()), "",
    ]
    for config, rows in tables.items():
        flags = {"sync": "gunicorn -w 2 -k sync", "gthread": "gunicorn -w 2 -k gthread --threads 4"}
        lines += [f"## {flags[config]}", "", *_table(rows), ""]
    if large:
        lines += ["## Listing at scale", "", *_large_table(large), ""]
    if audit:
        lines += ["## Audit trail at scale", "", *audit_bench.table(audit), ""]
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
    axes.axhline(0.60, color="grey", linestyle="--", linewidth=1, label="0.60x target")
    axes.set_xticks([n + width * (len(tables) - 1) / 2 for n in range(len(labels))], labels,
                    rotation=25, ha="right", fontsize=8)
    axes.set_ylabel("req/s relative to the floor's /ping")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return True
