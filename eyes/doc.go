// Package eyes owns OmniFy's EYES pipeline: from per-customer purchase
// histories to segments, churn risk and insights a marketer can act on.
//
// The flow follows the product's EYES design: load customer data, validate
// consent, engineer features, cluster (K-Means, DBSCAN, Agglomerative, judged
// by silhouette), fit churn models at several horizons (judged by out-of-time
// ROC AUC), analyse segments and platforms, derive insights, and return one
// immutable, JSON-serialisable Result. The package does no I/O beyond the
// readers and writers handed to it; given the same input and seed it returns
// the same result.
package eyes
