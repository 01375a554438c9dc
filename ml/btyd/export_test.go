package btyd

// Hyp2F1 and LogHyp2F1 expose the hypergeometric function to the
// external tests.
var (
	Hyp2F1    = hyp2f1
	LogHyp2F1 = logHyp2f1
)
