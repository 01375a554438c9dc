package eyes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

func identicalCustomersCSV(n int) string {
	var b strings.Builder
	b.WriteString("customer_id,order_date,amount\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "c%03d,2024-03-01,20\nc%03d,2024-05-01,20\n", i, i)
	}
	return b.String()
}

// TestRunCSVBadInput covers every kind of unusable file end to end: each
// gives an error naming the line or a result naming the minimum not met,
// never a panic and never NaN.
func TestRunCSVBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, csv string
		wantErr   string // substring of the error; empty when a result is expected
		wantMsg   string // substring of a result message
		status    string
	}{
		{name: "unparseable date", csv: "customer_id,order_date,amount\nc1,yesterday,5\n", wantErr: "line 2: order_date"},
		{name: "negative amount", csv: "customer_id,order_date,amount\nc1,2024-01-01,5\nc1,2024-01-02,-1\n", wantErr: "line 3: amount"},
		{name: "non-numeric amount", csv: "customer_id,order_date,amount\nc1,2024-01-01,5 USD\n", wantErr: "line 2: amount"},
		{name: "missing column", csv: "customer_id,amount\nc1,5\n", wantErr: "missing required column(s) order_date"},
		{name: "duplicate header", csv: "customer_id,order_date,order_date,amount\nc1,2024-01-01,2024-01-01,5\n", wantErr: "duplicate column"},
		{name: "empty file", csv: "", wantErr: "empty file"},
		{name: "one customer", csv: "customer_id,order_date,amount\nc1,2024-01-01,5\nc1,2024-02-01,7\n",
			wantMsg: "need at least 50", status: eyes.StatusNotEnoughData},
		{name: "all customers identical", csv: identicalCustomersCSV(80), wantMsg: "not scored", status: eyes.StatusOK},
		{name: "malformed consent", csv: strings.Replace(strings.Replace(identicalCustomersCSV(80), "amount\n", "amount,consent\n", 1),
			"c005,2024-03-01,20\n", "c005,2024-03-01,20,perhaps\n", 1), wantMsg: "first on line 12", status: eyes.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := eyes.RunCSV(context.Background(), strings.NewReader(tc.csv), mustDate(t, "2024-06-30"), eyes.Config{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustCleanOutputs(t, res)
			if res.Status != tc.status || !strings.Contains(strings.Join(res.Messages, "\n"), tc.wantMsg) {
				t.Errorf("status %s messages %q, want %s and a message containing %q", res.Status, res.Messages, tc.status, tc.wantMsg)
			}
		})
	}
}
