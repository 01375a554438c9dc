// Package cluster owns OmniFy's customer segmentation algorithms and the
// metrics that judge them: K-Means (k-means++ seeding, Hamerly-accelerated
// Lloyd), mini-batch K-Means, DBSCAN over a k-d tree, exact and
// micro-cluster Ward agglomeration, silhouette, Davies-Bouldin,
// Calinski-Harabasz and the adjusted Rand index.
//
// All algorithms are deterministic for a given Seed, and their results do not
// depend on the number of Workers: parallel reductions run over fixed-size
// blocks that are combined in block order.
package cluster
