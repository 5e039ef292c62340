# SPDX-License-Identifier: MIT
# plot.py - scripts/bench.sh --plot's curves, drawn with matplotlib as SVG:
#   threads.svg  start, release and join N threads (1,000 to 10,000): ms, libthrdemo
#                and raw pthreads
#   queue.svg    one producer, one consumer through a queue of capacity 1 to 4096:
#                messages per second, libthrdemo Queue and a mutex+2 condvar ring
#   echo.svg     echo round trips per second for 1 to 256 connections: thrdemo's
#                threaded and --async servers, CPython's, and the C epoll limit
#   scaling.svg  the three side by side
# Each point is the median of the runs; the whiskers span min to max. The machine
# and date come from the JSON documents. The SVG is reproducible: no timestamp, and
# element ids from a fixed salt.
# Usage: python3 plot.py --out DIR [--format svg|png] [--echo ECHO.jsonl] THRDEMO.json...
import argparse, json, os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator  # noqa: E402

plt.rcParams.update({"svg.hashsalt": "thrdemo", "svg.fonttype": "none", "font.size": 9,
                     "axes.grid": True, "grid.alpha": 0.3})
COLORS = {"thrdemo": "#1f77b4", "other": "#d62728"}


def series(results, workload, metric_suffix, impl_prefix):
    """(param values, medians, mins, maxes) of one implementation, by parameter."""
    points = sorted((r["param"]["value"], r["median"], r["min"], r["max"]) for r in results
                    if r["workload"] == workload and r["implementation"].startswith(impl_prefix)
                    and r["metric"].endswith(metric_suffix) and r["ok"])
    return [list(column) for column in zip(*points)] if points else [[], [], [], []]


def log2_axis(ax, ticks):
    """A base-2 log x axis labelled with plain numbers (1, 4, 16...), not 2^k."""
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))


def line(ax, xs, med, lo, hi, label, color):
    if not xs:
        return
    ax.errorbar(xs, med, yerr=[[m - l for m, l in zip(med, lo)], [h - m for m, h in zip(med, hi)]],
                marker="o", markersize=3, capsize=2, label=label, color=color)


def threads_panel(ax, results):
    for impl, color in (("libthrdemo threads", COLORS["thrdemo"]), ("raw pthreads", COLORS["other"])):
        line(ax, *series(results, "threads", "threads", impl), impl, color)
    ax.set_title("Start, release and join N threads")
    ax.set_xlabel("threads")
    ax.set_ylabel("ms (lower is better)")
    ax.set_ylim(bottom=0)
    ax.legend()


def queue_panel(ax, results):
    for impl, color in (("libthrdemo Queue", COLORS["thrdemo"]), ("mutex+2 condvar ring", COLORS["other"])):
        line(ax, *series(results, "queue", "ints", impl), impl, color)
    ax.set_title("Producer to consumer through a bounded queue")
    ax.set_xlabel("queue capacity")
    ax.set_ylabel("messages/s (higher is better)")
    log2_axis(ax, [1, 4, 16, 64, 256, 1024, 4096])
    ax.set_yscale("log")
    ax.legend()


def echo_panel(ax, echo):
    for server, color in (("thrdemo (a thread each)", COLORS["thrdemo"]),
                          ("thrdemo --async", "#2ca02c"),
                          ("CPython tcp_echo_server.py", COLORS["other"]),
                          ("C epoll (the limit)", "#7f7f7f")):
        points = sorted((e["connections"], e["rtps"]) for e in echo
                        if e["server"] == server and not e.get("idle"))
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, marker="o", markersize=3, label=server, color=color)
    ax.set_title("Echo server, 64-byte round trips")
    ax.set_xlabel("connections")
    ax.set_ylabel("round trips/s (higher is better)")
    log2_axis(ax, [1, 2, 4, 8, 16, 32, 64, 128, 256])
    ax.set_ylim(bottom=0)
    ax.legend()


def caption(docs):
    if not docs:
        return ""
    d, m = docs[0], docs[0]["machine"]
    return (f"thrdemo {d['thrdemo']}, {d['date']}: {m['cpu']}, {m['cores']} cores, {m['kernel']}, "
            f"{m['libc']}, {m['compiler']}, {m['build_type']}; median of {d['runs']} runs, bars min..max")


def save(fig, path, fmt):
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(path, format=fmt, metadata=metadata, bbox_inches="tight", dpi=110)
    plt.close(fig)
    print(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--echo")
    parser.add_argument("--format", choices=("svg", "png"), default="svg")
    parser.add_argument("documents", nargs="+")
    a = parser.parse_args()
    docs = [json.load(open(f)) for f in a.documents]
    results = [r for d in docs for r in d["results"]]
    echo = [json.loads(l) for l in open(a.echo) if l.strip()] if a.echo else []
    os.makedirs(a.out, exist_ok=True)
    panels = [("threads", threads_panel, results), ("queue", queue_panel, results)]
    if echo:
        panels.append(("echo", echo_panel, echo))
    for name, draw, data in panels:
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        draw(ax, data)
        fig.text(0.01, -0.02, caption(docs), fontsize=6, ha="left", va="top")
        save(fig, os.path.join(a.out, f"{name}.{a.format}"), a.format)
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.8))
    for ax, (_, draw, data) in zip(axes, panels):
        draw(ax, data)
    fig.text(0.01, -0.02, caption(docs), fontsize=7, ha="left", va="top")
    fig.tight_layout()
    save(fig, os.path.join(a.out, f"scaling.{a.format}"), a.format)


if __name__ == "__main__":
    main()
