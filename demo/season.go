package demo

import "time"

// Month-of-year purchase intensity (January first): a slow start to the
// year, a summer dip and the November-December peak of e-commerce.
var monthProfile = [12]float64{0.82, 0.8, 0.92, 0.95, 1.0, 0.92, 0.88, 0.92, 0.98, 1.05, 1.5, 1.75}

// Gift buyers shop almost only for the holidays.
var holidayProfile = [12]float64{0.25, 0.3, 0.25, 0.2, 0.35, 0.2, 0.2, 0.2, 0.25, 0.4, 3.2, 4.5}

// Day-of-week intensity (Sunday first): online orders lean to Sunday and
// Monday evenings.
var weekdayProfile = [7]float64{1.15, 1.1, 1.0, 0.98, 0.95, 0.9, 0.92}

// season is a purchase-intensity profile over calendar time.
type season struct {
	month *[12]float64
	peak  float64 // the largest intensity, for thinning
	mean  float64 // the average intensity, so thinning keeps mean rates
}

var (
	ordinarySeason = newSeason(&monthProfile)
	holidaySeason  = newSeason(&holidayProfile)
)

func newSeason(month *[12]float64) season {
	maxMonth, maxDay, sumMonth, sumDay := 0.0, 0.0, 0.0, 0.0
	for _, v := range month {
		maxMonth, sumMonth = max(maxMonth, v), sumMonth+v
	}
	for _, v := range weekdayProfile {
		maxDay, sumDay = max(maxDay, v), sumDay+v
	}
	return season{month: month, peak: maxMonth * maxDay, mean: sumMonth / 12 * sumDay / 7}
}

// intensity returns the relative purchase intensity at t.
func (s season) intensity(t time.Time) float64 {
	return s.month[t.Month()-1] * weekdayProfile[t.Weekday()]
}

// accept thins a candidate event at t: it is kept with probability
// intensity(t)/peak.
func (s season) accept(st *stream, t time.Time) bool {
	return st.Float64()*s.peak < s.intensity(t)
}
