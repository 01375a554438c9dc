package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/orgs/{id}", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /v1/orgs", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
	mux.HandleFunc("/v1/panic", func(http.ResponseWriter, *http.Request) { panic("x") })
	mux.HandleFunc("/v1/named", func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r.Context(), "/v1/custom/{name}")
	})
	var buf logBuffer
	h := middleware.Chain(mux, middleware.Recover(buf.logger()), middleware.Metrics(reg).Handler)
	// A second server on the same registry shares the collectors.
	h2 := middleware.Metrics(reg).Handler(mux)

	for _, req := range []struct{ method, path string }{
		{"GET", "/v1/orgs/a"}, {"GET", "/v1/orgs/b"}, {"POST", "/v1/orgs"},
		{"GET", "/random/1"}, {"GET", "/random/2"}, {"BREW", "/v1/orgs/c"},
		{"GET", "/v1/panic"}, {"GET", "/v1/named"},
	} {
		serve(h, httptest.NewRequest(req.method, req.path, nil))
	}
	serve(h2, httptest.NewRequest("GET", "/v1/orgs/z", nil))

	counts := gatherCounts(t, reg)
	want := map[[3]string]float64{
		{"/v1/orgs/{id}", "GET", "200"}:     3,
		{"/v1/orgs", "POST", "201"}:         1,
		{"other", "GET", "404"}:             2,
		{"other", "OTHER", "405"}:           1,
		{"/v1/panic", "GET", "500"}:         1,
		{"/v1/custom/{name}", "GET", "200"}: 1,
	}
	if len(counts) != len(want) {
		t.Errorf("series = %v, want %v", counts, want)
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("requests%v = %v, want %v", k, counts[k], v)
		}
	}
}

// gatherCounts reads omnify_http_requests_total by (route, method, status)
// and checks the histogram saw the same number of requests.
func gatherCounts(t *testing.T, reg *prometheus.Registry) map[[3]string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[[3]string]float64{}
	var total, observed float64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "omnify_http_requests_total":
				l := labels(m)
				counts[[3]string{l["route"], l["method"], l["status"]}] += m.GetCounter().GetValue()
				total += m.GetCounter().GetValue()
			case "omnify_http_request_duration_seconds":
				observed += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if total != observed || total == 0 {
		t.Errorf("counter total %v, histogram count %v", total, observed)
	}
	return counts
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}
