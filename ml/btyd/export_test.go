package btyd

// Hyp2F1 exposes the hypergeometric function to the external tests.
var Hyp2F1 = hyp2f1
