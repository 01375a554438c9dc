package main

import (
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
)

// registerJobs gives the runner a handler for every job kind this binary
// knows and returns the EYES service the API starts runs with.
func registerJobs(a *app) {
	a.eyes = &eyesrun.Service{Store: a.store, Jobs: a.jobs}
	a.jobs.Handle(eyesrun.JobKind, a.eyes.Handle)
}
