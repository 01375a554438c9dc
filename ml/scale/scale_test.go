package scale_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/scale"
)

// golden is written by scripts/sklearn/cluster_fixtures.py.
type golden struct {
	X        [][]float64 `json:"X"`
	Standard struct {
		Mean        []float64   `json:"mean"`
		Scale       []float64   `json:"scale"`
		Transformed [][]float64 `json:"transformed"`
	} `json:"standard"`
	Robust struct {
		Center      []float64   `json:"center"`
		Scale       []float64   `json:"scale"`
		Transformed [][]float64 `json:"transformed"`
	} `json:"robust"`
	PCA struct {
		X                      [][]float64 `json:"X"`
		K                      int         `json:"k"`
		ExplainedVarianceRatio []float64   `json:"explained_variance_ratio"`
		ExplainedVariance      []float64   `json:"explained_variance"`
		TransformedAbs         [][]float64 `json:"transformed_abs"`
	} `json:"pca"`
}

func mustGolden(tb testing.TB) *golden {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "scalers.json"))
	if err != nil {
		tb.Fatal(err)
	}
	g := &golden{}
	if err := json.Unmarshal(raw, g); err != nil {
		tb.Fatal(err)
	}
	return g
}

func mustMatrix(tb testing.TB, rows [][]float64) *ml.Matrix {
	tb.Helper()
	m, err := ml.FromRows(rows)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func assertMatrixClose(t *testing.T, what string, got *ml.Matrix, want [][]float64, tol float64) {
	t.Helper()
	if got == nil || got.Rows != len(want) {
		t.Fatalf("%s: got %v rows, want %d", what, got, len(want))
	}
	for i, row := range want {
		for j, w := range row {
			if g := got.At(i, j); math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) || math.IsNaN(g) {
				t.Fatalf("%s[%d][%d] = %.15g, want %.15g", what, i, j, g, w)
			}
		}
	}
}

func TestStandardizerMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	g := mustGolden(t)
	X := mustMatrix(t, g.X)
	s := scale.FitStandardizer(X)
	for j := range g.Standard.Mean {
		if math.Abs(s.Mean[j]-g.Standard.Mean[j]) > 1e-9*math.Max(1, math.Abs(g.Standard.Mean[j])) {
			t.Errorf("mean[%d] = %v, want %v", j, s.Mean[j], g.Standard.Mean[j])
		}
	}
	Z := s.Transform(X)
	assertMatrixClose(t, "standardized", Z, g.Standard.Transformed, 1e-9)
	assertMatrixClose(t, "inverse", s.InverseTransform(Z), g.X, 1e-9)
}

func TestRobustScalerMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	g := mustGolden(t)
	X := mustMatrix(t, g.X)
	r, err := scale.FitRobustScaler(X)
	if err != nil {
		t.Fatal(err)
	}
	for j := range g.Robust.Center {
		if math.Abs(r.Center[j]-g.Robust.Center[j]) > 1e-9*math.Max(1, math.Abs(g.Robust.Center[j])) ||
			math.Abs(r.Scale[j]-g.Robust.Scale[j]) > 1e-9*math.Max(1, g.Robust.Scale[j]) {
			t.Errorf("column %d: center %v scale %v, want %v %v", j, r.Center[j], r.Scale[j], g.Robust.Center[j], g.Robust.Scale[j])
		}
	}
	Z := r.Transform(X)
	assertMatrixClose(t, "robust", Z, g.Robust.Transformed, 1e-9)
	back, err := r.InverseTransform(Z)
	if err != nil {
		t.Fatal(err)
	}
	assertMatrixClose(t, "robust inverse", back, g.X, 1e-9)
}

func TestPCAMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	g := mustGolden(t)
	X := mustMatrix(t, g.PCA.X)
	p, err := scale.FitPCA(X, g.PCA.K)
	if err != nil {
		t.Fatal(err)
	}
	for c, want := range g.PCA.ExplainedVarianceRatio {
		if math.Abs(p.ExplainedVarianceRatio[c]-want) > 1e-6 {
			t.Errorf("ratio[%d] = %v, want %v", c, p.ExplainedVarianceRatio[c], want)
		}
		if w := g.PCA.ExplainedVariance[c]; math.Abs(p.ExplainedVariance[c]-w) > 1e-6*w {
			t.Errorf("variance[%d] = %v, want %v", c, p.ExplainedVariance[c], w)
		}
	}
	Z := p.Transform(X)
	for i := range Z.Data {
		Z.Data[i] = math.Abs(Z.Data[i]) // axis signs are a convention; magnitudes are not
	}
	assertMatrixClose(t, "pca |projection|", Z, g.PCA.TransformedAbs, 1e-6)
	again, _ := scale.FitPCA(X, g.PCA.K)
	for i, v := range p.Components.Data {
		if again.Components.Data[i] != v {
			t.Fatal("components differ between identical fits")
		}
	}
}

func TestLog1pKeepsSignAndFiniteness(t *testing.T) {
	t.Parallel()
	X := mustMatrix(t, [][]float64{{-3, 0, 5}, {math.E - 1, -1e300, 2}})
	got := scale.Log1p(X, []int{0, 1, 7})
	want := [][]float64{{-math.Log(4), 0, 5}, {1, -math.Log1p(1e300), 2}}
	assertMatrixClose(t, "log1p", got, want, 1e-12)
	if X.At(0, 0) != -3 {
		t.Error("Log1p modified its input")
	}
	all := scale.Log1p(X, nil)
	if all.At(0, 2) != math.Log1p(5) {
		t.Errorf("nil cols should transform every column, got %v", all.At(0, 2))
	}
}

func TestConstantColumnsBecomeZero(t *testing.T) {
	t.Parallel()
	X := mustMatrix(t, [][]float64{{0.1, 1}, {0.1, 2}, {0.1, 3}})
	Z := scale.FitStandardizer(X).Transform(X)
	for i := 0; i < 3; i++ {
		if Z.At(i, 0) != 0 {
			t.Errorf("row %d: constant column became %v", i, Z.At(i, 0))
		}
	}
	r, _ := scale.FitRobustScaler(X)
	if v := r.Transform(X).At(0, 0); v != 0 {
		t.Errorf("robust constant column became %v", v)
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	good := mustMatrix(t, [][]float64{{1, 2}, {3, 4}, {5, 7}})
	nan := mustMatrix(t, [][]float64{{1, math.NaN()}, {3, 4}})
	narrow := mustMatrix(t, [][]float64{{1}, {2}})
	s := scale.FitStandardizer(good)
	r, _ := scale.FitRobustScaler(good)
	p, _ := scale.FitPCA(good, 1)
	tests := []struct {
		name string
		err  error
	}{
		{"standardizer empty", second(scale.FitStandardizerE(&ml.Matrix{}))},
		{"standardizer nan", second(scale.FitStandardizerE(nan))},
		{"standardizer width", second(s.TransformE(narrow))},
		{"robust nan", second(scale.FitRobustScaler(nan))},
		{"robust empty", second(scale.FitRobustScaler(nil))},
		{"robust width", second(r.TransformE(narrow))},
		{"pca k too big", second(scale.FitPCA(good, 3))},
		{"pca k zero", second(scale.FitPCA(good, 0))},
		{"pca one row", second(scale.FitPCA(mustMatrix(t, [][]float64{{1, 2}}), 1))},
		{"pca nan", second(scale.FitPCA(nan, 1))},
		{"pca width", second(p.TransformE(narrow))},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: want an error", tt.name)
		}
	}
	if scale.FitStandardizer(nan) != nil || s.Transform(narrow) != nil || p.Transform(narrow) != nil {
		t.Error("invalid input should give nil results")
	}
}

func second[T any](_ T, err error) error { return err }
