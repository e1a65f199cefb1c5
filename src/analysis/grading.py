"""Customer grading: the 100-point value score from eight criteria, A/B/C/D by quota or thresholds,
provisional and payment-terms rules, action segments with churn risk, policies, migration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import GRADING_CRITERIA as CRITERIA
from .config import Parameters
from .errors import DataError
from .message import Message, Percent

GRADES = ("A", "B", "C", "D")


def criterion_values(tables, params: Parameters, month: str | None = None) -> pd.DataFrame:
    """Raw value of each criterion per active customer, as of the end of ``month`` (default: the report month).

    Active: an order within grading.period_months. Values: sales over the period; the share of
    invoices due in the period paid by their due date; margin rate; number of orders; the sales
    model; share of wallet; years of business; industry reputation. NaN where the data is absent.
    """
    end = pd.Period(month or params.month, "M").end_time.normalize()
    start = end - pd.DateOffset(months=params.grading.period_months) + pd.Timedelta(days=1)
    orders = tables.require("orders", "customer grading")  # absent: a DataError with the page's statement
    window = orders[(orders["order_date"] >= start) & (orders["order_date"] <= end)]
    if window.empty:
        raise DataError(f"grading: no order between {start.date()} and {end.date()}; nothing to grade "
                        f"(grading.period_months={params.grading.period_months}).",
                        reason=Message.of("grade.no_orders", start=start, end=end, months=params.grading.period_months))
    by = window.groupby("customer_id", sort=True)
    out = pd.DataFrame({"sales_volume": by["amount"].sum(), "order_quantity": by.size().astype(float)})
    out["margin"] = by["margin"].sum() / out["sales_volume"].replace(0, np.nan) if "margin" in window else np.nan
    if "payments" in tables:
        payments = tables["payments"]
        due = payments[(payments["due_date"] >= start) & (payments["due_date"] <= end)]
        on_time = (due["paid_date"].notna() & (due["paid_date"] <= due["due_date"])).groupby(due["customer_id"]).mean()
        out["payment"] = on_time.reindex(out.index)
        first, _ = late_payment_window(params, month)
        window_due = payments[(payments["due_date"] >= first) & (payments["due_date"] <= end)]
        late = (window_due["paid_date"].isna() | (window_due["paid_date"] > window_due["due_date"])).groupby(
            window_due["customer_id"]).sum()
        out["late_payments"] = late.reindex(out.index).fillna(0)
    else:
        out["payment"] = np.nan
        out["late_payments"] = np.nan
    customers = tables["customers"].set_index("customer_id")
    first = orders[orders["order_date"] <= end].groupby("customer_id")["order_date"].min().reindex(out.index)
    since = customers["customer_since"].reindex(out.index) if "customer_since" in customers else first
    since = since.fillna(first).where(since.isna() | first.isna() | (since <= first), first)
    out["years"] = (end - since).dt.days / 365.25
    out["months_known"] = (end - since).dt.days / 30.4
    for col in ("sales_model", "share_of_wallet", "reputation"):
        out[col] = customers[col].reindex(out.index) if col in customers else np.nan
    out.index.name = "customer_id"
    return out.reset_index()


def late_payment_window(params: Parameters, month: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day over which late payments are counted for the payment-terms downgrade:
    the calendar quarter up to the end of the month (grading.late_payment_window: quarter, the
    procedure's "within a quarter") or the three months ending with it (rolling_3_months)."""
    period = pd.Period(month or params.month, "M")
    end = period.end_time.normalize()
    if params.grading.late_payment_window == "quarter":
        first = period.asfreq("Q").start_time
    else:
        first = (period - 2).start_time
    return first, end


def criterion_points(values: pd.DataFrame, params: Parameters) -> tuple[pd.DataFrame, dict]:
    """Points of each criterion (0 .. its weight) per customer, and per criterion: method, applied
    weight and how many customers had no value.

    Rules per criterion (grading.rules): percentile (points = weight x percentile rank),
    thresholds (the share of the weight of the highest threshold reached), values (a share per
    category). A customer without a value gets the median points of the others. A criterion
    without any data scores 0 for everyone; with grading.redistribute_missing its weight is
    spread over the others in proportion.
    """
    weights = dict(params.grading.weights)
    absent = [c for c in CRITERIA if values[c].isna().all()]
    if absent and params.grading.redistribute_missing:
        kept = {c: w for c, w in weights.items() if c not in absent}
        scale = 100 / sum(kept.values())
        weights = {c: (w * scale if c not in absent else 0.0) for c, w in weights.items()}
    points = pd.DataFrame({"customer_id": values["customer_id"]})
    notes = {}
    for criterion in CRITERIA:
        rule = params.grading.rules[criterion]
        raw = values[criterion]
        if criterion in absent:
            points[criterion] = 0.0
            notes[criterion] = {"method": "no_data", "missing": len(raw), "weight": weights[criterion]}
            continue
        if rule.method == "percentile":
            share = raw.rank(pct=True, method="average")
        elif rule.method == "thresholds":
            share = raw.map(lambda v: _threshold_share(v, rule.thresholds))
        else:
            share = raw.map(lambda v: rule.values.get(str(v)) if pd.notna(v) else np.nan)
        share = share.astype(float)
        missing = int(share.isna().sum())
        share = share.fillna(share.median() if share.notna().any() else 0.0)
        points[criterion] = share * weights[criterion]
        notes[criterion] = {"method": rule.method, "missing": missing, "weight": weights[criterion]}
    points["score"] = points[list(CRITERIA)].sum(axis=1)
    return points, notes


def _threshold_share(value, thresholds) -> float:
    if pd.isna(value):
        return np.nan
    for step in sorted(thresholds, key=lambda s: -s.min):
        if value >= step.min:
            return step.share
    return 0.0


def assign_grades(scores: pd.DataFrame, params: Parameters, tiebreak: str | None = "sales") -> pd.Series:
    """A/B/C/D by quota or by score thresholds (grading.method).

    Quota: customers ordered by score (highest first), ties broken by ``tiebreak`` (highest
    first) and then customer_id; grade k takes the customers up to round(n x cumulative
    share of grades up to k), rounding halves up: exact, deterministic counts.
    """
    if params.grading.method == "thresholds":
        limits = params.grading.thresholds
        return scores["score"].map(lambda s: next((g for g in GRADES[:3] if s >= limits[g]), "D"))
    keys, ascending = ["score"], [False]
    if tiebreak and tiebreak in scores:
        keys.append(tiebreak)
        ascending.append(False)
    ranked = scores.reset_index(drop=True).sort_values([*keys, "customer_id"], ascending=[*ascending, True],
                                                       kind="stable", na_position="last")
    order = ranked.index.to_numpy()
    n = len(scores)
    bounds, cumulative = [], 0.0
    for grade in GRADES:
        cumulative += params.grading.quotas[grade]
        bounds.append(int(np.floor(n * cumulative + 0.5 + 1e-9)))
    grades = np.empty(n, dtype=object)  # by position in ``scores``
    start = 0
    for grade, stop in zip(GRADES, bounds):
        grades[order[start:stop]] = grade
        start = stop
    grades[order[start:]] = "D"
    return pd.Series(grades, index=scores.index)


def grade_customers(tables, params: Parameters, month: str | None = None) -> tuple[pd.DataFrame, dict]:
    """The graded list: criterion points, score, grade, provisional flag, payment-terms downgrade, policy."""
    values = criterion_values(tables, params, month)
    points, notes = criterion_points(values, params)
    graded = points.merge(values[["customer_id", "sales_volume", "late_payments", "months_known"]],
                          on="customer_id", suffixes=("", "_value"))
    graded = graded.rename(columns={"sales_volume_value": "sales"})
    graded["grade"] = assign_grades(graded, params, tiebreak="sales").to_numpy()
    graded["provisional"] = graded["months_known"] < params.grading.provisional_months
    graded["terms_downgrade"] = graded["late_payments"] >= params.grading.late_payments_for_downgrade
    graded = join_policies(graded, params)
    graded = graded.sort_values(["score", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return graded, notes


def join_policies(graded: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Discount, payment terms, delivery days and visit frequency of each customer's grade; a payment-terms
    downgrade takes the terms of the next grade down."""
    policy = params.grading.policies
    out = graded.copy()
    out["discount"] = out["grade"].map(lambda g: policy[g].discount)
    terms_grade = out["grade"].where(~out.get("terms_downgrade", False),
                                     out["grade"].map(lambda g: GRADES[min(GRADES.index(g) + 1, 3)]))
    out["payment_terms"] = terms_grade.map(lambda g: policy[g].payment_terms)
    out["delivery_days"] = out["grade"].map(lambda g: policy[g].delivery_days)
    out["visit"] = out["grade"].map(lambda g: policy[g].visit)
    return out


def action_segments(graded: pd.DataFrame, risk: pd.DataFrame | None, params: Parameters) -> pd.DataFrame:
    """Value grade x churn risk band -> protect / maintain / develop / reduce (grading.segments).

    A graded customer the churn model did not score has no order within churn.horizon_days:
    it has lapsed by the churn definition and counts as high risk. Without a churn model
    (``risk`` None) every customer counts as low risk.
    """
    frame = graded[["customer_id", "grade", "sales"]].copy()
    if risk is None:
        frame["band"] = "low"
    else:
        frame["band"] = frame["customer_id"].map(risk.set_index("customer_id")["band"]).fillna("high")
    frame["action_segment"] = [params.grading.segments[g][b] for g, b in zip(frame["grade"], frame["band"])]
    return frame


def segment_matrix(segments: pd.DataFrame) -> pd.DataFrame:
    """Counts and sales per grade (rows) and risk band (columns), with the action segment of each cell."""
    rows = []
    for grade in GRADES:
        for band in ("high", "medium", "low"):
            cell = segments[(segments["grade"] == grade) & (segments["band"] == band)]
            seg = cell["action_segment"].iloc[0] if len(cell) else None
            rows.append({"grade": grade, "band": band, "action_segment": seg, "customers": len(cell),
                         "sales": float(cell["sales"].sum())})
    return pd.DataFrame(rows)


def migration(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Customers per grade before (rows) and now (columns); 'new' and 'gone' for customers on one side only."""
    merged = previous[["customer_id", "grade"]].merge(current[["customer_id", "grade"]], on="customer_id",
                                                      how="outer", suffixes=("_before", "_now"))
    merged["grade_before"] = merged["grade_before"].fillna("new")
    merged["grade_now"] = merged["grade_now"].fillna("gone")
    table = pd.crosstab(merged["grade_before"], merged["grade_now"].rename("grade"))
    rows = [g for g in (*GRADES, "new") if g in table.index]
    cols = [g for g in (*GRADES, "gone") if g in table.columns]
    return table.reindex(index=rows, columns=cols, fill_value=0)


def grade_changes(current: pd.DataFrame, previous: pd.DataFrame, top: int = 2) -> pd.DataFrame:
    """Upgrades and downgrades with the criteria whose points moved most in that direction."""
    merged = current.merge(previous, on="customer_id", suffixes=("", "_before"))
    rank = {g: i for i, g in enumerate(GRADES)}
    moved = merged[merged["grade"] != merged["grade_before"]].copy()
    moved["change"] = np.where(moved["grade"].map(rank) < moved["grade_before"].map(rank), "up", "down")
    deltas = pd.DataFrame({c: moved[c] - moved[f"{c}_before"] for c in CRITERIA}, index=moved.index)
    reasons = []
    for idx, row in deltas.iterrows():
        sign = 1 if moved.at[idx, "change"] == "up" else -1
        ordered = (row * sign).sort_values(ascending=False)
        reasons.append([c for c, v in ordered.items() if v > 0.01][:top])
    moved["criteria"] = reasons
    moved["score_change"] = moved["score"] - moved["score_before"]
    return moved[["customer_id", "grade_before", "grade", "change", "score_before", "score", "score_change",
                  "criteria"]].sort_values(["change", "score_change", "customer_id"], ascending=[False, False, True],
                                           kind="stable").reset_index(drop=True)


def criterion_breakdown(graded: pd.DataFrame) -> pd.DataFrame:
    """Mean points of each criterion per grade: what makes an A an A."""
    table = graded.groupby("grade")[list(CRITERIA) + ["score"]].mean()
    return table.reindex([g for g in GRADES if g in table.index])


def policy_table(params: Parameters) -> pd.DataFrame:
    return pd.DataFrame([{"grade": g, **params.grading.policies[g].model_dump()} for g in GRADES])


def distribution(graded: pd.DataFrame) -> pd.DataFrame:
    """Customers, sales and share of sales per grade, with provisional and downgrade counts."""
    total = graded["sales"].sum()
    table = graded.groupby("grade").agg(customers=("customer_id", "size"), sales=("sales", "sum"),
                                        provisional=("provisional", "sum"), terms_downgrade=("terms_downgrade", "sum"))
    table = table.reindex([g for g in GRADES if g in table.index])
    table["sales_share"] = table["sales"] / total if total else np.nan
    return table.reset_index()


def criteria_table(params: Parameters, notes: dict) -> pd.DataFrame:
    """Weight (as set, and as applied after any redistribution), method, and customers without a value."""
    return pd.DataFrame([{"criterion": c, "weight": params.grading.weights[c], "applied_weight": notes[c]["weight"],
                          "method": notes[c]["method"], "missing": notes[c]["missing"]} for c in CRITERIA])


# ----------------------------------------------------------------------------- sentences of the page

def intro_message(graded: pd.DataFrame, params: Parameters) -> Message:
    """How customers are scored and graded: the period, the method, provisional and downgrade rules."""
    quotas = params.grading.quotas
    if params.grading.method == "quota":
        method = Message.of("grade.method.quota", **{g.lower(): Percent(quotas[g], 0) for g in GRADES})
    else:
        method = Message("grade.method.thresholds")
    first, last = late_payment_window(params)
    return Message.of("grade.intro", months=params.grading.period_months, n=len(graded), method=method,
                      provisional=params.grading.provisional_months, late=params.grading.late_payments_for_downgrade,
                      window=Message(f"grade.window.{params.grading.late_payment_window}"), first=first, last=last)


def distribution_finding(table: pd.DataFrame) -> Message:
    """Alt text of the distribution chart: customers per grade."""
    counts = table.set_index("grade")["customers"]
    return Message.of("grade.alt.distribution", **{g.lower(): int(counts.get(g, 0)) for g in GRADES})


def comparison_months(params: Parameters) -> list[tuple[str, str]]:
    """The months the grades are compared with: (catalogue key of the label, YYYY-MM): the end of the previous
    report period (last month, last quarter, last year) and a year ago."""
    steps = [("grade.previous", params.period_months)] + ([("grade.year_ago", 12)] if params.period_months < 12 else [])
    return [(label, str(pd.Period(params.month, "M") - back)) for label, back in steps]


def graded_list(graded: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The graded list for the Excel file: points, grade, flags, policies, risk band and action segment."""
    listing = graded.merge(segments[["customer_id", "band", "action_segment"]], on="customer_id", how="left")
    return listing.drop(columns=["months_known"])


def headlines(graded: pd.DataFrame, segments: pd.DataFrame, changes_last_month: pd.DataFrame | None) -> list[dict]:
    """The page's headline figures: A customers, customers to protect, grade changes since last month."""
    from .message import Number

    return [{"key": "grade.headline.a", "value": Number(int((graded["grade"] == "A").sum()))},
            {"key": "grade.headline.protect", "value": Number(int((segments["action_segment"] == "protect").sum())),
             "status": "warn"},
            {"key": "grade.headline.changes", "value": Number(0 if changes_last_month is None else len(changes_last_month))}]


def churn_risk(tables, params: Parameters) -> tuple[pd.DataFrame | None, Message]:
    """Churn risk bands of the graded customers from the churn model, and the note the page shows about it.

    Without a churn model (too little history) every customer counts as low risk and the note says why.
    """
    from . import churn, model_cache

    try:
        history = churn.satisfaction_history(tables, params)
        model, _ = model_cache.churn_model(tables, params, history)  # fitted once: the churn page shares it
        risk = churn.score_customers(model, churn.current_features(tables, params, history), params)
        return risk, Message("grade.matrix_note")
    except DataError as exc:
        return None, Message.of("grade.matrix_none", why=exc.reason if exc.reason is not None else str(exc).split(".")[0])


def comparisons(tables, params: Parameters, graded: pd.DataFrame) -> list[dict]:
    """Migration against last month and a year ago, each graded with today's rules: label, month, matrix, changes.

    A month without orders to grade is reported with ``matrix`` None.
    """
    out = []
    for label, month in comparison_months(params):
        try:
            before, _ = grade_customers(tables, params, month)
        except DataError:
            out.append({"label": label, "month": month, "matrix": None, "changes": None})
            continue
        out.append({"label": label, "month": month, "matrix": migration(graded, before),
                    "changes": grade_changes(graded, before)})
    return out


def changes_message(changes: pd.DataFrame | None, month: str) -> Message | None:
    """How many customers changed grade since last month, up and down (None when last month is not graded)."""
    if changes is None:
        return None
    counts = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    return Message.of("grade.changes_summary", n=len(changes), up=int(counts.get("up", 0)),
                      down=int(counts.get("down", 0)), month=month)
