package shopifytest_test

import "time"

// fixedClock stops the bucket from refilling between requests.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}
