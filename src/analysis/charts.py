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
