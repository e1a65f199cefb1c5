"""One matplotlib style for every report, with a CJK font found on the machine."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

#: CJK fonts tried in order: Linux (Noto, Source Han, WenQuanYi), Windows, macOS
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Heiti SC", "Arial Unicode MS")
PALETTE = ("#1f5fa8", "#e07b39", "#3a9d5d", "#c0392b", "#7f5aa2", "#8c6d46", "#d35f9b", "#7a7a7a")


def find_cjk_font() -> str | None:
    """Name of the first installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return None


def use_style() -> str | None:
    """Apply the report style; return the CJK font used (warn once when none is installed)."""
    font = find_cjk_font()
    if font is None:
        warnings.warn("No Chinese font found: charts will show boxes for Chinese text. Install "
                      "fonts-noto-cjk (Debian/Ubuntu) or set up Microsoft YaHei / SimHei.", stacklevel=2)
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.alpha": 0.3,
        "figure.figsize": (8, 4), "figure.dpi": 100, "savefig.dpi": 100,
        "figure.autolayout": True,
    })
    return font


def line_chart(frame, title: str, ylabel: str = ""):
    """Lines of each column of ``frame`` against its index; returns the figure."""
    fig, ax = plt.subplots()
    for i, column in enumerate(frame.columns):
        ax.plot(range(len(frame)), frame[column].to_numpy(), marker="o", markersize=3, label=str(column),
                color=PALETTE[i % len(PALETTE)])
    step = max(1, len(frame) // 12)
    ax.set_xticks(range(0, len(frame), step))
    ax.set_xticklabels([str(x) for x in frame.index[::step]], rotation=45, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8, ncol=min(4, len(frame.columns)))
    return fig


def bar_with_ci(labels, means, lows, highs, title: str, ylabel: str = "", ymax: float | None = None,
                target: float | None = None):
    """Bars with error bars for confidence intervals; an optional target line."""
    import numpy as np

    fig, ax = plt.subplots()
    means = np.asarray(means, float)
    err = np.vstack([means - np.asarray(lows, float), np.asarray(highs, float) - means])
    ax.bar(range(len(means)), means, yerr=np.nan_to_num(err), capsize=4, color=PALETTE[0])
    ax.set_xticks(range(len(means)))
    ax.set_xticklabels(labels)
    if target is not None:
        ax.axhline(target, color=PALETTE[3], linestyle="--", linewidth=1)
    if ymax:
        ax.set_ylim(0, ymax)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    return fig


def importance_performance(labels, importance, performance, highlight, title: str, xlabel: str, ylabel: str):
    """Scatter of performance (x) against importance (y), split at the means; highlighted points in red."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 5))
    importance, performance = np.asarray(importance, float), np.asarray(performance, float)
    colours = [PALETTE[3] if h else PALETTE[0] for h in highlight]
    ax.scatter(performance, importance, s=80, c=colours)
    for x, y, label in zip(performance, importance, labels):
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(6, 6))
    ax.axvline(np.nanmean(performance), color="#999", linewidth=0.8)
    ax.axhline(np.nanmean(importance), color="#999", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def pareto_chart(labels, counts, cumulative, title: str, ylabel: str, y2label: str):
    """Bars of counts, largest first, with the cumulative share on a second axis and an 80 % line."""
    fig, ax = plt.subplots()
    ax.bar(range(len(counts)), counts, color=PALETTE[0])
    ax.set_xticks(range(len(counts)))
    ax.set_xticklabels(labels)
    ax.set_ylabel(ylabel)
    ax2 = ax.twinx()
    ax2.plot(range(len(counts)), cumulative, color=PALETTE[1], marker="o")
    ax2.axhline(0.8, color=PALETTE[3], linestyle="--", linewidth=1)
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel(y2label)
    ax2.grid(False)
    ax.set_title(title)
    return fig


def stacked_bars(frame, title: str, ylabel: str = ""):
    """Stacked bars: one bar per row of ``frame``, one segment per column."""
    import numpy as np

    fig, ax = plt.subplots()
    bottom = np.zeros(len(frame))
    for i, column in enumerate(frame.columns):
        ax.bar(range(len(frame)), frame[column].to_numpy(float), bottom=bottom, label=str(column),
               color=PALETTE[i % len(PALETTE)])
        bottom += frame[column].to_numpy(float)
    ax.set_xticks(range(len(frame)))
    ax.set_xticklabels([str(x) for x in frame.index], rotation=45, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, ncol=3)
    return fig


def histogram(values, title: str, xlabel: str, ylabel: str, bins: int = 20, lines=()):
    """Histogram with optional vertical threshold lines."""
    fig, ax = plt.subplots()
    ax.hist(values, bins=bins, range=(0, 1), color=PALETTE[0], edgecolor="white")
    for x in lines:
        ax.axvline(x, color=PALETTE[3], linestyle="--", linewidth=1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def step_curves(curves, title: str, xlabel: str, ylabel: str):
    """Kaplan-Meier step curves: ``curves`` has columns segment, time, survival."""
    fig, ax = plt.subplots()
    for i, (segment, group) in enumerate(curves.groupby("segment", sort=True)):
        times = [0, *group["time"]]
        survival = [1.0, *group["survival"]]
        ax.step(times, survival, where="post", label=str(segment), color=PALETTE[i % len(PALETTE)])
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return fig


def calibration_plot(table, title: str, xlabel: str, ylabel: str):
    """Observed rate against mean predicted probability, with the diagonal."""
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1)
    ax.plot(table["mean_probability"], table["observed_rate"], marker="o", color=PALETTE[0])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig
