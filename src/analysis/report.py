"""Notebook display helpers: escaped tables and prose, figures, masked personal data, headline figures."""

from __future__ import annotations

import html

import pandas as pd

from .charts import use_style
from .config import Parameters
from .privacy import mask_personal, mask_text

HEADLINE_MIME = "application/vnd.workbench.headlines+json"

def start_page(params: Parameters) -> str:
    """Apply the chart style and table display options; return the report language."""
    use_style()
    pd.set_option("display.max_columns", 50)
    return params.site.language


def show(frame: pd.DataFrame, caption: str | None = None, index: bool = False, digits: int = 1) -> None:
    """Display a table; every cell is HTML-escaped and personal data in free text is masked."""
    from IPython.display import HTML, display

    shown = mask_personal(frame, [])
    body = shown.to_html(index=index, escape=True, na_rep="—", classes="wb-table", border=0,
                         float_format=lambda v: f"{v:,.{digits}f}")
    cap = f"<p class='wb-caption'>{html.escape(caption)}</p>" if caption else ""
    display(HTML(cap + body))


def say(template: str, **values) -> None:
    """Display Markdown prose; ``{name}`` fields are filled with escaped values."""
    from IPython.display import Markdown, display

    safe = {k: html.escape(mask_text(str(v))) for k, v in values.items()}
    display(Markdown(template.format(**safe)))


def show_figure(fig) -> None:
    """Display a matplotlib figure as an embedded PNG and close it."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png"))


def record_headlines(report: str, items: list[dict]) -> None:
    """Record the report's headline figures for the site index.

    ``items``: [{"label": ..., "value": number or text, "format": "{:,.0f}", "status": "ok"|"warn"|"bad"}]
    """
    from IPython.display import display

    clean = []
    for item in items:
        value = item["value"]
        if hasattr(value, "item"):
            value = value.item()
        clean.append({"label": str(item["label"]), "value": value, "format": item.get("format", "{}"),
                      "status": item.get("status", "ok")})
    display({HEADLINE_MIME: {"report": report, "items": clean}}, raw=True)


def localise(frame: pd.DataFrame, params: Parameters, dimensions: tuple[str, ...] = ("dimension",),
             categories: tuple[str, ...] = ("category",),
             values: tuple[str, ...] = ("reason", "quadrant", "band", "model", "segment_name", "change", "method",
                                        "stage", "channel", "visit_type"),
             segments: tuple[str, ...] = ("segment",)) -> pd.DataFrame:
    """Display copy of a result table: column headers and coded values in the report language."""
    from .i18n import category_name, column_name, dimension_name, value_name

    lang = params.site.language
    out = frame.copy()
    for col in dimensions:
        if col in out:
            out[col] = out[col].map(lambda d: value_name(d, lang) if d == "overall"
                                    else dimension_name(d, lang, params.survey.dimension_labels))
    for col in categories:
        if col in out:
            out[col] = out[col].map(lambda c: category_name(c, lang))
    if "factors" in out:
        from .i18n import feature_name

        out["factors"] = out["factors"].map(lambda r: "、".join(feature_name(f, lang) for f in r)
                                            if isinstance(r, (list, tuple)) else r)
    if "reasons" in out:
        from .i18n import feature_name

        out["reasons"] = out["reasons"].map(lambda r: "、".join(feature_name(f, lang) for f in r)
                                            if isinstance(r, (list, tuple)) else r)
    if "criteria" in out:
        from .i18n import feature_name

        out["criteria"] = out["criteria"].map(lambda r: "、".join(feature_name(f, lang) for f in r)
                                              if isinstance(r, (list, tuple)) else r)
    if "criterion" in out:
        out["criterion"] = out["criterion"].map(lambda c: column_name(c, lang))
    for col in ("feature", "signal"):
        if col in out:
            from .i18n import feature_name

            out[col] = out[col].map(lambda f: feature_name(f, lang))
    for col in (*values, *segments):
        if col in out:
            out[col] = out[col].map(lambda v: column_name(v, lang) if col in segments else value_name(v, lang))
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "✓", False: ""})
        elif col in PERCENT_COLUMNS:
            out[col] = out[col].map(percent).astype(object)
    out.columns = [column_name(c, lang) for c in out.columns]
    return out


#: result columns that are shares, shown as percentages
PERCENT_COLUMNS = {"rate", "share", "share_of_max", "top2", "on_time", "quality_pass", "reply_ok", "followup_ok",
                   "cumulative", "performance", "probability", "rate_with", "rate_without", "observed_rate",
                   "mean_probability", "cumulative_capture", "latest_satisfaction", "sales_share", "step_rate",
                   "within_promise", "hot_rate", "others_hot_rate", "overall_rate", "conversion_rate", "rate_low",
                   "rate_high", "share_of_leads"}


def output_file(params: Parameters, output_dir: str | None, name: str):
    """Where a notebook writes an Excel list: the run folder under the runner, else reports/interactive/<month>/."""
    from pathlib import Path

    folder = Path(output_dir) if output_dir else params.root / "reports" / "interactive" / params.month
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def percent(value, digits: int = 1) -> str:
    """0.873 -> '87.3%' ('—' for a missing value)."""
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}%}"
