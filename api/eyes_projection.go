package api

import (
	"context"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/store"
)

// DefaultProjectionLimit is how many points the projection serves unless
// asked for another number.
const DefaultProjectionLimit = 20_000

type eyesProjectionInput struct {
	Limit int `query:"limit" minimum:"0" maximum:"200000" doc:"Most points to return; 0 means 20000. Larger runs are sampled so every segment keeps its share."`
}

// ProjectionSegment names a segment of the projection; points refer to it
// by its index in the list.
type ProjectionSegment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size int    `json:"size" doc:"Customers of the segment in the run, sampled or not."`
}

// EyesProjection is the 2-D PCA projection of the clustering features
// (the run computes it), as parallel arrays: point i is at (x[i], y[i]) in
// segments[segment[i]] and is customer customer_ids[i].
type EyesProjection struct {
	RunID       string              `json:"run_id"`
	Total       int                 `json:"total" doc:"Customers scored in the run."`
	Sampled     bool                `json:"sampled" doc:"True when fewer points than customers are returned."`
	Segments    []ProjectionSegment `json:"segments"`
	X           []float64           `json:"x"`
	Y           []float64           `json:"y"`
	Segment     []int               `json:"segment"`
	CustomerIDs []string            `json:"customer_ids"`
}

type eyesProjectionOutput struct{ Body EyesProjection }

func (s *Server) eyesProjection(ctx context.Context, in *eyesProjectionInput) (*eyesProjectionOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	run, rep, err := s.latestRun(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	all, err := s.allScores(ctx, a.OrgID, run.ID)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = DefaultProjectionLimit
	}
	return &eyesProjectionOutput{Body: projection(run.ID, rep, all, limit)}, nil
}

// allScores reads every score of a run, in customer order.
func (s *Server) allScores(ctx context.Context, orgID, runID string) ([]omnify.EyesScore, error) {
	var all []omnify.EyesScore
	p := store.Page{Limit: store.MaxLimit}
	for {
		ss, next, err := s.deps.Store.ListEyesScores(ctx, orgID, runID, store.ScoreFilter{}, p)
		if err != nil {
			return nil, fmt.Errorf("projection scores: %w", err)
		}
		all = append(all, ss...)
		if next == "" {
			return all, nil
		}
		p.After = next
	}
}

// projection lays out the scores as parallel arrays, sampled to limit.
func projection(runID string, rep *eyes.Result, all []omnify.EyesScore, limit int) EyesProjection {
	out := EyesProjection{RunID: runID, Total: len(all), Segments: []ProjectionSegment{}}
	index := map[string]int{}
	for i, sg := range rep.Segments {
		index[sg.ID] = i
		out.Segments = append(out.Segments, ProjectionSegment{ID: sg.ID, Name: sg.Name, Size: sg.Size})
	}
	seg := make([]int, len(all))
	for i, sc := range all {
		k, ok := index[sc.SegmentID]
		if !ok { // a segment the report does not list (e.g. noise) still shows
			k = len(out.Segments)
			index[sc.SegmentID] = k
			out.Segments = append(out.Segments, ProjectionSegment{ID: sc.SegmentID, Name: sc.SegmentName})
		}
		if k >= len(rep.Segments) {
			out.Segments[k].Size++
		}
		seg[i] = k
	}
	pick := eyes.SampleProjection(seg, limit)
	out.Sampled = len(pick) < len(all)
	out.X, out.Y = make([]float64, len(pick)), make([]float64, len(pick))
	out.Segment, out.CustomerIDs = make([]int, len(pick)), make([]string, len(pick))
	for j, i := range pick {
		out.X[j], out.Y[j] = round4(all[i].X), round4(all[i].Y)
		out.Segment[j], out.CustomerIDs[j] = seg[i], all[i].CustomerID
	}
	return out
}

// round4 keeps four decimals: plenty for a scatter, a third of the bytes.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
