package limit

import "time"

// gcra computes one decision. tat is the key's theoretical arrival time (the
// zero time for an unknown key); cost 0 peeks. It returns the decision and
// the new tat to store when the request was allowed and cost > 0.
func gcra(now, tat time.Time, r Rate, cost int) (Decision, time.Time) {
	t := r.interval()
	burst := time.Duration(r.burst()) * t
	if tat.Before(now) {
		tat = now
	}
	// A peek asks whether one more request would pass, without taking it.
	probe := max(cost, 1)
	newTAT := tat.Add(time.Duration(probe) * t)
	allowAt := newTAT.Add(-burst)
	d := Decision{Limit: r.Limit}
	if now.Before(allowAt) {
		d.RetryAfter = allowAt.Sub(now)
		d.ResetAfter = tat.Sub(now)
		return d, tat
	}
	d.Allowed = true
	if cost == 0 {
		newTAT = tat
	}
	d.Remaining = int(now.Sub(newTAT.Add(-burst)) / t)
	d.ResetAfter = newTAT.Sub(now)
	return d, newTAT
}
