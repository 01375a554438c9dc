"""Recompute a run's silhouette with scikit-learn from its written files.

usage: silhouette.py FEATURES.csv CUSTOMERS.csv
Prints the exact silhouette_score of the features.csv matrix under the
cluster labels of customers.csv, rows matched by customer_id.
"""
import csv
import sys

import numpy as np
from sklearn.metrics import silhouette_score


def main(features_path, customers_path):
    with open(customers_path, newline="") as f:
        labels = {row["customer_id"]: int(row["cluster"]) for row in csv.DictReader(f)}
    ids, rows = [], []
    with open(features_path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for rec in reader:
            ids.append(rec[0])
            rows.append([float(v) for v in rec[1:]])
    X = np.array(rows, dtype=np.float64)
    y = np.array([labels[i] for i in ids])
    print(repr(float(silhouette_score(X, y, metric="euclidean"))))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
