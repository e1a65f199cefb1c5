"""Churn risk: month-end snapshots (queried through analysis.data.queries), leakage-safe labels, a time-validated model,
risk bands, value at risk, Kaplan-Meier retention curves.

Every feature of a snapshot uses only rows dated on or before the snapshot date (the whole
snapshot day; events with a time of day count when they fall on it); a label
looks only at the horizon after it, and a snapshot is labelled only when that horizon has
fully passed by the end of the report month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Parameters
from .data import queries
from .data.queries import COMPLAINT_FEATURES, ORDER_FEATURES, PAYMENT_FEATURES, SURVEY_FEATURES  # noqa: F401
from .data.store import Tables
from .errors import DataError
from .message import Message, Money, Number, Percent, Term

threads = queries.threads
pq_columns = queries.pq_columns


def snapshot_dates(params: Parameters, count: int) -> list[pd.Timestamp]:
    """The ``count`` month ends up to the report month's, oldest first."""
    end = pd.Period(params.month, "M")
    return [(end - k).end_time.normalize() for k in range(count - 1, -1, -1)]


#: customer archive columns that describe a customer as a whole and are model inputs of a flag-labelled model
#: when present (a snapshot model computes tenure from the orders instead: the archive's figure is today's)
FLAG_ATTRIBUTES = ("tenure_months",)
#: customer columns the churn rates are broken down by when there is no history to draw curves from
RATE_SEGMENTS = ("grade", "region", "branch", "industry", "sales_model")


def has_orders(tables: Tables) -> bool:
    """Whether the sales statistics hold at least one order (an empty export counts as none)."""
    if "orders" not in tables:
        return False
    import pyarrow.parquet as pq

    return pq.ParquetFile(tables.path("orders")).metadata.num_rows > 0


def label_mode(tables: Tables, params: Parameters) -> str:
    """no_order, flag or contract_end: the parameter, or (auto) what the data allows."""
    mode = params.churn.label
    customers = tables["customers"]
    if mode == "auto":
        if "churned" in customers and customers["churned"].notna().any():
            mode = "flag"
        elif "contract_end" in customers and customers["contract_end"].notna().any():
            mode = "contract_end"
        else:
            mode = "no_order"
    if mode in ("no_order", "contract_end") and not has_orders(tables):
        raise DataError(f"churn.label {mode} needs the order history (sales statistics with rows); give customers a "
                        "churned flag (是否流失) or set churn.label: flag.",
                        reason=Message.of("churn.needs_orders", definition=Message.of(
                            f"churn.def.{mode}", horizon=params.churn.horizon_days)))
    if mode == "flag" and "churned" not in customers:
        raise DataError("churn.label flag needs the column churned (是否流失) in the customer archive.",
                        reason=Message.of("churn.needs_flag"))
    if mode == "contract_end" and "contract_end" not in customers:
        raise DataError("churn.label contract_end needs the column contract_end (合同到期日) in the customer archive.",
                        reason=Message.of("churn.needs_contract_end"))
    return mode


def snapshot_features(tables: Tables, params: Parameters, dates: list[pd.Timestamp],
                      survey_scores: pd.DataFrame | None = None, compact: bool = False) -> pd.DataFrame:
    """Features of every active customer at each snapshot date (see :func:`analysis.data.queries.snapshot_features`).

    Active: an order within churn.horizon_days before the snapshot (a customer without one has
    already churned by the definition). Windows of 3, 6 and 12 months end at the snapshot.
    Rows are (snapshot, customer_id) in a stable order; ``compact`` stores numbers in small types.
    """
    return queries.snapshot_features(tables, dates, params.churn.horizon_days, attribute_columns(tables, params),
                                     survey_scores, memory=params.churn.duckdb_memory, threads_=threads(),
                                     compact=compact)


def training_features(tables: Tables, params: Parameters, survey_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Labelled snapshots to fit on: the churn.training_snapshots month-ends (and those of the horizon)
    whose horizon has passed by the end of the report month, in compact types."""
    steps = int(np.ceil(params.churn.horizon_days / 30.4))
    end = pd.Timestamp(params.period_end)
    dates = [d for d in snapshot_dates(params, params.churn.training_snapshots + steps)
             if d + pd.Timedelta(days=params.churn.horizon_days) <= end]
    features = snapshot_features(tables, params, dates, survey_scores, compact=True)
    return label_snapshots(features, tables, params)


def attribute_columns(tables: Tables, params: Parameters) -> list[str]:
    """Customer archive columns carried into every snapshot row: the declared features, owner and segment."""
    customers = pq_columns(tables, "customers")
    return [c for c in dict.fromkeys([*params.churn.features.categorical, *params.churn.features.numeric,
                                      "sales_rep", "region", "branch", params.churn.segment])
            if c in customers and c != "customer_id"]


def label_snapshots(features: pd.DataFrame, tables: Tables, params: Parameters) -> pd.DataFrame:
    """Add ``churned`` (1/0) to snapshots whose horizon has passed by the end of the report month.

    no_order: no order within churn.horizon_days after the snapshot.
    contract_end: the contract ends within the horizon (rows whose contract ended before are dropped).
    """
    horizon = params.churn.horizon_days
    data_end = pd.Timestamp(params.period_end)
    passed = (features["snapshot"] + pd.Timedelta(days=horizon) <= data_end).to_numpy() if len(features) else []
    labelled = features if len(features) and passed.all() else features[passed].reset_index(drop=True)
    mode = label_mode(tables, params)
    if mode == "contract_end":
        end = labelled["customer_id"].map(tables["customers"].set_index("customer_id")["contract_end"])
        keep = end.isna() | (end > labelled["snapshot"])
        labelled, end = labelled[keep].copy(), end[keep]
        labelled["churned"] = (end <= labelled["snapshot"] + pd.Timedelta(days=horizon)).astype(int)
        return labelled.reset_index(drop=True)
    if labelled.empty:
        return labelled.assign(churned=pd.Series(dtype="int8"))
    buyers = queries.orders_after(tables, sorted(labelled["snapshot"].unique()), horizon, params.churn.duckdb_memory)
    return with_no_order_labels(labelled, buyers)


def with_no_order_labels(labelled: pd.DataFrame, buyers: dict) -> pd.DataFrame:
    """``churned`` 1 for each (snapshot, customer) whose customer is not among ``buyers[snapshot]``
    (the customers who ordered within the horizon after it); rows stay in their order."""
    churned = np.ones(len(labelled), dtype="int8")
    snapshots = labelled["snapshot"].to_numpy()
    ids = labelled["customer_id"]
    ids = ids if isinstance(ids.dtype, pd.CategoricalDtype) else ids.astype(object).astype("category")
    codes = ids.cat.codes.to_numpy()  # whole numbers compared, not strings
    for snapshot in pd.unique(snapshots):
        rows = np.flatnonzero(snapshots == snapshot)
        bought_codes = ids.cat.categories.get_indexer(np.asarray(buyers.get(pd.Timestamp(snapshot), ()), dtype=object))
        churned[rows[np.isin(codes[rows], bought_codes[bought_codes >= 0])]] = 0
    labelled = labelled.copy(deep=False)
    labelled["churned"] = churned
    return labelled


def feature_spec(frame: pd.DataFrame, params: Parameters):
    """Computed features present in ``frame`` plus the customer attributes declared in churn.features (and,
    where the frame has them, :data:`FLAG_ATTRIBUTES`: only the flag-labelled model's frame carries them)."""
    from . import modeling

    computed = [c for c in (*ORDER_FEATURES, *PAYMENT_FEATURES, *COMPLAINT_FEATURES, *SURVEY_FEATURES,
                            *FLAG_ATTRIBUTES) if c in frame]
    numeric = computed + [c for c in params.churn.features.numeric if c in frame]
    categorical = [c for c in params.churn.features.categorical if c in frame]
    return modeling.FeatureSpec(categorical, numeric, after_outcome=["churned", "later_orders", "contract_end"])


def fit_churn_model(tables: Tables, params: Parameters, survey_scores: pd.DataFrame | None = None):
    """Build the training snapshots, validate on the newest labelled one, return (result, labelled rows).

    With churn.label flag the model is cross-sectional: customer attributes (and order
    features at the report date, where orders exist) against the flag, with a stratified split.
    """
    from . import modeling

    mode = label_mode(tables, params)
    if mode == "flag":
        current = current_features(tables, params, survey_scores)
        labelled = current[current["churned_flag"].notna()].copy()
        labelled["churned"] = labelled["churned_flag"].astype(int)
        spec = feature_spec(labelled, params)
        result = modeling.fit_and_compare(labelled, "churned", spec, params.churn.seed,
                                          min_positives=params.churn.min_positives, parameter="churn.min_positives",
                                          **_model_limits(params))
        return result, labelled
    labelled = training_features(tables, params, survey_scores)
    if labelled.empty:
        raise DataError(f"churn: no snapshot has a full {params.churn.horizon_days}-day horizon before "
                        f"{params.period_end}; the orders need more history.",
                        reason=Message.of("churn.no_full_horizon", end=pd.Timestamp(params.period_end),
                                          horizon=params.churn.horizon_days))
    newest = labelled["snapshot"].max()
    spec = feature_spec(labelled, params)
    result = modeling.fit_and_compare(labelled, "churned", spec, params.churn.seed, time_column="snapshot",
                                      valid_from=newest, min_positives=params.churn.min_positives,
                                      parameter="churn.min_positives", **_model_limits(params))
    return result, labelled


def current_features(tables: Tables, params: Parameters, survey_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Features at the end of the report month (the customers to score)."""
    end = pd.Timestamp(params.period_end)
    customers = tables["customers"]
    if has_orders(tables):
        frame = snapshot_features(tables, params, [end], survey_scores)
    else:
        frame = _with_attributes(pd.DataFrame({"customer_id": customers["customer_id"], "snapshot": end}),
                                 tables, params)
    for column in FLAG_ATTRIBUTES:  # for a flag-labelled model; one labelled by snapshots never reads them
        if column in customers and column not in frame:
            frame[column] = frame["customer_id"].map(customers.set_index("customer_id")[column]).astype(float)
    if "churned" in customers:
        frame["churned_flag"] = frame["customer_id"].map(customers.set_index("customer_id")["churned"])
    return frame


def score_customers(result, current: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Probability, risk band, value at risk and top reasons for each customer at the report date."""
    from . import modeling

    frame = current.copy()
    if "churned_flag" in frame:
        frame = frame[frame["churned_flag"].fillna(False) == False]  # noqa: E712  already lost: not scored
    frame["churn_probability"] = result.predict(frame)
    frame["band"] = risk_bands(frame["churn_probability"], params)
    value_col = "margin_12m" if params.churn.value == "margin" else "sales_12m"
    frame["value_12m"] = frame[value_col] if value_col in frame else np.nan
    frame["value_at_risk"] = frame["churn_probability"] * frame["value_12m"]
    frame["reasons"] = modeling.reasons(result, frame, top=params.churn.top_reasons)
    return frame.sort_values(["value_at_risk", "churn_probability", "customer_id"], ascending=[False, False, True],
                             kind="stable", na_position="last").reset_index(drop=True)


def risk_bands(probability: pd.Series, params: Parameters) -> pd.Series:
    """high / medium / low from churn.bands thresholds."""
    bands = params.churn.bands
    return pd.Series(np.select([probability >= bands.high, probability >= bands.medium], ["high", "medium"], "low"),
                     index=probability.index)


def driver_rates(labelled: pd.DataFrame) -> pd.DataFrame:
    """Churn rate with and without each risk signal in the labelled snapshots, and the ratio."""
    signals = {"late_2plus": labelled.get("late_2plus", pd.Series(dtype=float)) >= 1,
               "complaints_90d": labelled.get("complaints_90d", pd.Series(dtype=float)) >= 1,
               "low_satisfaction": labelled.get("latest_satisfaction", pd.Series(dtype=float)) < 0.7,
               "falling_spend": labelled.get("spend_trend", pd.Series(dtype=float)) < -0.3}
    rows = []
    for name, flag in signals.items():
        if flag is None or len(flag) == 0 or not flag.any():
            continue
        flag = flag.reindex(labelled.index, fill_value=False)
        with_rate, without = labelled.loc[flag, "churned"].mean(), labelled.loc[~flag, "churned"].mean()
        rows.append({"signal": name, "customers_with": int(flag.sum()), "rate_with": with_rate,
                     "rate_without": without, "ratio": with_rate / without if without > 0 else np.nan})
    return pd.DataFrame(rows, columns=["signal", "customers_with", "rate_with", "rate_without", "ratio"])


def permutation_drivers(result, labelled: pd.DataFrame, seed: int) -> pd.DataFrame:
    """How much the validation ROC AUC drops when each input is shuffled (mean and spread of 5 repeats)."""
    from . import modeling

    valid = labelled.loc[result.valid_predictions.index]
    X = modeling.prepare_features(valid, result.spec)
    out = modeling.permutation_importance(result.model, X, valid["churned"].astype(int), n_repeats=5, seed=seed)
    return out.sort_values(["importance", "feature"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- retention curves

def kaplan_meier(durations, events) -> pd.DataFrame:
    """Kaplan-Meier survival: at each distinct time, at risk, events, censored, survival.

    ``events`` is 1 for a churn observed at that duration, 0 for a customer still active (censored).
    """
    frame = pd.DataFrame({"t": np.asarray(durations, float), "e": np.asarray(events, int)})
    rows, survival, at_risk = [], 1.0, len(frame)
    for t, group in frame.groupby("t", sort=True):
        d = int(group["e"].sum())
        if at_risk > 0 and d:
            survival *= 1 - d / at_risk
        rows.append({"time": t, "at_risk": at_risk, "events": d, "censored": int(len(group) - d),
                     "survival": survival})
        at_risk -= len(group)
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "censored", "survival"])


def curves_basis(tables: Tables, params: Parameters) -> str | None:
    """What the retention curves are drawn from: ``tenure`` (a churn flag and months with us per customer),
    ``orders`` (first to last order), or None (neither: churn rates by segment stand in)."""
    customers = tables["customers"]
    if (label_mode(tables, params) == "flag" and "tenure_months" in customers
            and customers["tenure_months"].notna().any()):
        return "tenure"
    return "orders" if has_orders(tables) else None


def retention_curves(tables: Tables, params: Parameters, segment: str | None = None) -> pd.DataFrame:
    """Retention by months with us and segment (Kaplan-Meier), from what :func:`curves_basis` finds.

    orders: months from a customer's first order to its last; one without an order in the last
    churn.horizon_days before the end of the report month has churned (event at its last order), the
    others are censored at the month end. tenure: months with us (tenure_months) against the churn flag;
    a customer not flagged is censored at its months so far. Empty without either.
    """
    basis = curves_basis(tables, params)
    segment = segment or params.churn.segment
    customers = tables["customers"].set_index("customer_id")
    if basis is None:
        return pd.DataFrame(columns=["time", "at_risk", "events", "censored", "survival", "segment"])
    if basis == "tenure":
        known = customers[customers["tenure_months"].notna() & customers["churned"].notna()]
        months, churned = known["tenure_months"].astype(float), known["churned"].astype(bool)
        groups = known[segment].fillna("—") if segment in known else pd.Series("all", known.index)
        return _curves(months, churned, groups)
    orders = tables["orders"]
    end = pd.Timestamp(params.period_end)
    orders = orders[orders["order_date"] <= end]
    span = orders.groupby("customer_id")["order_date"].agg(["min", "max"])
    churned = span["max"] < end - pd.Timedelta(days=params.churn.horizon_days)
    stop = span["max"].where(churned, end)
    months = (stop - span["min"]).dt.days / 30.4
    groups = customers[segment].reindex(span.index).fillna("—") if segment in customers else pd.Series("all", span.index)
    return _curves(months, churned, groups)


def _curves(months: pd.Series, churned: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Kaplan-Meier tables per group (months rounded to whole months), stacked with a ``segment`` column."""
    curves = []
    for value, idx in groups.groupby(groups, sort=True).groups.items():
        table = kaplan_meier(months.loc[idx].round(), churned.loc[idx].astype(int))
        curves.append(table.assign(segment=value))
    return (pd.concat(curves, ignore_index=True) if curves
            else pd.DataFrame(columns=["time", "at_risk", "events", "censored", "survival", "segment"]))


def churn_rates(tables: Tables, params: Parameters) -> dict[str, pd.DataFrame]:
    """Without curves (a churn flag but no months with us and no order history): the share of customers
    flagged as churned per value of each segment column present (churn.segment first, then
    :data:`RATE_SEGMENTS` and the declared categorical features), with a 95 % Wilson interval.

    {column: frame of value, customers, churned_customers, churn_rate, rate_low, rate_high}; values with fewer than
    churn.min_segment customers keep their counts but no rate. Empty without a churn flag.
    """
    from .leads import wilson

    customers = tables["customers"]
    if "churned" not in customers:
        return {}
    known = customers[customers["churned"].notna()]
    columns = [c for c in dict.fromkeys([params.churn.segment, *RATE_SEGMENTS, *params.churn.features.categorical])
               if c in known and c != "customer_id" and known[c].notna().any()]
    out = {}
    for column in columns:
        grouped = known.groupby(known[column].astype(object).fillna("—"), sort=True)["churned"].agg(["size", "sum"])
        low, high = wilson(grouped["sum"].to_numpy(float), grouped["size"].to_numpy(float))
        frame = pd.DataFrame({"value": grouped.index.astype(str), "customers": grouped["size"].astype(int).to_numpy(),
                              "churned_customers": grouped["sum"].astype(int).to_numpy(),
                              "churn_rate": (grouped["sum"] / grouped["size"]).to_numpy(),
                              "rate_low": low, "rate_high": high})
        small = frame["customers"] < params.churn.min_segment
        frame.loc[small, ["churn_rate", "rate_low", "rate_high"]] = np.nan
        out[column] = frame
    return out



# ----------------------------------------------------------------------------- internals

def _model_limits(params: Parameters) -> dict:
    return {"max_train_rows": params.churn.max_training_rows,
            "max_calibration_error": params.churn.max_calibration_error}


def _with_attributes(frame: pd.DataFrame, tables: Tables, params: Parameters) -> pd.DataFrame:
    customers = tables["customers"]
    wanted = [c for c in dict.fromkeys([*params.churn.features.categorical, *params.churn.features.numeric,
                                        "sales_rep", "region", "branch", params.churn.segment]) if c in customers]
    return frame.merge(customers[["customer_id", *wanted]], on="customer_id", how="left")


def satisfaction_history(tables: Tables, params: Parameters) -> pd.DataFrame | None:
    """Score share of every answered survey form (for the latest-satisfaction feature); None without surveys."""
    from .satisfaction import customer_scores

    from .satisfaction import with_answer_dates

    if "surveys" not in tables:
        return None
    surveys = with_answer_dates(tables["surveys"], params)
    done = surveys[surveys["answered_date"].notna() & surveys[params.survey.dimensions].notna().any(axis=1)]
    return customer_scores(done, params)


def _value_known(tables: Tables, params: Parameters) -> bool:
    """Whether the orders give each customer a value of the last 12 months (sales, or margin when churn.value
    is margin and the orders have a margin column)."""
    return has_orders(tables) and (params.churn.value != "margin" or "margin" in pq_columns(tables, "orders"))


def has_value(scored: pd.DataFrame) -> bool:
    """Whether the scored customers have a value at risk (sales or margin of the last 12 months)."""
    return bool(len(scored) and scored["value_at_risk"].notna().any())


def summary(scored: pd.DataFrame) -> dict:
    """Counts per band and value at risk, for the page and the index."""
    total = float(scored["value_at_risk"].sum())
    high = scored[scored["band"] == "high"]
    return {"n": len(scored), "high": int((scored["band"] == "high").sum()),
            "medium": int((scored["band"] == "medium").sum()), "value_at_risk": total,
            "high_share": float(high["value_at_risk"].sum() / total) if total else 0.0}


# ----------------------------------------------------------------------------- sentences of the page

def intro_message(mode: str, params: Parameters, tables: Tables | None = None) -> Message:
    """What the page estimates (from the label actually used), how the retention list is ranked (by value at
    risk, or by probability without an order history), and the churn definition in use."""
    horizon = params.churn.horizon_days
    ranked = (Message.of("churn.rank.value", value=Message(f"churn.value.{params.churn.value}"))
              if tables is None or _value_known(tables, params) else Message("churn.rank.probability"))
    return Message.of(f"churn.intro.{mode}", horizon=horizon, rank=ranked,
                      definition=Message.of(f"churn.def.{mode}", horizon=horizon))


def summary_message(scored: pd.DataFrame) -> Message:
    """Customers scored, per band, value at risk and the high band's share of it (without a value: the counts)."""
    overview = summary(scored)
    if not has_value(scored):
        return Message.of("churn.summary_counts", n=overview["n"], high=overview["high"], medium=overview["medium"])
    return Message.of("churn.summary", n=overview["n"], high=overview["high"], medium=overview["medium"],
                      var=Money(overview["value_at_risk"]), share=Percent(overview["high_share"]))


def band_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Customers and value at risk per risk band, high first (customers only without a value)."""
    table = scored.groupby("band").agg(customers=("customer_id", "size"), value_at_risk=("value_at_risk", "sum"))
    table = table.reindex([b for b in ("high", "medium", "low") if b in table.index]).reset_index()
    return table if has_value(scored) else table.drop(columns="value_at_risk")


def distribution_finding(scored: pd.DataFrame, params: Parameters) -> Message:
    """Alt text of the probability histogram: customers above the high line and between the two lines."""
    bands = params.churn.bands
    p = scored["churn_probability"]
    return Message.of("churn.alt.dist", high=int((p >= bands.high).sum()), high_line=Percent(bands.high, 0),
                      medium=int(((p >= bands.medium) & (p < bands.high)).sum()), medium_line=Percent(bands.medium, 0))


def model_message(result, labelled: pd.DataFrame) -> Message:
    """How the churn model was trained and validated and how well it ranks."""
    from .modeling import auc_message

    auc = auc_message(result)
    if result.validation_scheme == "time":
        return Message.of("churn.model", snapshots=labelled["snapshot"].nunique() - 1, train=result.n_train,
                          valid_date=labelled["snapshot"].max(), valid=result.n_valid,
                          chosen=Term("model_kind", result.chosen), auc=auc, auc_value=Number(result.roc_auc, 2))
    return Message.of("churn.model_flag", valid=result.n_valid, chosen=Term("model_kind", result.chosen), auc=auc)


def calibration_finding(result) -> Message:
    """Alt text of the calibration chart: the mean gap between predicted and observed rates."""
    from .modeling import expected_calibration_error

    valid = result.valid_predictions
    return Message.of("churn.alt.calibration", error=Percent(expected_calibration_error(valid["y"], valid["p"])))


def retention_list(scored: pd.DataFrame) -> pd.DataFrame:
    """The retention list, by value at risk: owner, branch, region, probability, band, value, why (without a
    value: by probability, without the value columns)."""
    columns = ["customer_id", "sales_rep", "branch", "region", "churn_probability", "band", "value_12m",
               "value_at_risk", "reasons"]
    if not has_value(scored):
        columns = [c for c in columns if c not in ("value_12m", "value_at_risk")]
    return scored[[c for c in columns if c in scored]]


def list_caption(scored: pd.DataFrame) -> str:
    """The catalogue key of the retention list's caption: ranked by value at risk or by probability."""
    return "churn.list" if has_value(scored) else "churn.list_by_probability"


def curves_message(tables: Tables, params: Parameters) -> Message | None:
    """What the retention curves show: months from the first order, or months with us against the churn flag,
    by churn.segment (None without curves: see :mod:`analysis.coverage`)."""
    basis = curves_basis(tables, params)
    if basis is None:
        return None
    segment = Term("column", params.churn.segment) if params.churn.segment in tables["customers"] else Message(
        "churn.all_customers")
    return Message.of(f"churn.curves_{basis}", segment=segment)


def curves_axis(tables: Tables, params: Parameters) -> str:
    """The catalogue key of the curves' time axis: months since the first order, or months with us."""
    return "churn.axis.tenure" if curves_basis(tables, params) == "tenure" else "churn.axis.months"


def rates_finding(column: str, rates: pd.DataFrame, params: Parameters) -> Message:
    """The highest and lowest churn rate of a breakdown (values with a rate only)."""
    shown = rates.dropna(subset=["churn_rate"]).sort_values(["churn_rate", "value"], kind="stable")
    if shown.empty:
        return Message.of("churn.rates_small", column=Term("column", column), n=params.churn.min_segment)
    low, high = shown.iloc[0], shown.iloc[-1]
    return Message.of("churn.rates", column=Term("column", column), high=str(high["value"]),
                      high_rate=Percent(high["churn_rate"]), low=str(low["value"]), low_rate=Percent(low["churn_rate"]))


def curves_finding(curves: pd.DataFrame, months: int = 12) -> Message:
    """Alt text of the retention curves: the share still ordering after ``months`` months, best and worst segment."""
    at = {}
    for segment, group in curves.groupby("segment", sort=True):
        before = group[group["time"] <= months]
        at[segment] = float(before["survival"].iloc[-1]) if len(before) else 1.0
    best = max(at, key=lambda s: (at[s], str(s)))
    worst = min(at, key=lambda s: (at[s], str(s)))
    return Message.of("churn.alt.curves", months=months, best=str(best), best_share=Percent(at[best]),
                      worst=str(worst), worst_share=Percent(at[worst]))


def headlines(scored: pd.DataFrame, result) -> list[dict]:
    """The page's headline figures: high-risk customers, value at risk (where there is one), model ROC AUC."""
    overview = summary(scored)
    items = [{"key": "churn.headline.high", "value": Number(overview["high"]), "better": "down",
              "status": "warn" if overview["high"] else "ok"}]
    if has_value(scored):
        items.append({"key": "churn.headline.var", "value": Money(overview["value_at_risk"]), "better": "down"})
    items.append({"key": "churn.headline.auc", "value": Number(result.validation[result.chosen]["roc_auc"], 3),
                  "better": "up"})
    return items
