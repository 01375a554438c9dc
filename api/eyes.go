package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/store"
)

// EyesStarter starts EYES runs as background jobs.
type EyesStarter interface {
	Start(ctx context.Context, orgID, actorID string, asOf time.Time, seed int64) (*omnify.EyesRun, error)
}

// EyesRunItem is one EYES run as the API shows it.
type EyesRunItem struct {
	ID         string     `json:"id"`
	Version    int        `json:"version" doc:"1 for the org's first run, then 2, 3, ..."`
	Status     string     `json:"status" enum:"queued,running,succeeded,failed,dead"`
	AsOf       time.Time  `json:"as_of"`
	JobID      string     `json:"job_id,omitempty"`
	Error      string     `json:"error,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

func runItem(r *omnify.EyesRun) EyesRunItem {
	return EyesRunItem{ID: r.ID, Version: r.Version, Status: string(r.Status), AsOf: r.AsOf, JobID: r.JobID,
		Error: r.Error, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
}

type eyesStartInput struct {
	Body struct {
		AsOf string `json:"as_of,omitempty" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"Analyse orders up to this date (YYYY-MM-DD); default today."`
		Seed int64  `json:"seed,omitempty" doc:"Seed of every sample and restart; the same data and seed give the same result."`
	}
}

type eyesRunOutput struct {
	Body EyesRunItem
}

type eyesRunsInput struct {
	Limit int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

type eyesRunsOutput struct {
	Body struct {
		Items []EyesRunItem `json:"items"`
		Next  string        `json:"next,omitempty"`
	}
}

type eyesRunInput struct {
	RunID string `path:"run_id" maxLength:"100"`
}

// EyesReport is a run with what it found. Report is absent until the run
// has succeeded.
type EyesReport struct {
	Run    EyesRunItem  `json:"run"`
	Report *eyes.Result `json:"report,omitempty"`
}

type eyesReportOutput struct{ Body EyesReport }

func (s *Server) registerEyes() {
	tags := []string{"EYES"}
	Register(s, huma.Operation{OperationID: "eyes.run", Method: http.MethodPost, Path: "/v1/eyes/runs",
		Summary: "Start an EYES run over the organisation's customers", Tags: tags, DefaultStatus: http.StatusAccepted},
		s.startEyes)
	Register(s, huma.Operation{OperationID: "eyes.runs", Method: http.MethodGet, Path: "/v1/eyes/runs",
		Summary: "List EYES runs, newest first", Tags: tags}, s.listEyesRuns)
	Register(s, huma.Operation{OperationID: "eyes.run.get", Method: http.MethodGet, Path: "/v1/eyes/runs/{run_id}",
		Summary: "Get one EYES run with its report and model cards", Tags: tags}, s.getEyesRun)
	Register(s, huma.Operation{OperationID: "eyes.segments", Method: http.MethodGet, Path: "/v1/eyes/segments",
		Summary: "Segments of the latest successful EYES run", Tags: tags}, s.eyesSegments)
	Register(s, huma.Operation{OperationID: "eyes.customers", Method: http.MethodGet, Path: "/v1/eyes/customers",
		Summary: "Customers of the latest successful EYES run with scores and reason codes", Tags: tags}, s.eyesCustomers)
	Register(s, huma.Operation{OperationID: "eyes.projection", Method: http.MethodGet, Path: "/v1/eyes/projection",
		Summary: "2-D projection of the latest successful EYES run's customers, coloured by segment, for a scatter plot",
		Tags:    tags}, s.eyesProjection)
	Register(s, huma.Operation{OperationID: "eyes.export", Method: http.MethodGet,
		Path:    "/v1/eyes/segments/{segment_id}/export.csv",
		Summary: "Export a segment's customers who granted marketing consent, as CSV", Tags: tags,
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}},
	}, s.exportSegment)
}

func (s *Server) startEyes(ctx context.Context, in *eyesStartInput) (*eyesRunOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if s.deps.Eyes == nil {
		return nil, fail(omnify.ErrUnavailable, "EYES runs are not enabled on this server")
	}
	var asOf time.Time
	if in.Body.AsOf != "" {
		if asOf, err = time.Parse(time.DateOnly, in.Body.AsOf); err != nil {
			return nil, omnify.Invalid("body.as_of", "must be a date YYYY-MM-DD")
		}
	}
	run, err := s.deps.Eyes.Start(ctx, a.OrgID, a.UserID, asOf, in.Body.Seed)
	if err != nil {
		return nil, err
	}
	ev := auditOf(ctx)
	ev.Target = "eyes_run:" + run.ID
	return &eyesRunOutput{Body: runItem(run)}, nil
}

func (s *Server) listEyesRuns(ctx context.Context, in *eyesRunsInput) (*eyesRunsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	rs, next, err := s.deps.Store.ListEyesRuns(ctx, a.OrgID, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list eyes runs: %w", err)
	}
	out := &eyesRunsOutput{}
	out.Body.Items = make([]EyesRunItem, len(rs))
	for i := range rs {
		out.Body.Items[i] = runItem(&rs[i])
	}
	out.Body.Next = next
	return out, nil
}

func (s *Server) getEyesRun(ctx context.Context, in *eyesRunInput) (*eyesReportOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	run, err := s.deps.Store.GetEyesRun(ctx, a.OrgID, in.RunID)
	if err != nil {
		return nil, fmt.Errorf("get eyes run: %w", err)
	}
	rep, err := decodeReport(run)
	if err != nil {
		return nil, err
	}
	return &eyesReportOutput{Body: EyesReport{Run: runItem(run), Report: rep}}, nil
}

func decodeReport(run *omnify.EyesRun) (*eyes.Result, error) {
	if len(run.Report) == 0 {
		return nil, nil
	}
	var r eyes.Result
	if err := json.Unmarshal(run.Report, &r); err != nil {
		return nil, fmt.Errorf("decode eyes report %s: %w", run.ID, err)
	}
	return &r, nil
}

// latestRun returns the org's latest successful run and its report.
func (s *Server) latestRun(ctx context.Context, orgID string) (*omnify.EyesRun, *eyes.Result, error) {
	run, err := s.deps.Store.LatestEyesRun(ctx, orgID)
	if errors.Is(err, omnify.ErrNotFound) {
		return nil, nil, fail(omnify.ErrNotFound, "no EYES run has succeeded yet; start one with POST /v1/eyes/runs")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("latest eyes run: %w", err)
	}
	rep, err := decodeReport(run)
	if err != nil || rep == nil {
		return nil, nil, fmt.Errorf("latest eyes run %s has no report: %w", run.ID, err)
	}
	return run, rep, nil
}

// EyesSegments is what the latest run found: segments, how they were
// chosen, and the churn model cards.
type EyesSegments struct {
	Run         EyesRunItem             `json:"run"`
	Status      string                  `json:"status" doc:"ok, or not_enough_data with messages saying which minimum was not met"`
	Messages    []string                `json:"messages,omitempty"`
	Segments    []eyes.Segment          `json:"segments"`
	RFMSegments []eyes.RFMSegmentReport `json:"rfm_segments"`
	Clustering  eyes.ClusteringReport   `json:"clustering"`
	Churn       []eyes.ModelCard        `json:"churn"`
	Gates       []eyes.Gate             `json:"gates"`
	Consent     eyes.ConsentCounts      `json:"consent"`
	Findings    []string                `json:"findings"`
	Migration   *eyes.Migration         `json:"migration,omitempty"`
}

type eyesSegmentsOutput struct{ Body EyesSegments }

func (s *Server) eyesSegments(ctx context.Context, _ *struct{}) (*eyesSegmentsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	run, rep, err := s.latestRun(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	return &eyesSegmentsOutput{Body: EyesSegments{Run: runItem(run), Status: rep.Status, Messages: rep.Messages,
		Segments: rep.Segments, RFMSegments: rep.RFMSegments, Clustering: rep.Clustering, Churn: rep.Churn,
		Gates: rep.Gates, Consent: rep.Consent, Findings: rep.Insights.Findings, Migration: rep.Insights.Migration}}, nil
}

type eyesCustomersInput struct {
	Segment    string  `query:"segment" maxLength:"100" doc:"Only customers of this segment ID."`
	MinChurn90 float64 `query:"min_churn_90" minimum:"0" maximum:"1" doc:"Only customers whose 90-day churn probability is at least this."`
	Limit      int     `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	Page       string  `query:"page" maxLength:"500" doc:"The next cursor of the previous page; empty for the first."`
}

// EyesCustomer is one customer's scores in the latest run.
type EyesCustomer struct {
	CustomerID  string   `json:"customer_id"`
	Name        string   `json:"name,omitempty" doc:"The unified customer's current display name; absent when unknown or the customer was deleted since the run."`
	Email       string   `json:"email,omitempty" doc:"The unified customer's current email; absent when unknown or the customer was deleted since the run."`
	SegmentID   string   `json:"segment_id"`
	Segment     string   `json:"segment"`
	Cluster     int      `json:"cluster"`
	RFMSegment  string   `json:"rfm_segment"`
	Churn30     float64  `json:"churn_30"`
	Churn60     float64  `json:"churn_60"`
	Churn90     float64  `json:"churn_90"`
	PAlive      float64  `json:"p_alive"`
	ExpectedCLV float64  `json:"expected_clv"`
	Reasons     []string `json:"reasons" doc:"Features pushing this customer's churn risk up the most."`
	X           float64  `json:"x"`
	Y           float64  `json:"y"`
	Consent     string   `json:"consent" enum:"granted,denied,unknown"`
}

type eyesCustomersOutput struct {
	Body struct {
		RunID string         `json:"run_id"`
		Items []EyesCustomer `json:"items"`
		Next  string         `json:"next,omitempty"`
	}
}

func (s *Server) eyesCustomers(ctx context.Context, in *eyesCustomersInput) (*eyesCustomersOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	run, _, err := s.latestRun(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	f := store.ScoreFilter{SegmentID: in.Segment, MinChurn90: in.MinChurn90}
	ss, next, err := s.deps.Store.ListEyesScores(ctx, a.OrgID, run.ID, f, store.Page{Limit: in.Limit, After: in.Page})
	if err != nil {
		return nil, fmt.Errorf("list eyes scores: %w", err)
	}
	out := &eyesCustomersOutput{}
	out.Body.RunID, out.Body.Next = run.ID, next
	out.Body.Items = make([]EyesCustomer, len(ss))
	for i, sc := range ss {
		out.Body.Items[i] = customerItem(&sc)
	}
	if err := s.addContacts(ctx, a.OrgID, out.Body.Items); err != nil {
		return nil, err
	}
	return out, nil
}

// addContacts fills in the page's names and emails with one store lookup.
// Customers deleted since the run keep only their ID.
func (s *Server) addContacts(ctx context.Context, orgID string, items []EyesCustomer) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].CustomerID
	}
	cs, err := s.deps.Store.GetCustomers(ctx, orgID, ids)
	if err != nil {
		return fmt.Errorf("customers of eyes scores: %w", err)
	}
	byID := make(map[string]*omnify.Customer, len(cs))
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
	}
	for i := range items {
		if c := byID[items[i].CustomerID]; c != nil {
			items[i].Name, items[i].Email = c.Name, c.Email
		}
	}
	return nil
}

func customerItem(sc *omnify.EyesScore) EyesCustomer {
	reasons := sc.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return EyesCustomer{CustomerID: sc.CustomerID, SegmentID: sc.SegmentID, Segment: sc.SegmentName,
		Cluster: sc.Cluster, RFMSegment: sc.RFMSegment, Churn30: sc.Churn30, Churn60: sc.Churn60, Churn90: sc.Churn90,
		PAlive: sc.PAlive, ExpectedCLV: sc.ExpectedCLV, Reasons: reasons, X: sc.X, Y: sc.Y, Consent: string(sc.Consent)}
}

type exportInput struct {
	SegmentID string `path:"segment_id" maxLength:"100"`
}

// exportSegment streams the consented customers of a segment. Customers
// without granted marketing consent are never exported.
func (s *Server) exportSegment(ctx context.Context, in *exportInput) (*huma.StreamResponse, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	run, rep, err := s.latestRun(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if !hasSegment(rep, in.SegmentID) {
		return nil, fail(omnify.ErrNotFound, "no such segment in the latest EYES run")
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
		hc.SetHeader("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "segment-"+in.SegmentID+".csv"))
		if err := s.writeSegmentCSV(ctx, hc.BodyWriter(), a.OrgID, run.ID, in.SegmentID); err != nil {
			s.logInternal(ctx, fmt.Errorf("export segment %s: %w", in.SegmentID, err))
		}
	}}, nil
}

func hasSegment(rep *eyes.Result, id string) bool {
	for _, sg := range rep.Segments {
		if sg.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) writeSegmentCSV(ctx context.Context, w interface{ Write([]byte) (int, error) }, orgID, runID, segID string) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"customer_id", "email", "name", "segment", "churn_30", "churn_60", "churn_90", "p_alive", "expected_clv"})
	page := store.Page{Limit: store.MaxLimit}
	f := store.ScoreFilter{SegmentID: segID, ConsentedOnly: true}
	for {
		ss, next, err := s.deps.Store.ListEyesScores(ctx, orgID, runID, f, page)
		if err != nil {
			return err
		}
		for _, sc := range ss {
			if err := s.writeExportRow(ctx, cw, orgID, &sc); err != nil {
				return err
			}
		}
		cw.Flush()
		if next == "" || cw.Error() != nil {
			return cw.Error()
		}
		page.After = next
	}
}

func (s *Server) writeExportRow(ctx context.Context, cw *csv.Writer, orgID string, sc *omnify.EyesScore) error {
	c, err := s.deps.Store.GetCustomer(ctx, orgID, sc.CustomerID)
	if err != nil {
		return err
	}
	// The customer's consent may have changed since the run: the current
	// state decides.
	if c.Consent != omnify.ConsentGranted {
		return nil
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	return cw.Write([]string{sc.CustomerID, c.Email, c.Name, sc.SegmentName, f(sc.Churn30), f(sc.Churn60),
		f(sc.Churn90), f(sc.PAlive), f(sc.ExpectedCLV)})
}
