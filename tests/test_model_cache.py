"""Compute once: the churn model the churn page fits is the one the grading page uses."""

from __future__ import annotations

import pytest

from analysis import churn, load_parameters, load_tables, model_cache


def test_a_result_is_computed_once_per_key(tmp_path):
    calls = []

    def compute(value):
        calls.append(value)
        return {"value": value}

    assert model_cache.cached(tmp_path, "m", "k1", lambda: compute(1)) == {"value": 1}
    assert model_cache.cached(tmp_path, "m", "k1", lambda: compute(2)) == {"value": 1}  # stored: not computed again
    assert model_cache.cached(tmp_path, "m", "k2", lambda: compute(3)) == {"value": 3}  # another key
    assert calls == [1, 3]
    # a damaged file is computed again, not trusted
    (tmp_path / "m-k1.pkl").write_bytes(b"not a pickle")
    assert model_cache.cached(tmp_path, "m", "k1", lambda: compute(4)) == {"value": 4}
    # an error is not stored: the next caller computes (and fails) again
    with pytest.raises(ValueError):
        model_cache.cached(tmp_path, "m", "k3", lambda: (_ for _ in ()).throw(ValueError("too few")))
    assert not (tmp_path / "m-k3.pkl").exists()


def test_the_churn_model_is_fitted_once_for_the_same_tables_and_parameters(good_project, monkeypatch):
    fits = []
    monkeypatch.setattr(churn, "fit_churn_model", lambda tables, params, history: fits.append(params.month) or
                        ("model", params.churn.horizon_days))
    params = load_parameters(root=good_project, month="2026-10")
    tables = load_tables(params)
    assert model_cache.churn_model(tables, params, None) == ("model", params.churn.horizon_days)
    assert model_cache.churn_model(tables, params, None) == ("model", params.churn.horizon_days)  # the grading page
    assert fits == ["2026-10"]
    # another horizon, another month, another branch: fitted again
    longer = load_parameters(root=good_project, month="2026-10", overrides={"churn.horizon_days": 120})
    assert model_cache.churn_model(load_tables(longer), longer, None) == ("model", 120)
    earlier = load_parameters(root=good_project, month="2026-09")
    model_cache.churn_model(load_tables(earlier), earlier, None)
    region = sorted(tables["customers"]["region"].dropna().unique())[0]
    model_cache.churn_model(tables.scoped("region", region), params, None)
    assert len(fits) == 4
