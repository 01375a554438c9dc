package api_test

import (
	"net/http"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
)

func TestEyesProjection(t *testing.T) {
	f := newFixture(t)
	viewer := f.team[omnify.RoleViewer]
	var none api.EyesProjection
	if code := f.srv.DoJSON(t, "GET", "/v1/eyes/projection", viewer.Token, nil, &none); code != http.StatusNotFound {
		t.Fatalf("projection before any run: %d, want 404", code)
	}
	seedCustomers(t, f.srv, f.owner().OrgID, 500)
	run := runEyes(t, f.srv, f.team[omnify.RoleAnalyst])
	var segs api.EyesSegments
	if code := f.srv.DoJSON(t, "GET", "/v1/eyes/segments", viewer.Token, nil, &segs); code != 200 {
		t.Fatalf("segments: %d", code)
	}

	tests := []struct {
		name        string
		query       string
		wantSampled bool
		maxPoints   int
	}{
		{"every customer by default", "", false, 500},
		{"sampled to the limit", "?limit=100", true, 100 + len(segs.Segments)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p api.EyesProjection
			if code := f.srv.DoJSON(t, "GET", "/v1/eyes/projection"+tc.query, viewer.Token, nil, &p); code != 200 {
				t.Fatalf("projection: %d", code)
			}
			n := len(p.X)
			if p.RunID != run.ID || p.Total != 500 || p.Sampled != tc.wantSampled || n > tc.maxPoints || n == 0 {
				t.Fatalf("run %s total %d sampled %v with %d points", p.RunID, p.Total, p.Sampled, n)
			}
			if len(p.Y) != n || len(p.Segment) != n || len(p.CustomerIDs) != n {
				t.Fatalf("arrays differ in length: x %d y %d segment %d ids %d", n, len(p.Y), len(p.Segment), len(p.CustomerIDs))
			}
			checkProjection(t, f, p, segs)
		})
	}
}

// checkProjection compares each point with the customer's stored score.
func checkProjection(t *testing.T, f *fixture, p api.EyesProjection, segs api.EyesSegments) {
	t.Helper()
	seen := map[int]bool{}
	spread := false
	for i, id := range p.CustomerIDs {
		sc, err := f.srv.Store.GetEyesScore(t.Context(), f.owner().OrgID, p.RunID, id)
		if err != nil {
			t.Fatal(err)
		}
		sg := p.Segments[p.Segment[i]]
		if sg.ID != sc.SegmentID || abs(p.X[i]-sc.X) > 1e-4 || abs(p.Y[i]-sc.Y) > 1e-4 {
			t.Fatalf("point %d = (%v, %v) in %s, score says (%v, %v) in %s", i, p.X[i], p.Y[i], sg.ID, sc.X, sc.Y, sc.SegmentID)
		}
		seen[p.Segment[i]] = true
		spread = spread || p.X[i] != 0 || p.Y[i] != 0
	}
	if len(seen) != len(segs.Segments) || !spread {
		t.Fatalf("points cover %d of %d segments; spread %v", len(seen), len(segs.Segments), spread)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
