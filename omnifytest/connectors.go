package omnifytest

import (
	"context"
	"fmt"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/syncer"
)

// WithConnectors registers the connectors, builds a syncer and a segment
// push engine over the test server's store and job runner (sync and push
// jobs run when the test calls Jobs.RunOne) and gives them to the API. Synced records go to sink; nil
// discards them. The master key is fresh for each server.
func WithConnectors(sink syncer.Sink, cs ...connector.Connector) Option {
	return WithConnectorsAt(sink, nil, cs...)
}

// WithConnectorsAt is WithConnectors with base-URL overrides per platform,
// pointing connectors at fake vendor servers.
func WithConnectorsAt(sink syncer.Sink, baseURLs map[string]string, cs ...connector.Connector) Option {
	return WithDeps(func(d *api.Deps) {
		reg := connector.NewRegistry()
		for _, c := range cs {
			if err := reg.Register(c); err != nil {
				panic(fmt.Sprintf("omnifytest: %v", err))
			}
		}
		if sink == nil {
			sink = discardSink{}
		}
		s, err := syncer.New(syncer.Config{Store: d.Store, Registry: reg, Sink: sink, Box: newBox(),
			BaseURLs: baseURLs, Jobs: d.Jobs, Now: d.Now, Logger: d.Logger})
		if err != nil {
			panic(fmt.Sprintf("omnifytest: %v", err))
		}
		d.Jobs.Handle(syncer.JobKind, s.Handle)
		d.Connectors, d.Syncer = reg, s
		p, err := push.New(push.Config{Store: d.Store, Registry: reg, Credentials: s, Jobs: d.Jobs,
			BaseURLs: baseURLs, Now: d.Now, Logger: d.Logger})
		if err != nil {
			panic(fmt.Sprintf("omnifytest: %v", err))
		}
		d.Jobs.Handle(push.JobKind, p.Handle)
		d.Push = p
	})
}

func newBox() *secret.Box {
	key, err := secret.NewKey()
	if err == nil {
		var box *secret.Box
		if box, err = secret.New(key); err == nil {
			return box
		}
	}
	panic(fmt.Sprintf("omnifytest: master key: %v", err))
}

type discardSink struct{}

func (discardSink) Store(context.Context, string, string, string, []connector.Record) error {
	return nil
}
