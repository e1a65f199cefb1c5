"""One matplotlib style for every report, with a CJK font found on the machine, and the chart helpers.

Charts are drawn to be read on a 390 px phone as on a laptop: the page saves each figure as SVG twice,
at a laptop's width and at a phone's (picked by the browser); legends sit below the plot, never on the data; axes of means
start where the scale starts; shares are drawn on a percent axis of their own; target lines carry
a label. Every text a chart draws (labels, legend entries, titles) goes through the same masking
as the pages: a phone number in a lost-lead reason is masked before it is drawn.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

from .privacy import mask_text  # noqa: E402

#: CJK fonts tried in order: Linux (Noto, Source Han, WenQuanYi), Windows, macOS
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Heiti SC", "Arial Unicode MS")
PALETTE = ("#1f5fa8", "#e07b39", "#3a9d5d", "#c0392b", "#7f5aa2", "#8c6d46", "#d35f9b", "#7a7a7a")
TARGET = "#c0392b"
#: figures are drawn at this size for a laptop; the page draws each again PHONE_WIDTH wide for phones,
#: so that type stays at about 12 px on a 390 px screen as on a 1366 px one
WIDTH, HEIGHT, FONT = 6.4, 3.6, 10.5
PHONE_WIDTH = 4.0


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
        "font.size": FONT, "axes.titlesize": FONT + 1, "axes.labelsize": FONT, "legend.fontsize": FONT - 1,
        "xtick.labelsize": FONT - 1, "ytick.labelsize": FONT - 1,
        "axes.unicode_minus": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.alpha": 0.3,
        "figure.figsize": (WIDTH, HEIGHT), "figure.dpi": 100, "savefig.dpi": 100,
        "figure.constrained_layout.use": True,
        "svg.fonttype": "path",  # glyphs as outlines: the page needs no font, text stays sharp when scaled
        "svg.hashsalt": "workbench",  # stable ids: the same chart gives the same file
    })
    return font


def clean(text) -> str:
    """A label as drawn: text from the data with phone numbers, ID numbers and e-mail masked."""
    return mask_text(str(text))


def line_chart(frame, title: str, ylabel: str = "", ymin: float | None = 0, ymax: float | None = None,
               percent: bool = False, money: bool = False):
    """Lines of each column of ``frame`` against its index; the legend below the plot; returns the figure.
    ``money``: amounts on an axis with thousands separators (never 1e7)."""
    fig, ax = plt.subplots()
    for i, column in enumerate(frame.columns):
        ax.plot(range(len(frame)), frame[column].to_numpy(dtype=float), marker="o", markersize=3,
                label=clean(column), color=PALETTE[i % len(PALETTE)])
    step = max(1, int(np.ceil(len(frame) / 8)))
    ax.set_xticks(range(0, len(frame), step))
    ax.set_xticklabels([clean(x) for x in frame.index[::step]], rotation=45, ha="right")
    _limits(ax, ymin, ymax)
    if percent:
        # whole-percent steps (1, 2, 5, 10 ...): a tick at 2.5 % would read "2%"
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if money:
        _money_axis(ax.yaxis)
    _titles(ax, title, ylabel=ylabel)
    _legend_below(ax, len(frame.columns))
    return fig


def bar_with_ci(labels, means, lows, highs, title: str, ylabel: str = "", ymin: float | None = 0,
                ymax: float | None = None, target: float | None = None, target_label: str | None = None,
                percent: bool = False):
    """Bars with error bars for confidence intervals; an optional, labelled target line.

    ``ymin``: where the axis starts; for means on a 1-5 scale pass 1 (the scale's start), never a
    value near the data, which would exaggerate differences.
    """
    fig, ax = plt.subplots()
    means = np.asarray(means, float)
    base = 0 if ymin is None else ymin
    err = np.vstack([means - np.asarray(lows, float), np.asarray(highs, float) - means])
    ax.bar(range(len(means)), means - base, bottom=base, yerr=np.nan_to_num(err), capsize=4, color=PALETTE[0])
    ax.set_xticks(range(len(means)))
    ax.set_xticklabels([clean(x) for x in labels], rotation=30 if len(means) > 5 else 0,
                       ha="right" if len(means) > 5 else "center")
    _limits(ax, ymin, ymax)
    if target is not None:
        _target_line(ax, target, target_label, percent)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _titles(ax, title, ylabel=ylabel)
    return fig


def importance_performance(labels, importance, performance, highlight, title: str, xlabel: str, ylabel: str):
    """Performance (x, a share on a percent axis) against importance (y), split at the means; highlighted in red."""
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.75))
    importance, performance = np.asarray(importance, float), np.asarray(performance, float)
    colours = [TARGET if h else PALETTE[0] for h in highlight]
    ax.scatter(performance, importance, s=70, c=colours, zorder=3)
    for x, y, label in zip(performance, importance, labels):
        ax.annotate(clean(label), (x, y), textcoords="offset points", xytext=(6, 5))
    ax.axvline(np.nanmean(performance), color="#999", linewidth=0.8)
    ax.axhline(np.nanmean(importance), color="#999", linewidth=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    pad = max(0.02, (np.nanmax(performance) - np.nanmin(performance)) * 0.25) if len(performance) else 0.05
    ax.set_xlim(np.nanmin(performance) - pad, min(1.0, np.nanmax(performance) + pad))
    _titles(ax, title, xlabel, ylabel)
    return fig


def pareto_chart(labels, counts, cumulative, title: str, ylabel: str, y2label: str, line: float = 0.8,
                 line_label: str = "80%"):
    """Bars of counts, largest first, with the cumulative share on its own percent axis and a labelled 80 % line."""
    fig, ax = plt.subplots()
    ax.bar(range(len(counts)), counts, color=PALETTE[0])
    ax.set_xticks(range(len(counts)))
    ax.set_xticklabels([clean(x) for x in labels], rotation=30 if len(counts) > 4 else 0,
                       ha="right" if len(counts) > 4 else "center")
    ax.set_ylabel(clean(ylabel))
    ax.set_ylim(0, max(float(np.max(counts)) * 1.1, 1) if len(counts) else 1)
    ax2 = ax.twinx()
    ax2.plot(range(len(counts)), cumulative, color=PALETTE[1], marker="o")
    ax2.axhline(line, color=TARGET, linestyle="--", linewidth=1)
    ax2.annotate(clean(line_label), (0.0, line), xycoords=("axes fraction", "data"), xytext=(2, 3),
                 textcoords="offset points", ha="left", va="bottom", color=TARGET, fontsize=FONT - 2)
    ax2.set_ylim(0, 1.05)
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.set_ylabel(clean(y2label))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.set_title(clean(title))
    return fig


def stacked_bars(frame, title: str, ylabel: str = "", money: bool = False):
    """Stacked bars: one bar per row of ``frame``, one segment per column; the legend below the plot.
    ``money``: amounts on an axis with thousands separators."""
    fig, ax = plt.subplots()
    bottom = np.zeros(len(frame))
    for i, column in enumerate(frame.columns):
        values = frame[column].to_numpy(float)
        ax.bar(range(len(frame)), values, bottom=bottom, label=clean(column), color=PALETTE[i % len(PALETTE)])
        bottom += values
    step = max(1, int(np.ceil(len(frame) / 12)))
    ax.set_xticks(range(0, len(frame), step))
    ax.set_xticklabels([clean(x) for x in frame.index[::step]], rotation=45 if len(frame) > 4 else 0,
                       ha="right" if len(frame) > 4 else "center")
    ax.set_ylim(0, max(float(bottom.max()) * 1.1, 1) if len(frame) else 1)
    if money:
        _money_axis(ax.yaxis)
    _titles(ax, title, ylabel=ylabel)
    if len(frame.columns) > 1:
        _legend_below(ax, len(frame.columns))
    return fig


def stacked_hbars(frame, title: str, xlabel: str = "", money: bool = False):
    """Stacked horizontal bars: one bar per row of ``frame`` (its label on the left, the first on top), one
    segment per column; the legend below the plot. For long row labels (branches) that would turn and
    collide with the legend under upright bars on a phone."""
    fig, ax = plt.subplots(figsize=(WIDTH, max(2.6, 0.45 * len(frame) + 1.6)))
    y = np.arange(len(frame))[::-1]
    left = np.zeros(len(frame))
    for i, column in enumerate(frame.columns):
        values = np.nan_to_num(frame[column].to_numpy(float))
        ax.barh(y, values, left=left, label=clean(column), color=PALETTE[i % len(PALETTE)])
        left += values
    ax.set_yticks(y)
    ax.set_yticklabels([clean(x) for x in frame.index])
    ax.set_xlim(0, max(float(left.max()) * 1.08, 1) if len(frame) else 1)
    ax.grid(axis="y", visible=False)
    if money:
        _money_axis(ax.xaxis)
    _titles(ax, title, xlabel=xlabel)
    if len(frame.columns) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=min(4, len(frame.columns)), frameon=False)
    return fig


def histogram(values, title: str, xlabel: str, ylabel: str, bins: int = 20, lines=(), line_labels=()):
    """Histogram of probabilities (percent axis) with labelled vertical threshold lines."""
    fig, ax = plt.subplots()
    ax.hist(values, bins=bins, range=(0, 1), color=PALETTE[0], edgecolor="white")
    for x, label in zip(lines, list(line_labels) + [None] * len(lines)):
        ax.axvline(x, color=TARGET, linestyle="--", linewidth=1)
        if label:
            ax.annotate(clean(label), (x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", color=TARGET, fontsize=FONT - 2)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _titles(ax, title, xlabel, ylabel)
    return fig


def step_curves(curves, title: str, xlabel: str, ylabel: str):
    """Kaplan-Meier step curves (``curves``: segment, time, survival) on a percent axis; the legend below."""
    fig, ax = plt.subplots()
    groups = list(curves.groupby("segment", sort=True)) if len(curves) else []
    for i, (segment, group) in enumerate(groups):
        times = [0, *group["time"]]
        survival = [1.0, *group["survival"]]
        ax.step(times, survival, where="post", label=clean(segment), color=PALETTE[i % len(PALETTE)])
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _titles(ax, title, xlabel, ylabel)
    if len(groups) > 1:
        _legend_below(ax, len(groups))
    return fig


def calibration_plot(table, title: str, xlabel: str, ylabel: str):
    """Observed rate against mean predicted probability (both percent axes), with the diagonal."""
    fig, ax = plt.subplots(figsize=(WIDTH * 0.7, WIDTH * 0.7))
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1)
    ax.plot(table["mean_probability"], table["observed_rate"], marker="o", color=PALETTE[0])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _titles(ax, title, xlabel, ylabel)
    return fig


def bars(labels, values, title: str, ylabel: str = "", percent: bool = False):
    """Plain bars from zero (counts per grade, shares per segment)."""
    fig, ax = plt.subplots()
    values = np.asarray(values, float)
    ax.bar(range(len(values)), values, color=PALETTE[0])
    for x, v in enumerate(values):
        ax.annotate(f"{v:.0%}" if percent else f"{v:,.0f}", (x, v), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=FONT - 2)
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels([clean(x) for x in labels], rotation=30 if len(values) > 5 else 0,
                       ha="right" if len(values) > 5 else "center")
    ax.set_ylim(0, max(float(values.max()) * 1.15, 1) if len(values) else 1)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _titles(ax, title, ylabel=ylabel)
    return fig


def diverging_bars(labels, values, title: str, xlabel: str = "", points: bool = False):
    """Horizontal bars from a zero line, gains to the right in one colour and losses to the left in another,
    each labelled with its value (``points``: percentage points, one decimal; else an amount); the first label
    on top."""
    values = np.asarray(values, float)
    fig, ax = plt.subplots(figsize=(WIDTH, max(2.4, 0.42 * len(values) + 1.2)))
    y = np.arange(len(values))[::-1]
    colours = [PALETTE[2] if v >= 0 else PALETTE[3] for v in np.nan_to_num(values)]
    ax.barh(y, np.nan_to_num(values), color=colours)
    ax.axvline(0, color="#555", linewidth=0.8)
    span = float(np.nanmax(np.abs(values))) if len(values) and np.isfinite(values).any() else 1.0
    span = span or 1.0
    for yi, v in zip(y, values):
        if np.isnan(v):
            continue
        text = f"{v:+.1f}" if points else f"{v:+,.0f}"
        ax.annotate(text, (v, yi), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points", va="center",
                    ha="left" if v >= 0 else "right", fontsize=FONT - 2)
    ax.set_xlim(-span * 1.45, span * 1.45)
    ax.set_yticks(y)
    ax.set_yticklabels([clean(x) for x in labels])
    ax.grid(axis="y", visible=False)
    if not points:
        _money_axis(ax.xaxis)
    _titles(ax, title, xlabel=xlabel)
    return fig


# ----------------------------------------------------------------------------- internals

def _money_axis(axis) -> None:
    """Amounts with thousands separators on an axis (no scientific offset)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))

def _titles(ax, title: str, xlabel: str = "", ylabel: str = "") -> None:
    ax.set_title(clean(title))
    ax.set_xlabel(clean(xlabel) if xlabel else "")
    ax.set_ylabel(clean(ylabel) if ylabel else "")


def _limits(ax, ymin, ymax) -> None:
    low, high = ax.get_ylim()
    ax.set_ylim(low if ymin is None else ymin, high if ymax is None else ymax)


def _target_line(ax, value: float, label: str | None, percent: bool) -> None:
    ax.axhline(value, color=TARGET, linestyle="--", linewidth=1)
    if label:  # outside the plot, to the right of the line's end: never on a bar
        shown = f"{value:.0%}" if percent else f"{value:g}"
        ax.annotate(f"{clean(label)}\n{shown}", (1.0, value), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center", color=TARGET, fontsize=FONT - 2,
                    annotation_clip=False)


def _legend_below(ax, entries: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=min(4, max(entries, 1)), frameon=False)


def drawn_text(fig) -> list[str]:
    """Every text string a figure draws (titles, labels, ticks, legend, annotations), for tests."""
    texts = []
    for artist in fig.findobj(matplotlib.text.Text):
        text = artist.get_text()
        if text:
            texts.append(text)
    return texts
