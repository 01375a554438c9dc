//go:build no_ui

package web_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/web"
)

func TestNoUIHandlerIsNil(t *testing.T) {
	if web.Handler() != nil {
		t.Error("Handler() != nil in a no_ui build")
	}
}
