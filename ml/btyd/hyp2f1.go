package btyd

import "math"

// hyp2f1 returns the Gaussian hypergeometric function 2F1(a, b; c; z) for
// real z < 1, the range the purchase models need.
func hyp2f1(a, b, c, z float64) float64 {
	l, s := logHyp2f1(a, b, c, z)
	return s * math.Exp(l)
}

// logHyp2f1 returns log|2F1(a, b; c; z)| and its sign. The power series
// is summed directly for 0 <= z <= 0.75; negative z is mapped into (0, 1)
// by Pfaff's transformation, and z > 0.75, where the series crawls, is
// mapped to 1-z by the connection formula (Abramowitz & Stegun 15.3.6).
func logHyp2f1(a, b, c, z float64) (float64, float64) {
	switch {
	case math.IsNaN(a + b + c + z), z >= 1, isPole(c):
		return math.NaN(), 1
	case z == 0:
		return 0, 1
	case z < 0:
		w := z / (z - 1)
		l, s := logHyp2f1(a, c-b, c, w)
		return l - a*math.Log1p(-z), s
	case z <= 0.75:
		return direct(a, b, c, z)
	}
	l, s, logErr := logConnection(a, b, c, z)
	switch {
	case logErr <= logTight:
		return l, s
	case z < 0.9999:
		return direct(a, b, c, z)
	case logErr > logLoose:
		// Too few correct digits survive: report failure rather than a
		// wrong value an optimiser could exploit.
		return math.NaN(), 1
	}
	return l, s
}

// The evaluators estimate the log of their relative error. logTight is the
// accuracy at which the connection formula is used without question;
// below logLoose a result is not worth returning.
var (
	logTight = math.Log(1e-10)
	logLoose = math.Log(1e-6)
	logUlp   = math.Log(0x1p-52)
)

// isPole reports whether x is a non-positive integer, where Γ(x) has a pole.
func isPole(x float64) bool { return x <= 0 && x == math.Trunc(x) }

// direct sums the series at z. Its error relative to the largest term is
// tiny; when alternating terms cancel to a much smaller sum the relative
// error grows, but the absolute error stays negligible, which is what the
// callers' differences need.
func direct(a, b, c, z float64) (float64, float64) {
	l, s, _ := logSeries(a, b, c, z)
	return l, s
}

// logSeries sums the hypergeometric series, rescaling as it goes so large
// parameters do not overflow before the terms start to shrink. The third
// result is the log of the largest term over the sum: the digits lost to
// cancellation when terms alternate in sign.
func logSeries(a, b, c, z float64) (float64, float64, float64) {
	const rescale = 1e200
	const maxTerms = 1e6
	sum, term, biggest, logScale := 1.0, 1.0, 1.0, 0.0
	n := 0.0
	for ; n < maxTerms; n++ {
		ratio := (a + n) * (b + n) / ((c + n) * (n + 1)) * z
		term *= ratio
		sum += term
		biggest = math.Max(biggest, math.Abs(term))
		// Stop once terms are negligible and shrinking for good: past
		// n > -a, -b, -c the ratio tends monotonically to z < 1, so a ratio
		// below 1 there stays below 1. Before that a negative c can make
		// the terms shrink and then grow again.
		settled := a+n > 0 && b+n > 0 && c+n > 0
		if term == 0 || (settled && math.Abs(term) <= 1e-17*math.Abs(sum) && math.Abs(ratio) < 1) {
			break
		}
		if biggest > rescale {
			sum /= rescale
			term /= rescale
			biggest /= rescale
			logScale += math.Log(rescale)
		}
	}
	switch {
	case n >= maxTerms || math.IsNaN(sum):
		return math.NaN(), 1, math.Inf(1)
	case sum == 0:
		return math.Inf(-1), 1, math.Inf(1)
	}
	return math.Log(math.Abs(sum)) + logScale, math.Copysign(1, sum), math.Log(biggest / math.Abs(sum))
}

// logConnection evaluates 2F1 near z = 1 through series in 1-z. The
// formula divides by Γ(c-a-b)Γ(a+b-c), which is infinite when c-a-b is an
// integer; there the function is interpolated linearly in b between two
// points 1e-5 either side, which is exact to about 1e-10 relative. The third
// result is the log of the estimated relative error.
func logConnection(a, b, c, z float64) (float64, float64, float64) {
	const eps = 1e-5
	d := c - a - b
	off := d - math.Round(d)
	if math.Abs(off) >= eps {
		return logConnectionExact(a, b, c, z)
	}
	b1, b2 := b+off-eps, b+off+eps
	l1, s1, e1 := logConnectionExact(a, b1, c, z)
	l2, s2, e2 := logConnectionExact(a, b2, c, z)
	w := (b - b1) / (b2 - b1)
	loss := math.Max(e1, e2)
	if s1 == s2 {
		return l1 + w*(l2-l1), s1, loss
	}
	v := s1*math.Exp(l1) + w*(s2*math.Exp(l2)-s1*math.Exp(l1))
	return math.Log(math.Abs(v)), math.Copysign(1, v), loss
}

func logConnectionExact(a, b, c, z float64) (float64, float64, float64) {
	y := 1 - z
	d := c - a - b
	lc, sc := lgammaSigned(c)
	l1, s1, loss1 := logSeries(a, b, 1-d, y)
	l2, s2, loss2 := logSeries(c-a, c-b, 1+d, y)
	g1, t1 := lgammaSigned(d)
	g2, t2 := lgammaSigned(-d)
	r1, u1 := lrgamma(c - a)
	r2, u2 := lrgamma(c - b)
	r3, u3 := lrgamma(a)
	r4, u4 := lrgamma(b)
	first := lc + g1 + r1 + r2 + l1
	second := lc + g2 + r3 + r4 + d*math.Log(y) + l2
	l, s := addSigned(first, sc*t1*u1*u2*s1, second, sc*t2*u3*u4*s2)
	// Each term's log carries rounding proportional to the magnitudes
	// summed into it, plus the series' own cancellation; the result's
	// error is the larger term's error relative to the sum.
	scale := 1 + math.Abs(lc) + math.Abs(g1) + math.Abs(g2) + math.Abs(r1) + math.Abs(r2) +
		math.Abs(r3) + math.Abs(r4) + math.Abs(d*math.Log(y))
	err1 := first + logAddExp(logUlp+math.Log(scale+math.Abs(l1)), logUlp+loss1)
	err2 := second + logAddExp(logUlp+math.Log(scale+math.Abs(l2)), logUlp+loss2)
	if math.IsNaN(err1) || math.IsNaN(err2) {
		return l, s, math.Inf(1)
	}
	return l, s, math.Max(err1, err2) - l
}

// lgammaSigned returns log|Γ(x)| and the sign of Γ(x).
func lgammaSigned(x float64) (float64, float64) {
	l, s := math.Lgamma(x)
	return l, float64(s)
}

// lrgamma returns log|1/Γ(x)| and its sign; at the poles of Γ the
// reciprocal is zero, reported as -Inf.
func lrgamma(x float64) (float64, float64) {
	if isPole(x) {
		return math.Inf(-1), 1
	}
	l, s := math.Lgamma(x)
	return -l, float64(s)
}

// addSigned returns log|s1·e^l1 + s2·e^l2| and the sign of the sum.
func addSigned(l1, s1, l2, s2 float64) (float64, float64) {
	if math.IsInf(l1, -1) {
		return l2, s2
	}
	if math.IsInf(l2, -1) {
		return l1, s1
	}
	if l1 < l2 {
		l1, s1, l2, s2 = l2, s2, l1, s1
	}
	if s1 == s2 {
		return l1 + math.Log1p(math.Exp(l2-l1)), s1
	}
	return logSubExp(l1, l2), s1
}
