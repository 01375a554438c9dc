package classify_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/ml/classify"
)

// cpuTime is the process's user+system CPU time. Benchmarks report it per
// op next to wall time because the CI host is shared: wall time on a busy
// machine says little, CPU time divided by cores says what an idle one does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports CPU seconds per op.
func measure(b *testing.B, op func()) {
	b.Helper()
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		op()
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkFitGBT200kx12(b *testing.B) {
	X, y := synthetic(200_000, 12, 1, 11)
	measure(b, func() {
		if _, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 200}); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkGBTPredictProba1M(b *testing.B) {
	X, y := synthetic(200_000, 12, 1, 11)
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 200})
	if err != nil {
		b.Fatal(err)
	}
	big, _ := synthetic(1_000_000, 12, 1, 12)
	measure(b, func() {
		if p := m.PredictProba(big); len(p) != big.Rows {
			b.Fatal("short prediction")
		}
	})
}

func BenchmarkFitLogistic1Mx12(b *testing.B) {
	X, y := synthetic(1_000_000, 12, 1, 13)
	measure(b, func() {
		if _, err := classify.FitLogistic(X, y, classify.DefaultLogisticConfig()); err != nil {
			b.Fatal(err)
		}
	})
}
