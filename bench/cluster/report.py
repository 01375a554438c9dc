#!/usr/bin/python3
"""Prints the side-by-side table for compare.sh from the two JSON results."""
import json
import os
import sys

import numpy as np
from sklearn.metrics import adjusted_rand_score



# Each wall-clock key and the keys measured in the same run.
MEASURES = {
    "kmeans_s": ("kmeans_cpu_s", "kmeans_ms_per_iter"),
    "silhouette_s": ("silhouette_cpu_s",),
    "dbscan_s": ("dbscan_cpu_s",),
    "ward_s": ("ward_cpu_s",),
}


def best(path):
    """Merges one JSON result per line, keeping for each measure the run with
    the lowest wall time."""
    runs = [json.loads(line) for line in open(path) if line.strip()]
    out = dict(runs[0])
    for wall, same_run in MEASURES.items():
        run = min(runs, key=lambda r: r[wall])
        for key in (wall,) + same_run:
            out[key] = run[key]
    return out, len(runs)


d = sys.argv[1]
(go, rounds), (sk, _) = best(sys.argv[2]), best(sys.argv[3])
lab = lambda name: np.fromfile(os.path.join(d, name), dtype="<i8")
rows = [
    ("K-Means ms/iter (1M x 8, k=8)", "kmeans_ms_per_iter", "%.1f"),
    ("K-Means iterations", "kmeans_iter", "%d"),
    ("K-Means total s", "kmeans_s", "%.2f"),
    ("Silhouette sampled s (1M, 10k)", "silhouette_s", "%.2f"),
    ("DBSCAN s (100k x 8)", "dbscan_s", "%.2f"),
    ("Ward s (20k x 8)", "ward_s", "%.2f"),
    ("K-Means CPU s", "kmeans_cpu_s", "%.2f"),
    ("Silhouette CPU s", "silhouette_cpu_s", "%.2f"),
    ("DBSCAN CPU s", "dbscan_cpu_s", "%.2f"),
    ("Ward CPU s", "ward_cpu_s", "%.2f"),
]
print("best of %d alternating rounds x 3 runs (sklearn DBSCAN and Ward: 1 run a round); "
      "ratio < 1 means omnify is faster" % rounds)
print("%-34s %12s %12s %8s" % ("measure", "omnify", "sklearn", "ratio"))
for title, key, fmt in rows:
    g, s = go[key], sk[key]
    ratio = g / s if s else float("nan")
    print("%-34s %12s %12s %8.2f" % (title, fmt % g, fmt % s, ratio))
print()
print("K-Means inertia  omnify %.6g  sklearn %.6g" % (go["kmeans_inertia"], sk["kmeans_inertia"]))
print("Silhouette       omnify %.4f  sklearn %.4f (different random samples)" % (go["silhouette"], sk["silhouette"]))
for algo in ("kmeans", "dbscan", "ward"):
    a, b = lab("go_%s.i64" % algo), lab("sk_%s.i64" % algo)
    print("%-8s labels: ARI %.6f, identical %s" % (algo, adjusted_rand_score(a, b), bool(np.array_equal(a, b))))
