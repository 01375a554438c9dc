package linkedin_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
)

func members(n int, prefix string) []connector.Member {
	out := make([]connector.Member, n)
	for i := range out {
		out[i] = connector.Member{CustomerID: fmt.Sprintf("%s-%d", prefix, i), Email: fmt.Sprintf("%s.%d@Example.com ", prefix, i),
			FirstName: "Ann", LastName: "Lee"}
	}
	return out
}

// hashes is what LinkedIn should hold for members: hex SHA-256 of the
// trimmed, lower-cased email, computed here independently.
func hashes(ms []connector.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(m.Email))))
		out[i] = hex.EncodeToString(sum[:])
	}
	slices.Sort(out)
	return out
}

func pushConn(srv *linkedintest.Server) connector.Connection {
	conn := srv.Connection()
	conn.Config["dmp_source_platform"] = "OMNIFY_PARTNER"
	return conn
}

// push runs Push like the push engine: a back-off is waited out on the
// fake's clock and the whole batch is repeated.
func push(t *testing.T, c *linkedin.Connector, srv *linkedintest.Server, conn connector.Connection, req connector.PushRequest) (connector.PushResult, []*connector.BackOffError) {
	t.Helper()
	var backs []*connector.BackOffError
	for range 5 {
		res, err := c.Push(context.Background(), conn, req)
		var bo *connector.BackOffError
		if !errors.As(err, &bo) {
			if err != nil {
				t.Fatalf("push: %v", err)
			}
			return res, backs
		}
		backs = append(backs, bo)
		srv.Advance(bo.Wait)
	}
	t.Fatal("push still backing off after 5 attempts")
	return connector.PushResult{}, nil
}

// The first push creates the audience, waits out LinkedIn's settling time
// and streams the members in batches of 5,000; a repeat changes nothing.
func TestPushCreatesAudienceAndBatches(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := pushConn(srv)
	add := members(12001, "vip")
	req := connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "VIP customers", Add: add}
	res, backs := push(t, c, srv, conn, req)
	if len(backs) != 1 || backs[0].Wait < linkedin.SegmentSettle {
		t.Errorf("back-offs %v, want one for the new segment to settle", backs)
	}
	if res.Added != len(add) || res.Removed != 0 || len(res.Failed) != 0 || res.DestinationID == "" {
		t.Fatalf("result %+v", res)
	}
	if got := srv.Audience("VIP customers"); !slices.Equal(got, hashes(add)) {
		t.Fatalf("audience holds %d hashes, want the %d members' hashes", len(got), len(add))
	}
	if n := srv.Stats().ByPath["dmpSegmentUsers"]; n != 3 {
		t.Errorf("%d user batches for %d members, want 3 of at most %d", n, len(add), linkedin.MaxUserBatch)
	}
	again, backs := push(t, c, srv, conn, req)
	if len(backs) != 0 || again.DestinationID != res.DestinationID || again.Added != len(add) {
		t.Errorf("repeat: %+v after %d back-offs", again, len(backs))
	}
	if got := srv.Audience(res.DestinationID); len(got) != len(add) {
		t.Errorf("repeat left %d members, want %d", len(got), len(add))
	}
	if n := srv.Counts().Segments; n != 3 {
		t.Errorf("%d segments after two pushes, want the 2 seeded plus 1", n)
	}
}

// Plain emails never reach LinkedIn: only their hashes do.
func TestPushSendsNoPlaintextEmail(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	id := srv.AddSegment("Lapsed")
	c := linkedin.New(linkedin.WithClock(srv.Now))
	add, remove := members(40, "lapsed"), members(10, "gone")
	_, _ = push(t, c, srv, pushConn(srv), connector.PushRequest{Action: linkedin.ActionAddToAudience,
		Destination: fmt.Sprint(id), Add: add, Remove: remove})
	all := append(add, remove...)
	received := srv.Received()
	if len(received) == 0 {
		t.Fatal("the fake received nothing")
	}
	for _, body := range received {
		if bytes.Contains(body, []byte("@")) || bytes.Contains(body, []byte("%40")) {
			t.Fatalf("LinkedIn received something with an @: %.200s", body)
		}
		for _, m := range all {
			local := strings.ToLower(strings.SplitN(strings.TrimSpace(m.Email), "@", 2)[0])
			if bytes.Contains(bytes.ToLower(body), []byte(local+"@")) || bytes.Contains(body, []byte(m.FirstName)) {
				t.Fatalf("LinkedIn received %s's email or name", m.CustomerID)
			}
		}
	}
	if got := srv.Audience("Lapsed"); !slices.Equal(got, hashes(add)) {
		t.Errorf("audience holds %d hashes, want %d", len(got), len(add))
	}
}

func TestPushRemovesAndReportsFailures(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	srv.AddSegment("Churn risk")
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := pushConn(srv)
	all := members(20, "r")
	if res, _ := push(t, c, srv, conn, connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "Churn risk", Add: all}); res.Added != 20 {
		t.Fatalf("add: %+v", res)
	}
	refused := members(1, "refused")[0]
	srv.RejectUsers(hashes([]connector.Member{refused})[0])
	noEmail := connector.Member{CustomerID: "no-email", Phone: "+15550100"}
	badEmail := connector.Member{CustomerID: "bad-email", Email: "not an email"}
	req := connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "Churn risk",
		Add: []connector.Member{refused, noEmail, badEmail}, Remove: all[10:], // removing absent ones is fine too
	}
	req.Remove = append(req.Remove, members(2, "never")...)
	res, _ := push(t, c, srv, conn, req)
	if res.Removed != 12 || res.Added != 0 {
		t.Errorf("result %+v, want 12 removed", res)
	}
	failed := map[string]string{}
	for _, f := range res.Failed {
		failed[f.CustomerID] = f.Reason
	}
	for _, id := range []string{refused.CustomerID, "no-email", "bad-email"} {
		if !strings.HasPrefix(failed[id], "LinkedIn") {
			t.Errorf("failure of %s: %q, want a LinkedIn reason", id, failed[id])
		}
	}
	if got := srv.Audience("Churn risk"); !slices.Equal(got, hashes(all[:10])) {
		t.Errorf("audience holds %d, want the first 10", len(got))
	}
}

// LinkedIn's per-minute limit on DMP streaming answers 429: Push returns a
// back-off, and the repeat sends only what LinkedIn has not confirmed, so a
// push larger than a minute's allowance still finishes.
func TestPushThrottled(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{DMPPerMinute: 2})
	srv.AddSegment("Winback")
	c := linkedin.New(linkedin.WithClock(srv.Now))
	add := members(3*linkedin.MaxUserBatch+1, "w") // 4 batches
	_, err := c.Push(context.Background(), pushConn(srv), connector.PushRequest{Action: linkedin.ActionAddToAudience,
		Destination: "Winback", Add: add})
	var bo *connector.BackOffError
	if !errors.As(err, &bo) || bo.Wait != time.Minute {
		t.Fatalf("second batch in a minute = %v, want a one-minute back-off", err)
	}
	srv.Advance(bo.Wait)
	srv.ResetStats()
	res, backs := push(t, c, srv, pushConn(srv), connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "Winback", Add: add})
	if res.Added != len(add) || len(srv.Audience("Winback")) != len(add) || len(backs) != 0 {
		t.Errorf("after waiting: added %d, %d back-offs", res.Added, len(backs))
	}
	if n := srv.Stats().ByPath["dmpSegmentUsers"]; n != 2 {
		t.Errorf("the repeat sent %d batches, want the 2 LinkedIn had not taken", n)
	}
}

func TestPushRefusesBadRequests(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Accounts: 2})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	for _, tc := range []struct {
		name  string
		conn  func() connector.Connection
		req   connector.PushRequest
		field string
		want  error
	}{
		{"unknown action", func() connector.Connection { return pushConn(srv) },
			connector.PushRequest{Action: "add_to_list", Destination: "x"}, "action", nil},
		{"no destination", func() connector.Connection { return pushConn(srv) },
			connector.PushRequest{Action: linkedin.ActionAddToAudience}, "destination", nil},
		{"two accounts, none chosen", func() connector.Connection { return pushConn(srv) },
			connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "New"}, "audience_account_id", connector.ErrInvalidConfig},
		{"no source platform", func() connector.Connection {
			conn := srv.Connection()
			conn.Config["audience_account_id"] = fmt.Sprint(srv.AccountIDs()[1])
			return conn
		}, connector.PushRequest{Action: linkedin.ActionAddToAudience, Destination: "New"}, "dmp_source_platform", connector.ErrInvalidConfig},
	} {
		_, err := c.Push(context.Background(), tc.conn(), tc.req)
		var fe *omnify.FieldError
		switch {
		case tc.want != nil && (!errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.field)):
			t.Errorf("%s: %v, want %v naming %s", tc.name, err, tc.want, tc.field)
		case tc.want == nil && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: %v, want a field error on %s", tc.name, err, tc.field)
		}
	}
}
