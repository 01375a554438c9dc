package eyes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// pipeline carries one run's working state.
type pipeline struct {
	ctx         context.Context
	cfg         Config
	in          *Input
	res         *Result
	hist        *histories
	fs          *featureSpace
	asOfDay     int32
	firstDay    int32
	active      []int           // customers with an order on or before as-of
	feat        *cutoffFeatures // features at as-of, rows aligned with active
	churnSample []int
	cutoffs     map[int32]*cutoffFeatures
	churn       []churnScores
	labels      []int
	started     time.Time
	stepStart   time.Time
}

// Run executes the EYES pipeline over input. It returns an error only for
// unusable arguments (wrapping ErrBadInput) or a cancelled context; data too
// thin to analyse gives a Result whose Status is StatusNotEnoughData and whose
// Messages say which minimum was not met.
func Run(ctx context.Context, input Input, cfg Config) (*Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if input.AsOf.IsZero() {
		return nil, fmt.Errorf("%w: as-of date is required", ErrBadInput)
	}
	now := time.Now()
	p := &pipeline{ctx: ctx, cfg: cfg, in: &input, started: now, stepStart: now, cutoffs: map[int32]*cutoffFeatures{}}
	p.res = &Result{SchemaVersion: SchemaVersion, Status: StatusOK, AsOf: input.AsOf.UTC(), Seed: cfg.Seed,
		Horizons: sortedHorizons(cfg.Horizons), Config: cfg}
	steps := []struct {
		name string
		run  func() error
	}{
		{"load", p.load}, {"consent", p.consent}, {"features", p.features}, {"clustering", p.clustering},
		{"churn", p.churnModels}, {"segments", p.segments}, {"cross_platform", p.crossPlatform},
		{"insights", p.insights}, {"store", p.store},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("eyes run: %w", err)
		}
		err := s.run()
		p.lap(s.name)
		if errors.Is(err, errNotEnough) {
			p.finishThin()
			return p.res, nil
		}
		if err != nil {
			return nil, fmt.Errorf("eyes run: %s: %w", s.name, err)
		}
	}
	return p.res, nil
}

// errNotEnough stops the pipeline early with a not-enough-data result.
var errNotEnough = errors.New("not enough data")

func (p *pipeline) lap(step string) {
	now := time.Now()
	p.res.Timings = append(p.res.Timings, Timing{Step: step, Seconds: now.Sub(p.stepStart).Seconds()})
	p.stepStart = now
}

func (p *pipeline) say(format string, args ...any) {
	p.res.Messages = append(p.res.Messages, fmt.Sprintf(format, args...))
}

// validateInput refuses what no analysis should silently absorb: repeated
// customer IDs, empty IDs, and order amounts that are negative or not finite.
func validateInput(cs []Customer) error {
	seen := make(map[string]struct{}, len(cs))
	for i := range cs {
		c := &cs[i]
		if c.ID == "" {
			return fmt.Errorf("%w: customer %d has an empty id", ErrBadInput, i)
		}
		if _, dup := seen[c.ID]; dup {
			return fmt.Errorf("%w: customer id %q appears twice", ErrBadInput, c.ID)
		}
		seen[c.ID] = struct{}{}
		for k, o := range c.Orders {
			if !(o.Amount >= 0) || math.IsInf(o.Amount, 1) {
				return fmt.Errorf("%w: customer %q order %d: amount %v must be a finite number ≥ 0", ErrBadInput, c.ID, k, o.Amount)
			}
		}
	}
	return nil
}

func (p *pipeline) load() error {
	if err := validateInput(p.in.Customers); err != nil {
		return err
	}
	p.asOfDay = dayOf(p.in.AsOf)
	p.hist = buildHistories(p.in.Customers, p.asOfDay, p.cfg.Workers)
	d := &p.res.Data
	d.Customers = len(p.in.Customers)
	p.firstDay = p.asOfDay
	for i := 0; i < p.hist.n(); i++ {
		days, amts := p.hist.upTo(i, p.asOfDay)
		if len(days) == 0 {
			continue
		}
		p.active = append(p.active, i)
		p.firstDay = min(p.firstDay, days[0])
		d.Transactions += len(days)
		for _, a := range amts {
			d.Revenue += a
		}
	}
	d.ActiveCustomers = len(p.active)
	if len(p.active) > 0 {
		d.FirstOrder, d.LastOrder, d.HistoryDays = dayTime(p.firstDay), dayTime(p.lastDay()), int(p.asOfDay-p.firstDay)
	}
	if without := d.Customers - d.ActiveCustomers; without > 0 {
		p.say("%d customers have no order on or before %s and are left out of segments and churn scores", without, p.in.AsOf.Format(time.DateOnly))
	}
	return nil
}

func (p *pipeline) lastDay() int32 {
	last := p.firstDay
	for _, i := range p.active {
		d, _ := p.hist.upTo(i, p.asOfDay)
		last = max(last, d[len(d)-1])
	}
	return last
}

func (p *pipeline) consent() error {
	p.res.Consent = CountConsent(p.in.Customers)
	if n := p.res.Consent.Malformed; n > 0 {
		p.say("%d customers carry a consent value that is not granted, denied or unknown; they count as unknown and are never exported", n)
	}
	if len(p.active) < p.cfg.MinCustomers {
		p.say("not enough data: %d customers have orders on or before %s; segmentation and churn need at least %d",
			len(p.active), p.in.AsOf.Format(time.DateOnly), p.cfg.MinCustomers)
		return errNotEnough
	}
	return nil
}

func (p *pipeline) features() error {
	p.fs = newFeatureSpace(p.hist, p.in.Customers, p.cfg.Seed, p.cfg.Workers)
	p.res.Features = p.fs.names
	p.feat = p.fs.at(p.asOfDay, p.active, bgSample)
	if p.feat.bgErr != nil {
		p.say("the BG/NBD purchase model could not be fitted (%v); p_alive is 1 and expected purchases 0 for everyone", p.feat.bgErr)
	}
	return nil
}

func (p *pipeline) clustering() error {
	X, names := clusterMatrix(p.feat.X)
	rep, labels := runClustering(X, names, p.cfg)
	p.res.Clustering, p.labels, p.res.clusterX = rep, labels, X
	return nil
}

func (p *pipeline) churnModels() error {
	sample := sampleIndices(len(p.active), p.cfg.ChurnSample, p.cfg.Seed+3)
	p.churnSample = make([]int, len(sample))
	for k, s := range sample {
		p.churnSample[k] = p.active[s]
	}
	p.precomputeCutoffs()
	hs := p.res.Horizons
	for k, h := range hs {
		cs := p.churnFor(h, k == len(hs)-1)
		if !cs.card.Scored {
			p.say("%d-day churn was not scored: %s", h, cs.card.Reason)
		}
		p.churn = append(p.churn, cs)
		p.res.Churn = append(p.res.Churn, cs.card)
	}
	p.cutoffs = nil
	return nil
}

// finishThin completes a result that stopped at a data minimum.
func (p *pipeline) finishThin() {
	p.res.Status = StatusNotEnoughData
	p.res.Clustering = ClusteringReport{Chosen: "none", Band: "none", SilhouetteMode: "exact",
		Note: "not run: not enough data"}
	p.res.Gates = []Gate{{Name: "data_minimum", Threshold: float64(p.cfg.MinCustomers),
		Value: float64(len(p.active)), Passed: false, Note: "customers with at least one order"}}
	p.res.Insights.Findings = append(p.res.Insights.Findings, p.res.Messages...)
}
