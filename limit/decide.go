package limit

import "time"

// Decide is one GCRA step, exported so backends that keep state elsewhere
// (a shared Redis) reach exactly the decisions Memory reaches. tat is the
// key's stored theoretical arrival time (zero for an unknown key); cost 0
// peeks. It returns the decision and the tat to store when the request was
// allowed and cost > 0.
func Decide(now, tat time.Time, r Rate, cost int) (Decision, time.Time) {
	return gcra(now, tat, r, cost)
}

// Interval is how long one request's worth of budget takes to come back.
func (r Rate) Interval() time.Duration { return r.interval() }

// EffectiveBurst is the burst r enforces (Limit when Burst ≤ 0).
func (r Rate) EffectiveBurst() int { return r.burst() }
