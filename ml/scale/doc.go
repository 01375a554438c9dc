// Package scale owns feature preparation for OmniFy's segmentation: z-score
// standardisation, median/IQR robust scaling, signed log1p for skewed money
// and count features, and PCA projection. Every fitted scaler keeps its
// parameters so the EYES pipeline can apply the same transform to new
// customers and map cluster centres back to business units.
package scale
