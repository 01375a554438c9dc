package scaletest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

// TestIntegrationScaleOut runs two API replicas and two workers on one
// MongoDB, Redis and RabbitMQ: a sync started through replica A runs on a
// worker and its records are seen through replica B; a worker killed
// mid-sync loses and duplicates nothing.
func TestIntegrationScaleOut(t *testing.T) {
	requireEnv(t)
	started := time.Now()
	// Both subtests sync the same deterministic shop, so the uninterrupted
	// sync tells what the interrupted one must end with.
	shopOpts := shopifytest.Options{Customers: 25, Orders: 40, Seed: 7, BulkPolls: 1}
	shop := shopifytest.NewServer(t, shopOpts)
	c := newCluster(t, options{ShopifyURL: shop.URL})
	a, b := c.serve("api-a"), c.serve("api-b")
	w1, w2 := c.worker("worker-1"), c.worker("worker-2")
	t.Logf("four processes answering after %s", time.Since(started).Round(time.Millisecond))

	var want []string // the customers an uninterrupted sync stores
	t.Run("sync through A, run by a worker, seen through B", func(t *testing.T) {
		u := register(t, a, "sync@example.com")
		job := startSync(t, a, u, connectShop(t, a, u, "shpat_test"))
		waitJob(t, b, u, job, "succeeded", 60*time.Second)
		ran := map[string]bool{}
		for _, p := range []*proc{w1, w2, a, b} {
			ran[p.name] = p.logs.has("job succeeded", map[string]string{"job_id": job})
		}
		if ran["api-a"] || ran["api-b"] || ran["worker-1"] == ran["worker-2"] {
			t.Fatalf("processes that ran job %s: %v, want exactly one worker", job, ran)
		}
		want = checkSynced(t, c, b, u, shop)
	})

	t.Run("worker killed mid-sync", func(t *testing.T) {
		if want == nil {
			t.Skip("the uninterrupted sync failed")
		}
		// Every vendor answer is held, so the sync spans several of them
		// and the kill lands while the worker waits on the vendor.
		shop2 := shopifytest.NewServer(t, shopOpts)
		slow := newSlowVendor(t, shop2.URL, 300*time.Millisecond)
		kc := newCluster(t, options{ShopifyURL: slow.URL})
		ka := kc.serve("api-a")
		workers := []*proc{kc.worker("worker-1"), kc.worker("worker-2")}
		u := register(t, ka, "kill@example.com")
		job := startSync(t, ka, u, connectShop(t, ka, u, "shpat_test"))
		victim := holder(t, kc, u, job, workers, slow)
		victim.kill9(t)
		killed := time.Now()
		done := waitJob(t, ka, u, job, "succeeded", 90*time.Second)
		t.Logf("job finished %s after the kill -9 of %s", time.Since(killed).Round(time.Millisecond), victim.name)
		if done.Attempts != 2 {
			t.Fatalf("job succeeded after %d attempts, want 2 (one killed, one finished)", done.Attempts)
		}
		if got := checkSynced(t, kc, ka, u, shop2); !slices.Equal(got, want) {
			t.Fatalf("after the kill the customers are\n%v\nan uninterrupted sync stores\n%v", got, want)
		}
	})
	t.Logf("whole scale-out test took %s", time.Since(started).Round(time.Millisecond))
}

// TestIntegrationScaleOutOrgRateShared checks that an organisation's rate
// limit holds across replicas combined: with a burst of 15, 60 requests
// split over two replicas allow about 15 in all, not 15 each.
func TestIntegrationScaleOutOrgRateShared(t *testing.T) {
	const rate, burst, requests = 60, 15, 60 // burst is OMNIFY_ORG_RATE/4
	c := newCluster(t, options{OrgRate: rate})
	replicas := []*proc{c.serve("api-a"), c.serve("api-b")}
	u := register(t, replicas[0], "rate@example.com")

	start := time.Now()
	allowed, refused := fire(t, replicas, u, requests)
	elapsed := time.Since(start)
	total := allowed[0] + allowed[1]
	// GCRA refills one request per Period/Limit, so a slow run earns a few.
	most := burst + int(elapsed/(time.Minute/rate)) + 1
	t.Logf("%d requests in %s: allowed A=%d B=%d (total %d, at most %d), refused A=%d B=%d",
		requests, elapsed.Round(time.Millisecond), allowed[0], allowed[1], total, most, refused[0], refused[1])
	if total < burst || total > most {
		t.Fatalf("%d requests allowed across both replicas, want between %d and %d", total, burst, most)
	}
	if refused[0] == 0 || refused[1] == 0 {
		t.Fatalf("refused A=%d B=%d: each replica must see the shared budget run out", refused[0], refused[1])
	}
}

// fire sends n authenticated requests, alternating over the replicas from
// four goroutines, and counts answers per replica.
func fire(t *testing.T, replicas []*proc, u client, n int) (allowed, refused [2]int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				st, err := tryCall(t.Context(), replicas[i%2].url, "GET", "/v1/me", u.token, nil, nil)
				mu.Lock()
				switch {
				case err != nil:
					t.Errorf("request %d: %v", i, err)
				case st == http.StatusOK:
					allowed[i%2]++
				case st == http.StatusTooManyRequests:
					refused[i%2]++
				default:
					t.Errorf("request %d: status %d", i, st)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return allowed, refused
}

// connectShop connects the fake shop through p and returns the connection ID.
func connectShop(t *testing.T, p *proc, u client, token string) string {
	t.Helper()
	var conn struct {
		ID string `json:"id"`
	}
	body := map[string]any{"platform": "shopify", "sync_every_minutes": 0,
		"credentials": map[string]any{"shop": shopifytest.Shop, "access_token": token}}
	if st := call(t, p.url, "POST", "/v1/platforms/connect", u.token, body, &conn); st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("connect the shop through %s: status %d", p.name, st)
	}
	return conn.ID
}

// startSync starts a full sync through p and returns its job ID.
func startSync(t *testing.T, p *proc, u client, connID string) string {
	t.Helper()
	var run struct {
		JobID string `json:"job_id"`
	}
	// The fake shops hold no products; each stream costs a bulk export.
	body := map[string]any{"mode": "full", "streams": []string{"customers", "orders"}}
	st := call(t, p.url, "POST", "/v1/connections/"+connID+"/sync", u.token, body, &run)
	if st >= 300 || run.JobID == "" {
		t.Fatalf("start a sync through %s: status %d, job %q", p.name, st, run.JobID)
	}
	return run.JobID
}

// holder waits until one of the workers runs job, has stored some of its
// records and is waiting on the vendor, and returns that worker.
func holder(t *testing.T, c *cluster, u client, job string, workers []*proc, vendor *slowVendor) *proc {
	t.Helper()
	db := c.store()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		j, err := db.GetJob(t.Context(), u.orgID, job)
		if err != nil {
			t.Fatalf("get job: %v", err)
		}
		n, _ := db.CountCustomers(t.Context(), u.orgID)
		if j.Status == omnify.JobRunning && n > 0 && vendor.holding(100*time.Millisecond) {
			for _, w := range workers {
				if strings.Contains(j.LockedBy, fmt.Sprintf("-%d-", w.pid())) {
					t.Logf("%s holds the job with %d customers stored", w.name, n)
					return w
				}
			}
			t.Fatalf("job locked by %q, which is no worker", j.LockedBy)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s did not start storing records within 30s", job)
	return nil
}

// checkSynced compares what the store holds with the fake shop (every
// order once, none twice) and returns the customers the API lists through
// p, as sorted "email name" lines, each shop customer among them.
func checkSynced(t *testing.T, c *cluster, p *proc, u client, shop *shopifytest.Server) []string {
	t.Helper()
	var page struct {
		Items []struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"items"`
	}
	if st := call(t, p.url, "GET", "/v1/customers?limit=1000", u.token, nil, &page); st != http.StatusOK {
		t.Fatalf("list customers through %s: status %d", p.name, st)
	}
	// Guest orders add customers of their own, so there may be more.
	if least := len(shop.Records("customers")); len(page.Items) < least {
		t.Fatalf("%s lists %d customers, the shop has %d", p.name, len(page.Items), least)
	}
	customers := make([]string, 0, len(page.Items))
	for _, it := range page.Items {
		customers = append(customers, it.Email+" "+it.Name)
	}
	slices.Sort(customers)
	seen := map[string]int{}
	err := c.store().ScanOrders(t.Context(), u.orgID, func(o omnify.Order) error {
		seen[o.ID]++
		return nil
	})
	if err != nil {
		t.Fatalf("scan orders: %v", err)
	}
	if want := len(shop.Records("orders")); len(seen) != want {
		t.Fatalf("the store holds %d orders, the shop has %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("order %s stored %d times", id, n)
		}
	}
	return customers
}

// slowVendor sits in front of a fake vendor and holds every request for a
// while before passing it on. Killing a worker while one of its requests is
// held kills it between store writes, in the middle of a job.
type slowVendor struct {
	URL   string
	mu    sync.Mutex
	since map[int64]time.Time // arrival of each request in flight
	seq   int64
}

func newSlowVendor(t *testing.T, target string, hold time.Duration) *slowVendor {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	v := &slowVendor{since: map[int64]time.Time{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := v.arrive()
		defer v.leave(id)
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	v.URL = srv.URL
	return v
}

func (v *slowVendor) arrive() int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	v.since[v.seq] = time.Now()
	return v.seq
}

func (v *slowVendor) leave(id int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.since, id)
}

// holding reports whether a request has been held for at least d.
func (v *slowVendor) holding(d time.Duration) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, at := range v.since {
		if time.Since(at) >= d {
			return true
		}
	}
	return false
}
