"""What the lead and churn models share: pipelines, time-ordered validation, calibration, metrics, reasons.

Each candidate is fitted on the older training rows (a stratified subsample above a size),
calibrated (Platt) on the latest slice of them, and judged on the validation rows; the one
with the best proper score (log loss) is chosen among those whose ROC AUC is near the best,
and is refitted on every training row and calibrated on the validation rows. Seeded
throughout: the same inputs give the same probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError, DataError

MODEL_KINDS = ("logistic", "gradient_boosting")
#: a candidate whose validation ROC AUC is this far below the best is never chosen for its log loss
AUC_GUARD = 0.01
#: share of the training rows (the latest, in time-ordered validation) that calibrates each candidate
CALIBRATION_SHARE = 0.2


@dataclass
class FeatureSpec:
    """Model inputs: categorical and numeric columns, and columns known only after the outcome."""

    categorical: list[str]
    numeric: list[str]
    after_outcome: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [*self.categorical, *self.numeric]

    def check(self) -> None:
        """Refuse a feature that is known only after the outcome (leakage)."""
        leaked = sorted(set(self.columns) & set(self.after_outcome))
        if leaked:
            raise ConfigError(f"features {', '.join(leaked)} are known only after the outcome and cannot be model "
                              "inputs (they would leak the answer). Remove them from the feature lists in parameters.")


@dataclass
class ModelResult:
    """The chosen, calibrated model refitted on every labelled row, and how the candidates validated."""

    model: Pipeline | CalibratedClassifierCV
    chosen: str
    validation: dict[str, dict]  # kind -> metrics on the validation rows
    validation_scheme: str  # "time" or "stratified"
    n_train: int
    n_valid: int
    spec: FeatureSpec
    valid_predictions: pd.DataFrame  # y, p of the chosen model on the validation rows
    auc_interval: tuple[float, float] = (np.nan, np.nan)  # 95 % bootstrap interval of the chosen model's ROC AUC
    max_calibration_error: float = 0.05
    n_fit: int = 0  # training rows the candidates were fitted on (after subsampling)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(prepare_features(frame, self.spec))[:, 1]

    @property
    def roc_auc(self) -> float:
        return self.validation[self.chosen]["roc_auc"]

    @property
    def calibration_error(self) -> float:
        return self.validation[self.chosen]["calibration_error"]

    @property
    def calibrated_ok(self) -> bool:
        """True when the validation calibration error is below the parameter (the page may then call the
        probabilities calibrated)."""
        return bool(self.calibration_error < self.max_calibration_error)


def prepare_features(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Model input frame: numeric columns as floats (numbers written as text parsed), categories as strings."""
    out = pd.DataFrame(index=frame.index)
    for col in spec.numeric:
        values = frame[col] if col in frame else pd.Series(np.nan, index=frame.index)
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            values = pd.to_numeric(values.astype("string").str.replace(r"[,，¥￥%\s]", "", regex=True), errors="coerce")
        out[col] = pd.to_numeric(values, errors="coerce").astype(float)
    for col in spec.categorical:
        values = frame[col] if col in frame else pd.Series(None, index=frame.index, dtype=object)
        out[col] = values.astype(object).where(values.notna(), "(missing)").astype(str)
    return out


def build_pipeline(kind: str, spec: FeatureSpec, seed: int) -> Pipeline:
    """A scikit-learn pipeline for mixed categorical (many levels, missing) and numeric inputs."""
    numeric_steps = [("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True))]
    if kind == "logistic":
        numeric_steps.append(("scale", StandardScaler()))
    encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=30,
                            sparse_output=False)
    columns = ColumnTransformer([("num", Pipeline(numeric_steps), spec.numeric),
                                 ("cat", encoder, spec.categorical)], remainder="drop")
    if kind == "logistic":
        estimator = LogisticRegression(C=1.0, max_iter=2000)
    elif kind == "gradient_boosting":
        # early stopping on a held-out tenth of the rows from 10,000 rows up ("auto"): it stops adding trees
        # when the loss has not improved for 10 rounds, instead of always growing 200
        estimator = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.06, max_leaf_nodes=15,
                                                   l2_regularization=1.0, early_stopping="auto",
                                                   n_iter_no_change=10, random_state=seed)
    else:
        raise ConfigError(f"model kind must be one of {', '.join(MODEL_KINDS)}. Got '{kind}'.")
    return Pipeline([("columns", columns), ("model", estimator)])


def calibrated(kind: str, spec: FeatureSpec, seed: int) -> CalibratedClassifierCV:
    """The pipeline wrapped in sigmoid calibration fitted by 3-fold cross-validation (the slow, classic way;
    :func:`fit_and_compare` calibrates on a held-out slice instead)."""
    return CalibratedClassifierCV(build_pipeline(kind, spec, seed), method="sigmoid", cv=3)


def fit_calibrated(kind: str, spec: FeatureSpec, seed: int, X_fit: pd.DataFrame, y_fit: np.ndarray,
                   X_cal: pd.DataFrame, y_cal: np.ndarray) -> CalibratedClassifierCV:
    """Fit the pipeline on ``X_fit``, then a sigmoid (Platt) calibration of its scores on the held-out ``X_cal``."""
    from sklearn.frozen import FrozenEstimator

    base = build_pipeline(kind, spec, seed).fit(X_fit, y_fit)
    return CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid").fit(X_cal, y_cal)


def stratified_subsample(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded random subsample of ``size`` rows keeping the outcome's shares."""
    y = np.asarray(y)
    if len(y) <= size:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    picked = []
    for value in np.unique(y):
        rows = np.flatnonzero(y == value)
        take = max(1, int(round(size * len(rows) / len(y))))
        picked.append(rng.choice(rows, size=min(take, len(rows)), replace=False))
    return np.sort(np.concatenate(picked))


def fit_and_compare(labelled: pd.DataFrame, target: str, spec: FeatureSpec, seed: int,
                    time_column: str | None = None, valid_from=None, min_positives: int = 30,
                    kinds: tuple[str, ...] = MODEL_KINDS, parameter: str = "min_positives",
                    max_train_rows: int = 100_000, max_calibration_error: float = 0.05) -> ModelResult:
    """Fit every candidate on the training rows, choose on the validation rows only, refit on all rows.

    Time-ordered when ``time_column`` and ``valid_from`` are given (train before, validate from;
    each candidate is calibrated on the latest training slice); otherwise a stratified 25 %
    validation split and a stratified calibration slice. Training rows past ``max_train_rows``
    are subsampled, stratified by outcome. The chosen candidate has the lowest validation log
    loss among those within AUC_GUARD of the best ROC AUC; it is refitted on every training row
    and calibrated on the validation rows.

    Raises
    ------
    DataError : fewer positive (or negative) outcomes than ``min_positives``.
    """
    spec.check()
    y = labelled[target].astype(int).to_numpy()
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < min_positives:
        from .message import Message

        raise DataError(f"{target}: {positives} positive and {negatives} negative outcomes; the model needs at least "
                        f"{min_positives} of each ({parameter}). Add more history, or lower the parameter "
                        "knowing that a model fitted on so few cases is unreliable.",
                        reason=Message.of("model.too_few", positives=positives, negatives=negatives,
                                          minimum=min_positives, parameter=parameter))
    if time_column is not None and valid_from is not None:
        is_valid = (labelled[time_column] >= valid_from).to_numpy()
        times = labelled[time_column].to_numpy()
        times = times.astype("datetime64[ns]").astype("int64") if times.dtype.kind == "M" else times
        scheme = "time"
        if is_valid.sum() == 0 or (~is_valid).sum() == 0 or len(set(y[is_valid])) < 2 or len(set(y[~is_valid])) < 2:
            from .message import Message

            raise DataError(f"{target}: the time split at {valid_from} leaves a side with one outcome only; "
                            "choose another validation period or add history.",
                            reason=Message.of("model.one_sided", cutoff=pd.Timestamp(valid_from)))
    else:
        times = None
        idx = np.arange(len(y))
        _, valid_idx = train_test_split(idx, test_size=0.25, random_state=seed, stratify=y)
        is_valid = np.isin(idx, valid_idx)
        scheme = "stratified"
    train_rows, valid_rows = np.flatnonzero(~is_valid), np.flatnonzero(is_valid)
    fit_rows, cal_rows = _calibration_split(y, train_rows, times, seed)
    fit_rows = fit_rows[stratified_subsample(y[fit_rows], max_train_rows, seed)]
    cal_rows = cal_rows[stratified_subsample(y[cal_rows], max_train_rows, seed)]
    X_fit, X_cal = prepare_features(labelled.iloc[fit_rows], spec), prepare_features(labelled.iloc[cal_rows], spec)
    X_valid = prepare_features(labelled.iloc[valid_rows], spec)
    results, predictions = {}, {}
    for kind in kinds:
        model = fit_calibrated(kind, spec, seed, X_fit, y[fit_rows], X_cal, y[cal_rows])
        p = model.predict_proba(X_valid)[:, 1]
        results[kind] = evaluate(y[valid_rows], p)
        predictions[kind] = p
    chosen = choose(results, kinds)
    # the final model learns from every training row (subsampled) and is calibrated on the newest rows
    all_fit = train_rows[stratified_subsample(y[train_rows], max_train_rows, seed)]
    cal_final = valid_rows[stratified_subsample(y[valid_rows], max_train_rows, seed)]
    final = fit_calibrated(chosen, spec, seed, prepare_features(labelled.iloc[all_fit], spec), y[all_fit],
                           X_valid.iloc[np.searchsorted(valid_rows, cal_final)], y[cal_final])
    valid = pd.DataFrame({"y": y[valid_rows], "p": predictions[chosen]}, index=labelled.index[valid_rows])
    interval = bootstrap_auc(valid["y"], valid["p"], seed=seed)
    return ModelResult(final, chosen, results, scheme, len(train_rows), len(valid_rows), spec, valid,
                       auc_interval=interval, max_calibration_error=max_calibration_error, n_fit=len(fit_rows))


def choose(results: dict[str, dict], kinds: tuple[str, ...] = MODEL_KINDS) -> str:
    """The candidate with the lowest validation log loss among those within AUC_GUARD of the best ROC AUC
    (ties: the first of ``kinds``)."""
    best_auc = max(results[k]["roc_auc"] for k in kinds)
    eligible = [k for k in kinds if results[k]["roc_auc"] >= best_auc - AUC_GUARD]
    return min(eligible, key=lambda k: (results[k]["log_loss"], kinds.index(k)))


def evaluate(y, p) -> dict:
    """ROC AUC, average precision, Brier score and calibration error, each beside its naive baseline."""
    y, p = np.asarray(y, int), np.asarray(p, float)
    rate = y.mean()
    return {"n": len(y), "positive_rate": float(rate),
            "roc_auc": float(roc_auc_score(y, p)), "roc_auc_baseline": 0.5,
            "average_precision": float(average_precision_score(y, p)), "average_precision_baseline": float(rate),
            "brier": float(brier_score_loss(y, p)), "brier_baseline": float(rate * (1 - rate)),
            "log_loss": float(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1])),
            "log_loss_baseline": float(log_loss(y, np.full(len(y), min(max(rate, 1e-15), 1 - 1e-15)), labels=[0, 1])),
            "calibration_error": expected_calibration_error(y, p)}


def bootstrap_auc(y, p, n_boot: int = 500, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of ROC AUC: ``n_boot`` resamples of the rows, seeded.

    Each resample is a weighting of the rows sorted once by probability, so one resample costs
    a few vector operations (ties count one half, as in roc_auc_score).
    """
    y, p = np.asarray(y, int), np.asarray(p, float)
    if len(y) == 0 or y.min() == y.max():
        return (np.nan, np.nan)
    order = np.argsort(p, kind="stable")
    y, p = y[order], p[order]
    group = np.concatenate([[0], np.cumsum(p[1:] != p[:-1])])  # tie groups of equal probability
    groups = group[-1] + 1
    rng = np.random.default_rng(seed)
    n = len(y)
    aucs = np.empty(n_boot)
    for b in range(n_boot):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        neg = np.bincount(group, weights=w * (1 - y), minlength=groups)
        pos = np.bincount(group, weights=w * y, minlength=groups)
        below = np.cumsum(neg) - neg
        total = pos.sum() * neg.sum()
        aucs[b] = (pos * (below + 0.5 * neg)).sum() / total if total else np.nan
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(aucs, [tail, 100 - tail])
    return (float(low), float(high))


def expected_calibration_error(y, p, bins: int = 10) -> float:
    """Mean |observed rate - mean probability| over equal-width probability bins, weighted by bin size."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - p[mask].mean())
    return float(total / len(y))


def lift_by_decile(y, p) -> pd.DataFrame:
    """Deciles of predicted probability (1 = highest): count, observed rate, lift over the overall rate."""
    frame = pd.DataFrame({"y": np.asarray(y, float), "p": np.asarray(p, float)})
    frame = frame.sort_values("p", ascending=False, kind="stable").reset_index(drop=True)
    frame["decile"] = (np.arange(len(frame)) * 10 // len(frame)) + 1
    out = frame.groupby("decile").agg(rows=("y", "size"), mean_probability=("p", "mean"), observed_rate=("y", "mean"))
    out["lift"] = out["observed_rate"] / frame["y"].mean() if frame["y"].mean() > 0 else np.nan
    out["cumulative_capture"] = frame.groupby("decile")["y"].sum().cumsum() / max(frame["y"].sum(), 1)
    return out.reset_index()


def calibration_table(y, p, bins: int = 10) -> pd.DataFrame:
    """Observed rate against mean predicted probability per quantile bin."""
    observed, predicted = calibration_curve(np.asarray(y, int), np.asarray(p, float), n_bins=bins, strategy="quantile")
    return pd.DataFrame({"mean_probability": predicted, "observed_rate": observed})


def reliability(y, p, bins: int = 10) -> pd.DataFrame:
    """Reliability table: equal-width probability bins (those holding rows), with rows, mean predicted
    probability, observed rate and their gap; the weighted mean |gap| is the calibration error."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": which, "y": y, "p": p})
    out = frame.groupby("bin").agg(rows=("y", "size"), mean_probability=("p", "mean"), observed_rate=("y", "mean"))
    out["gap"] = out["observed_rate"] - out["mean_probability"]
    out.insert(0, "probability_from", out.index / bins)
    out.insert(1, "probability_to", (out.index + 1) / bins)
    return out.reset_index(drop=True)


def result_reliability(result: ModelResult, bins: int = 10) -> pd.DataFrame:
    """The reliability table of the chosen model on its validation rows."""
    return reliability(result.valid_predictions["y"], result.valid_predictions["p"], bins)


def leakage_warnings(labelled: pd.DataFrame, target: str, spec: FeatureSpec, max_auc: float = 0.95,
                     min_rows: int = 100, chance: float = 0.001) -> pd.DataFrame:
    """Inputs that alone separate the outcome almost perfectly: likely known only after it.

    Two signs, each a row: ``high_auc``, the feature's own ROC AUC (either direction) of at least
    ``max_auc`` (a category scores by its level's outcome rate; levels of fewer than ``min_rows``
    rows are pooled, so an identifier does not pass by itself); ``pure_level``, a category level of
    at least ``min_rows`` rows whose outcome is all 0 or all 1 where the overall rate makes that
    less likely than ``chance``.

    Returns a DataFrame with columns feature, level, rows, auc, rate, reason (high_auc / pure_level).
    """
    y = labelled[target].astype(int).to_numpy()
    rate = y.mean() if len(y) else np.nan
    rows = []
    if len(y) == 0 or y.min() == y.max():
        return pd.DataFrame(rows, columns=["feature", "level", "rows", "auc", "rate", "reason"])
    X = prepare_features(labelled, spec)
    for col in spec.numeric:
        known = X[col].notna().to_numpy()
        if known.sum() >= min_rows and len(set(y[known])) == 2:
            auc = roc_auc_score(y[known], X[col].to_numpy()[known])
            auc = max(auc, 1 - auc)
            if auc >= max_auc:
                rows.append({"feature": col, "level": None, "rows": int(known.sum()), "auc": float(auc),
                             "rate": np.nan, "reason": "high_auc"})
    for col in spec.categorical:
        levels = X[col]
        stats = pd.DataFrame({"level": levels.to_numpy(), "y": y}).groupby("level")["y"].agg(["size", "mean"])
        small = stats["size"] < min_rows
        pooled = y[levels.isin(stats.index[small]).to_numpy()].mean() if small.any() else np.nan
        score = levels.map(stats["mean"].where(~small, pooled)).to_numpy(dtype=float)
        auc = roc_auc_score(y, score)
        auc = max(auc, 1 - auc)
        if auc >= max_auc:
            rows.append({"feature": col, "level": None, "rows": len(y), "auc": float(auc), "rate": np.nan,
                         "reason": "high_auc"})
        for level, (size, level_rate) in stats[~small].iterrows():
            pure = level_rate in (0.0, 1.0)
            odds = (1 - rate) ** size if level_rate == 0 else rate ** size
            if pure and odds < chance:
                rows.append({"feature": col, "level": level, "rows": int(size), "auc": np.nan,
                             "rate": float(level_rate), "reason": "pure_level"})
    return pd.DataFrame(rows, columns=["feature", "level", "rows", "auc", "rate", "reason"])


#: rows per predict call when many variants of a frame are scored together: the fixed cost of a call is spread
#: thin from a few thousand rows, and a batch's one-hot matrix stays small (variants are built as they are scored)
BATCH_ROWS = 50_000


def predict_variants(model, variants) -> list[np.ndarray]:
    """The positive-class probability of each frame of the iterable ``variants`` (frames with the same columns).

    Scored as a few large batches instead of one call per frame: a call through the calibrated pipeline
    costs about 20 ms before its first row, which made the 100 calls of a permutation importance on a
    small month 2 s. The rows are scored independently, so a batch gives each frame's own probabilities.
    A generator of variants is consumed batch by batch: no more than a batch of them is held at once.
    """
    sizes, out, batch, rows = [], [], [], 0

    def flush():
        nonlocal batch, rows
        if rows:
            out.append(model.predict_proba(pd.concat(batch, ignore_index=True))[:, 1])
        batch, rows = [], 0

    for variant in variants:
        if batch and rows + len(variant) > BATCH_ROWS:
            flush()
        batch.append(variant)
        rows += len(variant)
        sizes.append(len(variant))
    flush()
    scores = np.concatenate(out) if out else np.empty(0)
    return np.split(scores, np.cumsum(sizes)[:-1])


def rank_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic of the ranks (ties count one half, as in roc_auc_score, which
    gives the same value up to float rounding at 30x the cost on small sets). NaN with one class only."""
    from scipy.stats import rankdata

    positive = np.asarray(y) == 1
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((rankdata(p)[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def permutation_importance(model, X: pd.DataFrame, y, n_repeats: int, seed: int) -> pd.DataFrame:
    """How much the ROC AUC drops when each column of ``X`` is shuffled: mean and spread over ``n_repeats``.

    The same shuffles and figures as scikit-learn's ``permutation_importance(model, X, y, scoring="roc_auc",
    n_repeats=n_repeats, random_state=seed)`` (each column gets the same seeded sequence of shuffles, applied
    one after the other; figures equal up to float rounding), with every shuffled frame scored in one batch
    (:func:`predict_variants`) and the AUC from ranks (:func:`rank_auc`).
    """
    y = np.asarray(y, int)
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    rng, order = np.random.RandomState(column_seed), np.arange(len(X))
    shuffles = []
    for _ in range(n_repeats):
        rng.shuffle(order)
        shuffles.append(order.copy())

    def variants():
        yield X
        for col in X.columns:
            values = X[col].array
            for shuffle in shuffles:
                values = values[shuffle]
                variant = X.copy()
                variant[col] = values
                yield variant

    scores = predict_variants(model, variants())
    base = rank_auc(y, scores[0])
    drops = np.array([base - rank_auc(y, p) for p in scores[1:]]).reshape(len(X.columns), n_repeats)
    return pd.DataFrame({"feature": X.columns, "importance": drops.mean(axis=1), "spread": drops.std(axis=1)})


def reasons(result: ModelResult, frame: pd.DataFrame, top: int = 3, direction: int = 1) -> pd.Series:
    """The features that raise each row's probability most: the drop when a feature is set to its
    typical value (median, or the most frequent category). ``direction`` -1 lists what lowers it."""
    X = prepare_features(frame, result.spec)

    def variants():
        yield X
        for col in result.spec.columns:
            neutral = X.copy()
            if col in result.spec.numeric:
                neutral[col] = X[col].median()
            else:
                mode = X[col].mode()
                neutral[col] = mode.iloc[0] if len(mode) else "(missing)"
            yield neutral

    base, *others = predict_variants(result.model, variants())
    effects = {col: direction * (base - p) for col, p in zip(result.spec.columns, others)}
    table = pd.DataFrame(effects, index=frame.index)
    names = np.array(table.columns)
    order = np.argsort(-table.to_numpy(), axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(table.to_numpy(), order, axis=1)
    return pd.Series([[n for n, v in zip(names[o], vals) if v > 0.005] for o, vals in zip(order, values)],
                     index=frame.index)


def metrics_table(result: ModelResult) -> pd.DataFrame:
    """Validation metrics of every candidate beside the naive baseline, the chosen one marked
    (chosen by log loss among the candidates whose ROC AUC is near the best)."""
    rows = []
    for kind, m in result.validation.items():
        rows.append({"model": kind, "chosen": kind == result.chosen, "roc_auc": m["roc_auc"],
                     "average_precision": m["average_precision"], "brier": m["brier"],
                     "log_loss": m.get("log_loss", np.nan), "calibration_error": m["calibration_error"]})
    any_m = next(iter(result.validation.values()))
    rows.append({"model": "baseline", "chosen": False, "roc_auc": any_m["roc_auc_baseline"],
                 "average_precision": any_m["average_precision_baseline"], "brier": any_m["brier_baseline"],
                 "log_loss": any_m.get("log_loss_baseline", np.nan), "calibration_error": np.nan})
    return pd.DataFrame(rows)


def _calibration_split(y: np.ndarray, train_rows: np.ndarray, times, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows to fit on, rows to calibrate on) among the training rows: the latest CALIBRATION_SHARE of them by
    time when times are given (whole time values, never splitting a snapshot), else a stratified share."""
    if times is not None:
        t = times[train_rows]
        values = np.sort(np.unique(t))
        counts = np.array([(t == v).sum() for v in values]) if len(values) < 1000 else None
        if counts is not None and len(values) > 1:
            share = np.cumsum(counts[::-1]) / len(t)  # newest first
            k = int(np.searchsorted(share, CALIBRATION_SHARE)) + 1
            k = min(k, len(values) - 1)
            cut = values[-k]
        else:
            cut = np.quantile(t, 1 - CALIBRATION_SHARE, method="higher")
        late = t >= cut
        if 0 < late.sum() < len(t) and len(set(y[train_rows][late])) == 2 and len(set(y[train_rows][~late])) == 2:
            return train_rows[~late], train_rows[late]
    fit, cal = train_test_split(train_rows, test_size=CALIBRATION_SHARE, random_state=seed, stratify=y[train_rows])
    return np.sort(fit), np.sort(cal)


# ----------------------------------------------------------------------------- sentences of the pages

def auc_message(result: ModelResult) -> "Message":
    """ROC AUC of the chosen model with its bootstrap interval, to three decimals."""
    from .message import Message, Number

    low, high = result.auc_interval
    return Message.of("model.auc", auc=Number(result.roc_auc, 3), low=Number(low, 3), high=Number(high, 3))


def calibration_message(result: ModelResult) -> "Message":
    """Whether the probabilities may be called calibrated: the validation calibration error against the limit."""
    from .message import Message, Percent

    key = "model.calibrated" if result.calibrated_ok else "model.not_calibrated"
    return Message.of(key, error=Percent(result.calibration_error), limit=Percent(result.max_calibration_error, 0))


def leakage_messages(warnings: pd.DataFrame, parameter: str) -> list:
    """One warning per input that alone separates the outcome almost perfectly (see :func:`leakage_warnings`)."""
    from .message import Message, Number, Percent, Term

    out = []
    for row in warnings.itertuples(index=False):
        if row.reason == "high_auc":
            out.append(Message.of("model.leakage", feature=Term("feature", row.feature), auc=Number(row.auc, 3),
                                  parameter=parameter))
        else:
            out.append(Message.of("model.leakage_level", feature=Term("feature", row.feature), level=str(row.level),
                                  rows=int(row.rows), rate=Percent(row.rate, 0), parameter=parameter))
    return out
