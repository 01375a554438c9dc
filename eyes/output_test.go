package eyes_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows
}

// TestRunCSVWritesOutputs goes from a CDNOW file to the three output files
// and checks their shape and agreement with the result.
func TestRunCSVWritesOutputs(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(sharedDir(t), "data", "cdnow", "cdnow_sample_transactions.csv"))
	if err != nil {
		t.Skipf("CDNOW data not available: %v", err)
	}
	defer f.Close()
	res, err := eyes.RunCSV(context.Background(), f, mustDate(t, "1998-03-31"), eyes.Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := mustCleanOutputs(t, res)
	cust := readCSV(t, filepath.Join(dir, "customers.csv"))
	const head = "customer_id,segment,cluster,churn_30,churn_60,churn_90,p_alive,expected_clv"
	if got := strings.Join(cust[0], ","); !strings.HasPrefix(got, head) {
		t.Errorf("customers.csv header %q, want it to start %q", got, head)
	}
	if len(cust)-1 != len(res.Customers) || len(res.Customers) != 2357 {
		t.Fatalf("customers.csv has %d rows, result %d customers, CDNOW sample 2357", len(cust)-1, len(res.Customers))
	}
	for _, row := range cust[1:] {
		for j := 3; j <= 5; j++ {
			if p, err := strconv.ParseFloat(row[j], 64); err != nil || p < 0 || p > 1 {
				t.Fatalf("row %v: %s = %q is not a probability", row, cust[0][j], row[j])
			}
		}
	}
	feat := readCSV(t, filepath.Join(dir, "features.csv"))
	X, names := res.ClusterMatrix()
	if strings.Join(feat[0], ",") != "customer_id,"+strings.Join(names, ",") || len(feat)-1 != X.Rows {
		t.Fatalf("features.csv header %v with %d rows, want %v and %d rows", feat[0], len(feat)-1, names, X.Rows)
	}
	for k, row := range feat[1:] {
		for j, s := range row[1:] {
			if v, _ := strconv.ParseFloat(s, 64); v != X.At(k, j) || row[0] != cust[k+1][0] {
				t.Fatalf("features.csv row %d column %d = %s, matrix holds %v: want full precision, same order", k, j, s, X.At(k, j))
			}
		}
	}
	checkReport(t, filepath.Join(dir, "report.json"))
}

func checkReport(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Clustering struct {
			Methods []struct {
				Method     string
				Silhouette *float64
				Sizes      []int
			}
			Chosen         string
			SilhouetteMode string `json:"silhouette_mode"`
		}
		Churn []struct {
			HorizonDays int      `json:"horizon_days"`
			AUC         *float64 `json:"auc"`
			BaseRate    *float64 `json:"base_rate"`
		}
		Consent *eyes.ConsentCounts
		Timings []eyes.Timing
		Gates   []eyes.Gate
		Load    *eyes.LoadReport
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Clustering.Methods) != 3 || rep.Clustering.Chosen == "" || rep.Clustering.SilhouetteMode != "exact" {
		t.Errorf("report clustering %+v", rep.Clustering)
	}
	for _, m := range rep.Clustering.Methods {
		if m.Silhouette == nil || len(m.Sizes) == 0 {
			t.Errorf("method %s lacks its silhouette or cluster sizes", m.Method)
		}
	}
	if len(rep.Churn) != 3 || rep.Consent == nil || len(rep.Timings) < 5 || len(rep.Gates) != 4 || rep.Load == nil {
		t.Errorf("report lacks churn cards, consent, timings, gates or the load report: %s", b[:min(len(b), 400)])
	}
	for _, c := range rep.Churn {
		if c.AUC == nil || c.BaseRate == nil {
			t.Errorf("%d-day card lacks AUC or base rate", c.HorizonDays)
		}
	}
}

func TestRFMSegmentNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 5, eyes.RFMChampions},
		{5, 4, 3, eyes.RFMChampions},
		{4, 5, 4, eyes.RFMLoyal},
		{3, 4, 4, eyes.RFMLoyal},
		{5, 2, 2, eyes.RFMPotential},
		{4, 3, 2, eyes.RFMPotential},
		{5, 1, 1, eyes.RFMNew},
		{4, 1, 1, eyes.RFMPromising},
		{3, 3, 3, eyes.RFMNeedAtt},
		{3, 1, 2, eyes.RFMAboutToSleep},
		{2, 3, 4, eyes.RFMAtRisk},
		{1, 5, 5, eyes.RFMCannotLose},
		{2, 1, 1, eyes.RFMHibernating},
		{1, 2, 1, eyes.RFMHibernating},
		{1, 1, 1, eyes.RFMLost},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		got := eyes.RFMSegmentName(tc.r, tc.f, tc.m)
		if got != tc.want {
			t.Errorf("RFMSegmentName(%d,%d,%d) = %q, want %q", tc.r, tc.f, tc.m, got, tc.want)
		}
		seen[got] = true
	}
	if len(seen) != len(eyes.RFMNames) {
		t.Errorf("the table reaches %d of the %d named segments", len(seen), len(eyes.RFMNames))
	}
}

func TestResultStoreForms(t *testing.T) {
	t.Parallel()
	res := mustRun(t, synthInput(300, 8, synthAsOf), eyes.Config{Seed: 2, Horizons: []int{30, 60, 90}, TrainCutoffs: 1})
	b, err := res.ReportJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back eyes.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Customers) != 0 || back.Clustering.Chosen != res.Clustering.Chosen || len(back.Churn) != 3 {
		t.Errorf("report round trip: %d customers, chosen %q, %d cards", len(back.Customers), back.Clustering.Chosen, len(back.Churn))
	}
	scores := res.Scores("run-1", "org-1")
	if len(scores) != len(res.Customers) {
		t.Fatalf("%d scores for %d customers", len(scores), len(res.Customers))
	}
	for k, s := range scores {
		c := res.Customers[k]
		if s.RunID != "run-1" || s.OrgID != "org-1" || s.CustomerID != c.ID || s.Churn90 != c.Churn[90] || s.SegmentName != c.Segment || s.Consent != c.Consent {
			t.Fatalf("score %+v does not match customer %+v", s, c)
		}
	}
}
