package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// BenchmarkEyesProjection serves the scatter of a 50,000-customer run:
// every score read from SQLite, laid out and encoded.
func BenchmarkEyesProjection(b *testing.B) {
	const n = 50_000
	srv := omnifytest.NewServer(b)
	s := srv.Register(b, "ana@example.com", "Acme")
	storeRun(b, srv, s.OrgID, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v1/eyes/projection?limit=%d", n), nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		w := httptest.NewRecorder()
		srv.API.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("projection: %d %s", w.Code, w.Body)
		}
		b.SetBytes(int64(w.Body.Len()))
	}
}

// storeRun writes a succeeded run with n scores in five segments.
func storeRun(b *testing.B, srv *omnifytest.Server, orgID string, n int) {
	b.Helper()
	ctx := b.Context()
	rep := eyes.Result{Status: eyes.StatusOK}
	for k := range 5 {
		rep.Segments = append(rep.Segments, eyes.Segment{ID: fmt.Sprintf("s%d", k), Name: fmt.Sprintf("Segment %d", k), Size: n / 5})
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		b.Fatal(err)
	}
	run := &omnify.EyesRun{ID: "run-1", OrgID: orgID, Status: omnify.JobRunning, AsOf: time.Now(), CreatedAt: time.Now()}
	if err := srv.Store.CreateEyesRun(ctx, run); err != nil {
		b.Fatal(err)
	}
	ss := make([]omnify.EyesScore, n)
	for i := range ss {
		ss[i] = omnify.EyesScore{RunID: run.ID, OrgID: orgID, CustomerID: fmt.Sprintf("c%06d", i), SegmentID: fmt.Sprintf("s%d", i%5),
			SegmentName: "Segment", X: float64(i%311) / 7, Y: float64(i%293) / 5, Consent: omnify.ConsentGranted}
	}
	if err := srv.Store.PutEyesScores(ctx, orgID, run.ID, ss); err != nil {
		b.Fatal(err)
	}
	done := time.Now()
	run.Status, run.Report, run.FinishedAt = omnify.JobSucceeded, raw, &done
	if err := srv.Store.UpdateEyesRun(ctx, run); err != nil {
		b.Fatal(err)
	}
}
