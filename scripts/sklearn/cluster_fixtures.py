#!/usr/bin/python3
"""Golden files for OmniFy's ml/cluster and ml/scale packages.

Generates small deterministic datasets, runs scikit-learn on them and writes
inputs plus reference outputs as JSON under ml/cluster/testdata and
ml/scale/testdata. Run from the repository root with Debian's python3:

    /usr/bin/python3 scripts/sklearn/cluster_fixtures.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs, make_moons
from sklearn.decomposition import PCA
from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,
                             silhouette_score)
from sklearn.preprocessing import RobustScaler, StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_DIR = os.path.join(ROOT, "ml", "cluster", "testdata")
SCALE_DIR = os.path.join(ROOT, "ml", "scale", "testdata")


def rows(a):
    return [[float(v) for v in r] for r in np.asarray(a)]


def ints(a):
    return [int(v) for v in np.asarray(a)]


def metrics(X, labels):
    return {
        "labels": ints(labels),
        "silhouette": float(silhouette_score(X, labels)),
        "davies_bouldin": float(davies_bouldin_score(X, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
    }


def datasets():
    """name -> (X, true labels, k, dbscan eps, dbscan min_samples, well separated)."""
    out = {}
    X, y = make_blobs(n_samples=600, centers=4, n_features=4, cluster_std=0.6, random_state=1)
    out["blobs_separated"] = (X, y, 4, 0.9, 5, True)
    X, y = make_blobs(n_samples=2000, centers=6, n_features=8, cluster_std=1.0, random_state=7)
    out["blobs_8d"] = (X, y, 6, 2.2, 8, True)
    X, y = make_blobs(n_samples=800, centers=5, n_features=6, cluster_std=2.5, random_state=2)
    out["blobs_overlapping"] = (X, y, 5, 3.6, 6, False)
    Xm, ym = make_moons(n_samples=500, noise=0.07, random_state=3)
    rng = np.random.RandomState(4)
    noise = rng.uniform(low=[-1.5, -1.0], high=[2.5, 1.5], size=(40, 2))
    X = np.vstack([Xm, noise])
    y = np.concatenate([ym, np.full(40, 2)])
    out["moons_noise"] = (X, y, 2, 0.12, 4, False)
    return out


def cluster_fixture(name, X, y, k, eps, min_samples, separated):
    db = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    fix = {
        "name": name,
        "separated": separated,
        "X": rows(X),
        "true": metrics(X, y),
        "kmeans": {"k": k, "labels": ints(KMeans(n_clusters=k, n_init=10, random_state=0).fit(X).labels_)},
        "ward": {"k": k, "labels": ints(AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_)},
        "dbscan": {"eps": eps, "min_samples": min_samples, "labels": ints(db.labels_)},
    }
    # A large min_samples takes the path that re-queries border points.
    dense = DBSCAN(eps=eps * 1.6, min_samples=70).fit(X)
    fix["dbscan_dense"] = {"eps": eps * 1.6, "min_samples": 70, "labels": ints(dense.labels_)}
    if len(set(db.labels_)) >= 2:
        # Noise (-1) counts as its own cluster in scikit-learn's metrics.
        fix["dbscan"].update({k2: v for k2, v in metrics(X, db.labels_).items() if k2 != "labels"})
    # One singleton cluster exercises the zero-score rule for lone points.
    single = np.array(y)
    single[0] = int(single.max()) + 1
    fix["singleton"] = metrics(X, single)
    return fix


def scale_fixture():
    rng = np.random.RandomState(11)
    n = 300
    X = np.column_stack([
        rng.lognormal(3.0, 1.2, n),          # revenue-like, skewed
        rng.poisson(4, n).astype(float),      # order counts
        rng.normal(-5.0, 2.0, n),             # negative values
        np.full(n, 7.5),                      # constant column
        rng.uniform(0, 365, n),               # recency in days
        rng.normal(0, 1, n) * 1e-3 + 1e6,     # large offset, tiny spread
    ])
    std = StandardScaler().fit(X)
    rob = RobustScaler().fit(X)
    Xp = np.column_stack([X[:, [0, 1, 2, 4]], X[:, 0] * 0.5 + rng.normal(0, 5, n)])
    pca = PCA(n_components=3).fit(Xp)
    return {
        "X": rows(X),
        "standard": {"mean": [float(v) for v in std.mean_], "scale": [float(v) for v in std.scale_],
                     "transformed": rows(std.transform(X))},
        "robust": {"center": [float(v) for v in rob.center_], "scale": [float(v) for v in rob.scale_],
                   "transformed": rows(rob.transform(X))},
        "pca": {"X": rows(Xp), "k": 3,
                "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio_],
                "explained_variance": [float(v) for v in pca.explained_variance_],
                "transformed_abs": rows(np.abs(pca.transform(Xp)))},
    }


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def main():
    os.makedirs(CLUSTER_DIR, exist_ok=True)
    os.makedirs(SCALE_DIR, exist_ok=True)
    for name, args in datasets().items():
        fix = cluster_fixture(name, *args)
        fix["sklearn_version"] = sklearn.__version__
        write(os.path.join(CLUSTER_DIR, name + ".json"), fix)
    fix = scale_fixture()
    fix["sklearn_version"] = sklearn.__version__
    write(os.path.join(SCALE_DIR, "scalers.json"), fix)
    print("wrote fixtures with scikit-learn", sklearn.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
