package jobs_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/jobs/queuetest"
)

// The embedded queue: workers poll the store.
func TestQueueConformance(t *testing.T) {
	queuetest.Run(t, func(*testing.T) queuetest.Setup { return queuetest.Setup{} })
}

// The transport path of the runner, over an in-process broker.
func TestQueueConformanceMemBroker(t *testing.T) {
	queuetest.Run(t, func(*testing.T) queuetest.Setup {
		b := queuetest.NewMemBroker()
		return queuetest.Setup{
			Open:        func(*testing.T) jobs.Transport { return b.Open() },
			DeadLetters: func(*testing.T) int { return b.DeadLetters() },
		}
	})
}
