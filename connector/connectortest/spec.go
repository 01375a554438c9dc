package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

// secretName matches credential names that must be marked x-secret.
var secretName = regexp.MustCompile(`(?i)(token|secret|password|passwd|api_?key|private_?key|credential)`)

// streamName is the shape of a stream name in URLs and the store.
var streamName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func testSpec(t *testing.T, h Harness) {
	spec := h.New().Spec()
	if spec.Platform == "" || spec.DisplayName == "" {
		t.Errorf("spec needs a platform and a display name, got %q and %q", spec.Platform, spec.DisplayName)
	}
	if _, err := json.Marshal(spec); err != nil {
		t.Errorf("spec does not encode as JSON: %v", err)
	}
	if err := manager.SpecProblems(spec); err != nil {
		t.Fatalf("spec schemas: %v", err)
	}
	props, _ := spec.Credentials["properties"].(map[string]any)
	secrets := manager.Secrets(spec)
	for name := range props {
		if secretName.MatchString(name) && !slices.Contains(secrets, name) {
			t.Errorf("credential %q looks secret but is not marked x-secret", name)
		}
	}
	c := h.Connection(t)
	if err := manager.Validate(spec, c.Credentials, c.Config); err != nil {
		t.Errorf("the harness's valid connection fails the spec: %v", err)
	}
}

func testStreams(t *testing.T, h Harness) {
	streams := h.New().Streams()
	if len(streams) == 0 {
		t.Fatal("connector has no streams")
	}
	seen := map[string]bool{}
	for _, s := range streams {
		if !streamName.MatchString(s.Name) || seen[s.Name] {
			t.Errorf("stream name %q is empty, malformed or repeated", s.Name)
		}
		seen[s.Name] = true
		if s.Incremental && s.CursorField == "" {
			t.Errorf("incremental stream %q has no cursor field", s.Name)
		}
		if s.Incremental != h.Features.Incremental[s.Name] {
			t.Errorf("stream %q: Streams says incremental=%v, Features says %v", s.Name, s.Incremental, h.Features.Incremental[s.Name])
		}
	}
	for name := range h.Features.Incremental {
		if !seen[name] {
			t.Errorf("Features names stream %q, which Streams does not list", name)
		}
	}
	for _, a := range h.New().Actions() {
		if a.Name == "" || a.Description == "" {
			t.Errorf("action %+v needs a name and a description", a)
		}
	}
}

func testCheck(t *testing.T, h Harness) {
	c := h.New()
	if err := c.Check(readCtx(t), h.Connection(t)); err != nil {
		t.Errorf("Check of a valid connection: %v", err)
	}
	if err := c.Check(readCtx(t), h.BadCredentials(t)); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("Check with refused credentials = %v, want connector.ErrAuth", err)
	}
	stream := c.Streams()[0].Name
	err := c.Read(readCtx(t), h.BadCredentials(t), stream, nil, &recorder{})
	if !errors.Is(err, connector.ErrAuth) {
		t.Errorf("Read with refused credentials = %v, want connector.ErrAuth", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Check(ctx, h.Connection(t)); err == nil {
		t.Errorf("Check with a cancelled context succeeded")
	}
}

func testUnknownStream(t *testing.T, h Harness) {
	err := h.New().Read(readCtx(t), h.Connection(t), "no_such_stream", nil, &recorder{})
	if !errors.Is(err, connector.ErrUnknownStream) {
		t.Errorf("Read of an unknown stream = %v, want connector.ErrUnknownStream", err)
	}
}
