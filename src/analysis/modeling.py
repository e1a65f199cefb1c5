"""What the lead and churn models share: pipelines, time-ordered validation, calibration, metrics, reasons.

Seeded throughout: the same inputs give the same probabilities.
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
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError, DataError

MODEL_KINDS = ("logistic", "gradient_boosting")


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
    """The chosen, calibrated model refitted on every labelled row, and how both candidates validated."""

    model: Pipeline | CalibratedClassifierCV
    chosen: str
    validation: dict[str, dict]  # kind -> metrics on the validation rows
    validation_scheme: str  # "time" or "stratified"
    n_train: int
    n_valid: int
    spec: FeatureSpec
    valid_predictions: pd.DataFrame  # y, p of the chosen model on the validation rows

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(prepare_features(frame, self.spec))[:, 1]


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
        estimator = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.06, max_leaf_nodes=15,
                                                   l2_regularization=1.0, random_state=seed)
    else:
        raise ConfigError(f"model kind must be one of {', '.join(MODEL_KINDS)}. Got '{kind}'.")
    return Pipeline([("columns", columns), ("model", estimator)])


def calibrated(kind: str, spec: FeatureSpec, seed: int) -> CalibratedClassifierCV:
    """The pipeline wrapped in sigmoid calibration fitted by 3-fold cross-validation."""
    return CalibratedClassifierCV(build_pipeline(kind, spec, seed), method="sigmoid", cv=3)


def fit_and_compare(labelled: pd.DataFrame, target: str, spec: FeatureSpec, seed: int,
                    time_column: str | None = None, valid_from=None, min_positives: int = 30,
                    kinds: tuple[str, ...] = MODEL_KINDS, parameter: str = "min_positives") -> ModelResult:
    """Fit every candidate on the training rows, choose on the validation rows only, refit on all rows.

    Time-ordered when ``time_column`` and ``valid_from`` are given (train before, validate from);
    otherwise a stratified 25 % split.

    Raises
    ------
    DataError : fewer positive (or negative) outcomes than ``min_positives``.
    """
    spec.check()
    y = labelled[target].astype(int).to_numpy()
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < min_positives:
        raise DataError(f"{target}: {positives} positive and {negatives} negative outcomes; the model needs at least "
                        f"{min_positives} of each ({parameter}). Add more history, or lower the parameter "
                        "knowing that a model fitted on so few cases is unreliable.")
    if time_column is not None and valid_from is not None:
        is_valid = (labelled[time_column] >= valid_from).to_numpy()
        scheme = "time"
        if is_valid.sum() == 0 or (~is_valid).sum() == 0 or len(set(y[is_valid])) < 2 or len(set(y[~is_valid])) < 2:
            raise DataError(f"{target}: the time split at {valid_from} leaves a side with one outcome only; "
                            "choose another validation period or add history.")
    else:
        idx = np.arange(len(y))
        _, valid_idx = train_test_split(idx, test_size=0.25, random_state=seed, stratify=y)
        is_valid = np.isin(idx, valid_idx)
        scheme = "stratified"
    X = prepare_features(labelled, spec)
    results, predictions = {}, {}
    for kind in kinds:
        model = calibrated(kind, spec, seed).fit(X[~is_valid], y[~is_valid])
        p = model.predict_proba(X[is_valid])[:, 1]
        results[kind] = evaluate(y[is_valid], p)
        predictions[kind] = p
    chosen = max(kinds, key=lambda k: (results[k]["roc_auc"], -kinds.index(k)))
    final = calibrated(chosen, spec, seed).fit(X, y)
    valid = pd.DataFrame({"y": y[is_valid], "p": predictions[chosen]}, index=labelled.index[is_valid])
    return ModelResult(final, chosen, results, scheme, int((~is_valid).sum()), int(is_valid.sum()), spec, valid)


def evaluate(y, p) -> dict:
    """ROC AUC, average precision, Brier score and calibration error, each beside its naive baseline."""
    y, p = np.asarray(y, int), np.asarray(p, float)
    rate = y.mean()
    return {"n": len(y), "positive_rate": float(rate),
            "roc_auc": float(roc_auc_score(y, p)), "roc_auc_baseline": 0.5,
            "average_precision": float(average_precision_score(y, p)), "average_precision_baseline": float(rate),
            "brier": float(brier_score_loss(y, p)), "brier_baseline": float(rate * (1 - rate)),
            "calibration_error": expected_calibration_error(y, p)}


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


def reasons(result: ModelResult, frame: pd.DataFrame, top: int = 3, direction: int = 1) -> pd.Series:
    """The features that raise each row's probability most: the drop when a feature is set to its
    typical value (median, or the most frequent category). ``direction`` -1 lists what lowers it."""
    X = prepare_features(frame, result.spec)
    base = result.model.predict_proba(X)[:, 1]
    effects = {}
    for col in result.spec.columns:
        neutral = X.copy()
        if col in result.spec.numeric:
            neutral[col] = X[col].median()
        else:
            mode = X[col].mode()
            neutral[col] = mode.iloc[0] if len(mode) else "(missing)"
        effects[col] = direction * (base - result.model.predict_proba(neutral)[:, 1])
    table = pd.DataFrame(effects, index=frame.index)
    names = np.array(table.columns)
    order = np.argsort(-table.to_numpy(), axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(table.to_numpy(), order, axis=1)
    return pd.Series([[n for n, v in zip(names[o], vals) if v > 0.005] for o, vals in zip(order, values)],
                     index=frame.index)


def metrics_table(result: ModelResult) -> pd.DataFrame:
    """Validation metrics of every candidate beside the naive baseline, the chosen one marked."""
    rows = []
    for kind, m in result.validation.items():
        rows.append({"model": kind, "chosen": kind == result.chosen, "roc_auc": m["roc_auc"],
                     "average_precision": m["average_precision"], "brier": m["brier"],
                     "calibration_error": m["calibration_error"]})
    any_m = next(iter(result.validation.values()))
    rows.append({"model": "baseline", "chosen": False, "roc_auc": any_m["roc_auc_baseline"],
                 "average_precision": any_m["average_precision_baseline"], "brier": any_m["brier_baseline"],
                 "calibration_error": np.nan})
    return pd.DataFrame(rows)
