package jobs_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/jobs/queuetest"
)

// The embedded queue: workers poll the store.
func TestQueueConformance(t *testing.T) {
	queuetest.Run(t, func(*testing.T) queuetest.Setup { return queuetest.Setup{} })
}
