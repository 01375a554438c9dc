package manager_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

func validationSpec() connector.Spec {
	return connector.Spec{
		Platform: "shop",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"token"},
			"properties": map[string]any{
				"token":  map[string]any{"type": "string", "x-secret": true, "pattern": `^tok_[a-z0-9]{4,}$`},
				"domain": map[string]any{"type": "string", "minLength": 3, "maxLength": 6},
				"email":  map[string]any{"type": "string", "format": "email"},
			},
		},
		Config: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"mode":  map[string]any{"type": "string", "enum": []string{"live", "test"}},
				"pages": map[string]any{"type": "integer", "minimum": 1, "maximum": 100},
				"flag":  map[string]any{"type": "boolean"},
			},
		},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", manager.MaxValueLen+1)
	tests := []struct {
		name   string
		creds  map[string]string
		config map[string]string
		field  string // "" when valid
	}{
		{"valid minimal", map[string]string{"token": "tok_abcd"}, nil, ""},
		{"valid full", map[string]string{"token": "tok_abcd", "domain": "añb", "email": "a@b.co"},
			map[string]string{"mode": "test", "pages": "100", "flag": "false"}, ""},
		{"optional left empty", map[string]string{"token": "tok_abcd", "domain": ""}, map[string]string{"pages": ""}, ""},
		{"required missing", map[string]string{}, nil, "body.credentials.token"},
		{"required empty", map[string]string{"token": ""}, nil, "body.credentials.token"},
		{"unknown credential", map[string]string{"token": "tok_abcd", "url": "http://169.254.169.254/"}, nil, "body.credentials.url"},
		{"unknown config", map[string]string{"token": "tok_abcd"}, map[string]string{"base_url": "http://x"}, "body.config.base_url"},
		{"pattern", map[string]string{"token": "TOK_ABCD"}, nil, "body.credentials.token"},
		{"pattern is a whole-value match", map[string]string{"token": "tok_abcd\n"}, nil, "body.credentials.token"},
		{"min length in characters", map[string]string{"token": "tok_abcd", "domain": "añ"}, nil, "body.credentials.domain"},
		{"max length in characters", map[string]string{"token": "tok_abcd", "domain": "abcdefg"}, nil, "body.credentials.domain"},
		{"email format", map[string]string{"token": "tok_abcd", "email": "not-an-email"}, nil, "body.credentials.email"},
		{"enum", map[string]string{"token": "tok_abcd"}, map[string]string{"mode": "sandbox"}, "body.config.mode"},
		{"integer syntax", map[string]string{"token": "tok_abcd"}, map[string]string{"pages": "1.5"}, "body.config.pages"},
		{"integer minimum", map[string]string{"token": "tok_abcd"}, map[string]string{"pages": "0"}, "body.config.pages"},
		{"integer maximum", map[string]string{"token": "tok_abcd"}, map[string]string{"pages": "101"}, "body.config.pages"},
		{"boolean", map[string]string{"token": "tok_abcd"}, map[string]string{"flag": "yes"}, "body.config.flag"},
		{"oversized value", map[string]string{"token": "tok_abcd", "domain": long}, nil, "body.credentials.domain"},
		{"invalid utf-8", map[string]string{"token": "tok_abcd", "domain": "a\xffb"}, nil, "body.credentials.domain"},
		{"credentials reported before config", map[string]string{"token": "bad"}, map[string]string{"flag": "maybe"}, "body.credentials.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := manager.Validate(validationSpec(), tt.creds, tt.config)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *omnify.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, omnify.ErrInvalid) {
				t.Fatalf("Validate = %v, want a field error", err)
			}
			mustEqual(t, "field", fe.Field, tt.field)
			for _, v := range tt.creds {
				if len(v) > 3 && strings.Contains(fe.Message, v) {
					t.Errorf("message %q repeats the value", fe.Message)
				}
			}
		})
	}
}

func TestSpecProblems(t *testing.T) {
	t.Parallel()
	prop := func(p map[string]any) connector.Spec {
		return connector.Spec{Platform: "x", Credentials: map[string]any{"type": "object",
			"properties": map[string]any{"f": p}}}
	}
	tests := []struct {
		name string
		spec connector.Spec
		bad  bool
	}{
		{"fine", validationSpec(), false},
		{"empty schemas", connector.Spec{Platform: "x"}, false},
		{"url format refused", prop(map[string]any{"type": "string", "format": "uri"}), true},
		{"url format spelled url", prop(map[string]any{"type": "string", "format": "url"}), true},
		{"unknown format", prop(map[string]any{"type": "string", "format": "hostname"}), true},
		{"unknown keyword", prop(map[string]any{"type": "string", "oneOf": []any{}}), true},
		{"array type", prop(map[string]any{"type": "array"}), true},
		{"missing type", prop(map[string]any{"pattern": "a"}), true},
		{"bad pattern", prop(map[string]any{"type": "string", "pattern": "("}), true},
		{"object type must be object", connector.Spec{Credentials: map[string]any{"type": "string"}}, true},
		{"additional properties allowed", connector.Spec{Credentials: map[string]any{"type": "object", "additionalProperties": true}}, true},
		{"required names a missing property", connector.Spec{Config: map[string]any{"type": "object", "required": []string{"nope"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := manager.SpecProblems(tt.spec)
			if tt.bad != (err != nil) {
				t.Fatalf("SpecProblems = %v, want bad=%v", err, tt.bad)
			}
			if tt.bad && !errors.Is(err, manager.ErrBadSpec) {
				t.Fatalf("SpecProblems = %v, want ErrBadSpec", err)
			}
			if verr := manager.Validate(tt.spec, nil, nil); tt.bad && !errors.Is(verr, manager.ErrBadSpec) {
				t.Fatalf("Validate with a bad spec = %v, want ErrBadSpec (fail closed)", verr)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	got := manager.Secrets(validationSpec())
	if len(got) != 1 || got[0] != "token" {
		t.Fatalf("Secrets = %v, want [token]", got)
	}
}

func TestWrappedCallsAreValidatedBeforeTheVendor(t *testing.T) {
	t.Parallel()
	s := &scripted{}
	m := manager.Wrap(s, manager.Options{})
	bad := conn("c1")
	bad.Credentials["token"] = "nope"
	err := m.Check(context.Background(), bad)
	if !errors.Is(err, connector.ErrInvalidConfig) || !errors.Is(err, omnify.ErrInvalid) {
		t.Fatalf("Check = %v, want ErrInvalidConfig and a field error", err)
	}
	err = m.Read(context.Background(), bad, "items", nil, &collector{})
	if !errors.Is(err, connector.ErrInvalidConfig) {
		t.Fatalf("Read = %v, want ErrInvalidConfig", err)
	}
	err = m.Read(context.Background(), conn("c1"), "nope", nil, &collector{})
	if !errors.Is(err, connector.ErrUnknownStream) {
		t.Fatalf("Read of an unknown stream = %v, want ErrUnknownStream", err)
	}
	mustEqual(t, "vendor calls", s.checks()+s.readCalls, 0)
	mustEqual(t, "health", m.Health("c1").State, manager.Unknown)
}
