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
//
// Choices that shape the numbers:
//
//   - Orders on the same day form one transaction, as in customer-base
//     analysis; times are UTC days and the as-of day counts in full.
//   - Every customer counts in the analysis whatever their consent; only
//     customers with consent granted are exportable (ExportableCustomers).
//   - Clustering runs on log1p recency, frequency and total spend,
//     standardised. A method qualifies only when every cluster holds at
//     least 2% of customers and DBSCAN leaves at most 10% as noise; the best
//     silhouette among qualifying methods wins. Noise stays in the
//     silhouette as a group of its own: no point is dropped to lift the score.
//     Large inputs choose k and eps on seeded samples and say so.
//   - Churn at horizon h is learned from the data itself: features frozen at
//     earlier cutoffs (as-of minus 2h, then 30-day steps back), labelled by
//     whether the customer bought in the h days after; validated on the
//     cutoff as-of minus h, whose outcome window ends at as-of; refitted on
//     all windows and scored at as-of. Nothing after as-of is ever read.
//   - When data is too thin (customers, history or outcomes), the result
//     says which minimum was not met instead of scoring noise.
package eyes
