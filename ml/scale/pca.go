package scale

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
	"gonum.org/v1/gonum/mat"
)

// PCA is a fitted principal-component projection.
type PCA struct {
	Mean                   []float64
	Components             *ml.Matrix // k×d, rows are unit principal axes, by decreasing variance
	ExplainedVariance      []float64  // sample variance (ddof 1) along each component
	ExplainedVarianceRatio []float64  // share of total variance per component
}

// FitPCA finds the k leading principal axes from the eigendecomposition of
// the d×d covariance matrix, which is cheap for the narrow feature tables the
// segmentation uses. Each axis is signed so its largest-magnitude loading is
// positive, which keeps projections stable across runs and platforms.
func FitPCA(X *ml.Matrix, k int) (*PCA, error) {
	if err := checkMatrix(X); err != nil {
		return nil, fmt.Errorf("fit pca: %w", err)
	}
	if k < 1 || k > X.Cols {
		return nil, fmt.Errorf("fit pca: k=%d outside 1..%d", k, X.Cols)
	}
	if X.Rows < 2 {
		return nil, errors.New("fit pca: need at least 2 rows")
	}
	mean, _ := meanStd(X)
	cov := covariance(X, mean)
	var eig mat.EigenSym
	if ok := eig.Factorize(cov, true); !ok {
		return nil, errors.New("fit pca: eigendecomposition did not converge")
	}
	return pcaFromEigen(&eig, mean, k), nil
}

// covariance returns the ddof-1 covariance of X as a gonum symmetric matrix.
func covariance(X *ml.Matrix, mean []float64) *mat.SymDense {
	d := X.Cols
	acc := make([]float64, d*d)
	c := make([]float64, d)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			c[j] = v - mean[j]
		}
		for a := 0; a < d; a++ {
			row := acc[a*d : a*d+d]
			ca := c[a]
			for b := a; b < d; b++ {
				row[b] += ca * c[b]
			}
		}
	}
	cov := mat.NewSymDense(d, nil)
	den := float64(X.Rows - 1)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			cov.SetSym(a, b, acc[a*d+b]/den)
		}
	}
	return cov
}

func pcaFromEigen(eig *mat.EigenSym, mean []float64, k int) *PCA {
	d := len(mean)
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	p := &PCA{Mean: mean, Components: ml.NewMatrix(k, d),
		ExplainedVariance: make([]float64, k), ExplainedVarianceRatio: make([]float64, k)}
	for c := 0; c < k; c++ {
		src := d - 1 - c
		v := math.Max(vals[src], 0)
		p.ExplainedVariance[c] = v
		if total > 0 {
			p.ExplainedVarianceRatio[c] = v / total
		}
		row := p.Components.Row(c)
		for j := 0; j < d; j++ {
			row[j] = vecs.At(j, src)
		}
		orientByLargest(row)
	}
	return p
}

// orientByLargest flips a vector so its largest-magnitude entry is positive.
func orientByLargest(v []float64) {
	best := 0
	for j := range v {
		if math.Abs(v[j]) > math.Abs(v[best]) {
			best = j
		}
	}
	if v[best] < 0 {
		for j := range v {
			v[j] = -v[j]
		}
	}
}

// Transform projects X onto the fitted components: (X-Mean)·Componentsᵀ.
// A nil result means X has the wrong width; see TransformE.
func (p *PCA) Transform(X *ml.Matrix) *ml.Matrix {
	out, err := p.TransformE(X)
	if err != nil {
		return nil
	}
	return out
}

// TransformE is Transform with the width check reported as an error.
func (p *PCA) TransformE(X *ml.Matrix) (*ml.Matrix, error) {
	if err := checkCols(X, len(p.Mean)); err != nil {
		return nil, fmt.Errorf("pca transform: %w", err)
	}
	k := p.Components.Rows
	out := ml.NewMatrix(X.Rows, k)
	c := make([]float64, X.Cols)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			c[j] = v - p.Mean[j]
		}
		dst := out.Row(i)
		for a := 0; a < k; a++ {
			s := 0.0
			for j, w := range p.Components.Row(a) {
				s += w * c[j]
			}
			dst[a] = s
		}
	}
	return out, nil
}
