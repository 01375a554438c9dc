package api_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/omnifytest"
)

// TestPathParametersDocumented checks that every {param} of every path is
// declared on its operation, so generated clients can fill it.
func TestPathParametersDocumented(t *testing.T) {
	srv := omnifytest.NewServer(t)
	for _, o := range operations(t, srv) {
		declared := map[string]bool{}
		for _, p := range o.op.Parameters {
			if p.In == "path" {
				declared[p.Name] = true
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s %s does not declare path parameter %q", o.method, o.path, m[1])
			}
		}
	}
}
