#!/usr/bin/python3
"""Times scikit-learn on the inputs written by `go run ./bench/cluster -mode gen`.

Usage: /usr/bin/python3 bench/cluster/bench_sklearn.py DIR
Prints one JSON object with the same keys as the Go side.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score


def timed(f, repeats=3):
    """Best wall time of `repeats` runs (filters out interference from other
    work on the machine), with that run's process CPU time and result."""
    best = None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        r = f()
        run = (time.perf_counter() - t0, time.process_time() - c0, r)
        if best is None or run[0] < best[0]:
            best = run
    return best


def main(d):
    p = json.load(open(os.path.join(d, "params.json")))
    load = lambda name, n: np.fromfile(os.path.join(d, name), dtype="<f8").reshape(n, p["d"])
    big, init = load("kmeans.f64", p["kmeans_n"]), load("init.f64", p["k"])
    db, ward = load("dbscan.f64", p["dbscan_n"]), load("ward.f64", p["ward_n"])
    truth = np.fromfile(os.path.join(d, "truth.i64"), dtype="<i8")
    out = {}
    fit = lambda: KMeans(n_clusters=p["k"], init=init, n_init=1, max_iter=p["max_iter"], tol=0,
                         algorithm="lloyd").fit(big)
    w, c, km = timed(fit)
    out.update(kmeans_s=w, kmeans_cpu_s=c, kmeans_iter=int(km.n_iter_),
               kmeans_ms_per_iter=1000 * w / km.n_iter_, kmeans_inertia=float(km.inertia_))
    w, c, s = timed(lambda: silhouette_score(big, truth, sample_size=p["sample_size"], random_state=1))
    out.update(silhouette_s=w, silhouette_cpu_s=c, silhouette=float(s))
    # DBSCAN and Ward take tens of seconds here; one run each keeps the bench short.
    w, c, dres = timed(lambda: DBSCAN(eps=p["eps"], min_samples=p["min_samples"]).fit(db), repeats=1)
    out.update(dbscan_s=w, dbscan_cpu_s=c, dbscan_clusters=int(dres.labels_.max() + 1))
    w, c, wres = timed(lambda: AgglomerativeClustering(n_clusters=p["k"], linkage="ward").fit(ward), repeats=1)
    out.update(ward_s=w, ward_cpu_s=c)
    for name, labels in (("sk_kmeans.i64", km.labels_), ("sk_dbscan.i64", dres.labels_), ("sk_ward.i64", wres.labels_)):
        np.asarray(labels, dtype="<i8").tofile(os.path.join(d, name))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
