#!/usr/bin/python3
"""Write scikit-learn reference outputs for OmniFy's churn classifiers and metrics.

Run with Debian's interpreter (it carries python3-sklearn):

    /usr/bin/python3 scripts/sklearn/classify_fixtures.py

It rewrites the golden JSON files under ml/metrics/testdata/ and
ml/classify/testdata/ that the Go tests compare against.
"""

import json
import os

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration, calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METRICS_DIR = os.path.join(ROOT, "ml", "metrics", "testdata")
CLASSIFY_DIR = os.path.join(ROOT, "ml", "classify", "testdata")


def write(path, obj, indent=1):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def floats(a, digits=None):
    a = np.asarray(a, dtype=float)
    if digits is not None:
        a = np.round(a, digits)
    return [float(v) for v in a]


def metric_cases(rng):
    cases = []

    def add(name, y, p):
        y = np.asarray(y, dtype=int)
        p = np.asarray(p, dtype=float)
        case = {
            "name": name,
            "y": [int(v) for v in y],
            "p": floats(p),
            "roc_auc": float(roc_auc_score(y, p)),
            "average_precision": float(average_precision_score(y, p)),
            "brier": float(brier_score_loss(y, p)),
            "log_loss": float(log_loss(y, p)),
        }
        prob_true, prob_pred = calibration_curve(y, p, n_bins=5, strategy="uniform")
        case["calibration_5"] = {
            "fraction_positive": floats(prob_true),
            "mean_predicted": floats(prob_pred),
        }
        cases.append(case)

    add("small", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    add("ties", [0, 1, 0, 1, 1, 0, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.2, 0.5, 0.1, 0.9])
    add("all_tied", [0, 1, 1, 0, 1], [0.3] * 5)
    add("edges", [1, 0, 1, 0, 0, 1], [1.0, 0.0, 0.6, 0.4, 0.2, 0.999])
    n = 500
    y = rng.random(n) < 0.3
    p = np.clip(0.3 + 0.25 * (y - 0.3) + 0.2 * rng.standard_normal(n), 0.001, 0.999)
    add("random_500", y, p)
    # Coarse scores give many ties, as from a tree model with few leaves.
    y = rng.random(n) < 0.2
    p = np.round(np.clip(0.2 + 0.3 * (y - 0.2) + 0.2 * rng.standard_normal(n), 0.0, 1.0), 1)
    add("coarse_500", y, p)
    return cases


def logistic_cases(rng):
    n, d = 300, 5
    X = rng.standard_normal((n, d))
    X[:, 1] = X[:, 1] * 3 + 2
    X[:, 3] = 0.5 * X[:, 0] + 0.5 * X[:, 3]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    beta = np.array([1.5, -1.0, 0.5, 0.0, 2.0])
    logits = X @ beta - 0.7
    y = rng.random(n) < 1 / (1 + np.exp(-logits))
    X = np.round(X, 8)
    out = {"X": [floats(r) for r in X], "y": [int(v) for v in y], "fits": []}
    for c in (1.0, 0.1):
        m = LogisticRegression(C=c, solver="lbfgs", tol=1e-12, max_iter=100000)
        m.fit(X, y)
        out["fits"].append(
            {
                "C": c,
                "coef": floats(m.coef_[0]),
                "intercept": float(m.intercept_[0]),
                "proba": floats(m.predict_proba(X)[:, 1]),
            }
        )
    m = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-12, max_iter=100000, class_weight="balanced")
    m.fit(X, y)
    out["fits"].append(
        {"C": 1.0, "balanced": True, "coef": floats(m.coef_[0]), "intercept": float(m.intercept_[0]),
         "proba": floats(m.predict_proba(X)[:, 1])}
    )
    return out


def nonlinear_problem(rng, n):
    X = rng.standard_normal((n, 6))
    X[:, 4] = rng.exponential(1.0, n)
    X[:, 5] = rng.integers(0, 4, n)
    logit = (
        1.5 * np.sin(2 * X[:, 0])
        + (X[:, 1] * X[:, 2] > 0.3) * 1.5
        - 0.8 * np.abs(X[:, 3])
        + 0.6 * np.log1p(X[:, 4])
        + (X[:, 5] == 2) * 1.0
        - 0.5
    )
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return np.round(X, 5), y


def gbt_case(rng):
    Xtr, ytr = nonlinear_problem(rng, 6000)
    Xte, yte = nonlinear_problem(rng, 4000)
    m = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
        early_stopping=False, random_state=0,
    )
    m.fit(Xtr, ytr)
    proba = m.predict_proba(Xte)[:, 1]
    auc = roc_auc_score(yte, proba)
    lr = LogisticRegression(C=1.0, max_iter=10000).fit(Xtr, ytr)
    return {
        "train_X": [floats(r) for r in Xtr],
        "train_y": [int(v) for v in ytr],
        "test_X": [floats(r) for r in Xte],
        "test_y": [int(v) for v in yte],
        "sklearn_test_auc": float(auc),
        "sklearn_test_proba": floats(proba, 10),
        "logistic_test_auc": float(roc_auc_score(yte, lr.predict_proba(Xte)[:, 1])),
    }


def isotonic_cases(rng):
    cases = []
    for name, n in (("small", 12), ("random_300", 300)):
        if n == 12:
            x = np.array([0.1, 0.2, 0.2, 0.3, 0.35, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9])
            y = np.array([0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1])
        else:
            x = np.round(rng.random(n), 3)
            y = (rng.random(n) < x ** 2).astype(int)
        query = np.concatenate([[-0.5, 0.0, 1.0, 2.0], np.round(rng.random(40), 4), x[:10]])
        iso = IsotonicRegression(out_of_bounds="clip").fit(x, y)
        cases.append({
            "name": name, "x": floats(x), "y": [int(v) for v in y],
            "query": floats(query), "expected": floats(iso.predict(query)),
        })
    return cases


def platt_case(rng):
    n = 400
    y = rng.random(n) < 0.35
    s = 1.2 * y - 0.6 + 0.9 * rng.standard_normal(n)
    a, b = _sigmoid_calibration(s, y)
    # sklearn's sigmoid is 1 / (1 + exp(a*s + b)); OmniFy writes it as sigmoid(A*s + B).
    return {"scores": floats(s), "y": [int(v) for v in y], "A": float(-a), "B": float(-b)}


def main():
    rng = np.random.default_rng(20261125)
    os.makedirs(METRICS_DIR, exist_ok=True)
    os.makedirs(CLASSIFY_DIR, exist_ok=True)
    meta = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__}
    write(os.path.join(METRICS_DIR, "sklearn_metrics.json"), {**meta, "cases": metric_cases(rng)})
    write(os.path.join(CLASSIFY_DIR, "sklearn_logistic.json"), {**meta, **logistic_cases(rng)})
    write(os.path.join(CLASSIFY_DIR, "sklearn_isotonic.json"), {**meta, "cases": isotonic_cases(rng)})
    write(os.path.join(CLASSIFY_DIR, "sklearn_platt.json"), {**meta, **platt_case(rng)})
    write(os.path.join(CLASSIFY_DIR, "sklearn_gbt.json"), {**meta, **gbt_case(rng)}, indent=None)


if __name__ == "__main__":
    main()
