// Command e2evendor serves a fake Klaviyo account on loopback for the
// dashboard's browser tests. It prints one JSON line on stdout,
//
//	{"klaviyo":{"url":"http://127.0.0.1:PORT","api_key":"pk_…"},"inspect":"http://127.0.0.1:PORT2"}
//
// then serves until it is killed. The account is generated from a seed:
// -profiles profiles with emails customer0@example.com, customer1@…, about
// half of them subscribed to email marketing, the rest unsubscribed or never
// subscribed. The inspection server answers GET /_audience?list=NAME with
// the list's members and the consent each has at the vendor, so a test can
// check what a segment push put there.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "e2evendor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("e2evendor", flag.ContinueOnError)
	profiles := fs.Int("profiles", 300, "profiles in the fake Klaviyo account")
	seed := fs.Uint64("seed", 7, "seed of the generated account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profiles < 1 || *profiles > 100_000 {
		return fmt.Errorf("-profiles: %d is outside 1..100000", *profiles)
	}
	kl := klaviyotest.Start(klaviyotest.Options{Profiles: *profiles, Lists: 2, Segments: 2, Campaigns: 4,
		Events: *profiles, Seed: *seed, RateScale: 10})
	defer kl.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for inspection: %w", err)
	}
	srv := &http.Server{Handler: inspector(kl), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "e2evendor: inspection server:", err)
		}
	}()

	line, err := json.Marshal(announcement{
		Klaviyo: vendor{URL: kl.URL, APIKey: klaviyotest.Key},
		Inspect: "http://" + ln.Addr().String(),
	})
	if err != nil {
		return fmt.Errorf("encode announcement: %w", err)
	}
	fmt.Println(string(line))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

type announcement struct {
	Klaviyo vendor `json:"klaviyo"`
	Inspect string `json:"inspect"`
}

type vendor struct {
	URL    string `json:"url"`
	APIKey string `json:"api_key"`
}

// member is a person in a list, with their consent at the vendor.
type member struct {
	Email   string `json:"email"`
	Consent string `json:"consent"`
}

// inspector serves GET /_audience?list=NAME (a list's name or ID): 404
// when there is no such list, else its members sorted by email.
func inspector(kl *klaviyotest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_audience", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("list")
		if name == "" {
			http.Error(w, "list: required", http.StatusBadRequest)
			return
		}
		if len(kl.Lists(name)) == 0 && kl.Audience(name) == nil {
			http.Error(w, "list: no list named "+name, http.StatusNotFound)
			return
		}
		emails := kl.Audience(name)
		out := struct {
			List    string   `json:"list"`
			Members []member `json:"members"`
		}{List: name, Members: make([]member, 0, len(emails))}
		for _, e := range emails {
			out.Members = append(out.Members, member{Email: e, Consent: kl.EmailConsent(e)})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}
