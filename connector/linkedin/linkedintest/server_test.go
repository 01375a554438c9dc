package linkedintest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
)

// call sends one request with the given headers and returns status, body
// and headers.
func call(t *testing.T, method, u string, hdr map[string]string, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return res.StatusCode, out, res.Header
}

// token gets an access token from the fake's OAuth endpoint.
func token(t *testing.T, srv *linkedintest.Server) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {linkedintest.RefreshToken},
		"client_id": {linkedintest.ClientID}, "client_secret": {linkedintest.ClientSecret}}
	st, out, _ := call(t, http.MethodPost, srv.URL+"/oauth/v2/accessToken",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
	if st != 200 {
		t.Fatalf("token: %d %v", st, out)
	}
	return out["access_token"].(string)
}

func headers(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok, "LinkedIn-Version": "202609", "X-Restli-Protocol-Version": "2.0.0"}
}

func TestGateRefusesLikeLinkedIn(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	tok := token(t, srv)
	u := srv.URL + "/rest/adAccounts?q=search"
	without := func(k string) map[string]string { h := headers(tok); delete(h, k); return h }
	with := func(k, v string) map[string]string { h := headers(tok); h[k] = v; return h }
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"ok", headers(tok), 200, ""},
		{"no token", without("Authorization"), 401, "INVALID_ACCESS_TOKEN"},
		{"unknown token", with("Authorization", "Bearer nope"), 401, "INVALID_ACCESS_TOKEN"},
		{"no version", without("LinkedIn-Version"), 400, "VERSION_MISSING"},
		{"malformed version", with("LinkedIn-Version", "2026-09"), 400, "INVALID_VERSION"},
		{"sunset version", with("LinkedIn-Version", "202501"), 426, "NONEXISTENT_VERSION"},
		{"future version", with("LinkedIn-Version", "202701"), 426, "NONEXISTENT_VERSION"},
		{"Rest.li 1.0", without("X-Restli-Protocol-Version"), 400, "ILLEGAL_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out, _ := call(t, http.MethodGet, u, tc.hdr, "")
			if st != tc.status || (tc.code != "" && out["code"] != tc.code) {
				t.Errorf("got %d %v, want %d %s", st, out, tc.status, tc.code)
			}
			if tc.code != "" && out["status"] != float64(tc.status) {
				t.Errorf("error body status %v, want %d", out["status"], tc.status)
			}
		})
	}
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{TokenTTL: time.Hour})
	form := func(mut func(url.Values)) string {
		v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {linkedintest.RefreshToken},
			"client_id": {linkedintest.ClientID}, "client_secret": {linkedintest.ClientSecret}}
		mut(v)
		return v.Encode()
	}
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		name   string
		mut    func(url.Values)
		status int
		errc   string
	}{
		{"ok", func(url.Values) {}, 200, ""},
		{"wrong grant", func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "x") }, 401, "invalid_client"},
		{"wrong refresh token", func(v url.Values) { v.Set("refresh_token", "x") }, 400, "invalid_request"},
	} {
		st, out, _ := call(t, http.MethodPost, srv.URL+"/oauth/v2/accessToken", hdr, form(tc.mut))
		if st != tc.status || (tc.errc != "" && out["error"] != tc.errc) {
			t.Errorf("%s: got %d %v", tc.name, st, out)
		}
	}
	tok := token(t, srv)
	srv.Advance(2 * time.Hour)
	if st, _, _ := call(t, http.MethodGet, srv.URL+"/rest/adAccounts?q=search", headers(tok), ""); st != 401 {
		t.Errorf("expired token answered %d, want 401", st)
	}
}

func TestRestliParsingIsStrict(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Accounts: 2})
	tok := token(t, srv)
	acc := srv.AccountIDs()[0]
	base := srv.URL + "/rest/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&fields=impressions,pivotValues"
	dr := "&dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:20))"
	for _, tc := range []struct {
		name, query string
		status      int
	}{
		{"encoded URN", dr + fmt.Sprintf("&accounts=List(urn%%3Ali%%3AsponsoredAccount%%3A%d)", acc), 200},
		{"bare colons in URN", dr + fmt.Sprintf("&accounts=List(urn:li:sponsoredAccount:%d)", acc), 400},
		{"encoded structure", dr + fmt.Sprintf("&accounts=List%%28urn%%3Ali%%3AsponsoredAccount%%3A%d%%29", acc), 400},
		{"no dateRange", fmt.Sprintf("&accounts=List(urn%%3Ali%%3AsponsoredAccount%%3A%d)", acc), 400},
		{"bad date", "&dateRange=(start:(year:2026,month:2,day:30))" + fmt.Sprintf("&accounts=List(urn%%3Ali%%3AsponsoredAccount%%3A%d)", acc), 400},
		{"wrong URN type", dr + "&accounts=List(urn%3Ali%3AsponsoredCampaign%3A1)", 400},
	} {
		st, out, _ := call(t, http.MethodGet, base+tc.query, headers(tok), "")
		if st != tc.status {
			t.Errorf("%s: got %d %v, want %d", tc.name, st, out, tc.status)
		}
	}
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw  string
		want string // fmt of the parsed value; "" = error
	}{
		{"List(a,b)", "[a b]"},
		{"(status:(values:List(ACTIVE,PAUSED)))", "map[status:map[values:[ACTIVE PAUSED]]]"},
		{"List(urn%3Ali%3Ashare%3A1)", "[urn:li:share:1]"},
		{"List()", "[]"},
		{"List(a", ""},
		{"(a:b", ""},
		{"(a)", ""},
		{"a:b", ""},
		{"List(a,)", ""},
	} {
		v, err := linkedintest.ParseValue(tc.raw)
		got := ""
		if err == nil {
			got = fmt.Sprint(v)
		}
		if got != tc.want {
			t.Errorf("ParseValue(%q) = %q (%v), want %q", tc.raw, got, err, tc.want)
		}
	}
}

// A page that comes out exactly full still carries a token, and the next
// page is empty with none, as LinkedIn's cursor finders do.
func TestCursorPagesEndWithEmptyPage(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Campaigns: 10})
	tok := token(t, srv)
	base := fmt.Sprintf("%s/rest/adAccounts/%d/adCampaigns?q=search&pageSize=5", srv.URL, srv.AccountIDs()[0])
	var sizes []int
	u := base
	for range 5 {
		st, out, _ := call(t, http.MethodGet, u, headers(tok), "")
		if st != 200 {
			t.Fatalf("page: %d %v", st, out)
		}
		sizes = append(sizes, len(out["elements"].([]any)))
		next, _ := out["metadata"].(map[string]any)["nextPageToken"].(string)
		if next == "" {
			break
		}
		u = base + "&pageToken=" + next
	}
	if fmt.Sprint(sizes) != "[5 5 0]" {
		t.Errorf("page sizes %v, want [5 5 0]", sizes)
	}
	if st, _, _ := call(t, http.MethodGet, base+"&pageToken=garbage", headers(tok), ""); st != 400 {
		t.Errorf("garbage page token answered %d, want 400", st)
	}
	if st, _, _ := call(t, http.MethodGet, strings.Replace(base, "pageSize=5", "pageSize=1001", 1), headers(tok), ""); st != 400 {
		t.Errorf("pageSize 1001 answered %d, want 400", st)
	}
	creatives := fmt.Sprintf("%s/rest/adAccounts/%d/creatives?q=criteria&pageSize=", srv.URL, srv.AccountIDs()[0])
	if st, _, _ := call(t, http.MethodGet, creatives+"101", headers(tok), ""); st != 400 {
		t.Errorf("creatives pageSize 101 answered %d, want 400", st)
	}
	if st, _, _ := call(t, http.MethodGet, creatives+"100", headers(tok), ""); st != 200 {
		t.Errorf("creatives pageSize 100 answered %d, want 200", st)
	}
}

// adAnalytics silently stops at 15,000 elements.
func TestAnalyticsTruncatesAtCap(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Campaigns: 700, Days: 60})
	tok := token(t, srv)
	u := fmt.Sprintf("%s/rest/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2026,month:9,day:1))"+
		"&accounts=List(urn%%3Ali%%3AsponsoredAccount%%3A%d)&fields=impressions,dateRange,pivotValues", srv.URL, srv.AccountIDs()[0])
	st, out, _ := call(t, http.MethodGet, u, headers(tok), "")
	if st != 200 {
		t.Fatalf("%d %v", st, out)
	}
	if n, all := len(out["elements"].([]any)), srv.MetricRows(time.Time{}); n != linkedintest.AnalyticsCap || all <= n {
		t.Errorf("%d elements of %d rows, want the cap %d", n, all, linkedintest.AnalyticsCap)
	}
}

func TestQuotasAnswer429WithoutHeaders(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{DailyMemberLimit: 3})
	tok := token(t, srv)
	u := srv.URL + "/rest/adAccounts?q=search"
	for i := range 3 {
		if st, _, _ := call(t, http.MethodGet, u, headers(tok), ""); st != 200 {
			t.Fatalf("call %d: %d", i, st)
		}
	}
	st, out, h := call(t, http.MethodGet, u, headers(tok), "")
	if st != 429 || !strings.Contains(out["message"].(string), "MEMBER DAY") {
		t.Fatalf("over quota: %d %v", st, out)
	}
	if h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") != "" {
		t.Errorf("429 carries rate-limit headers %v; LinkedIn sends none", h)
	}
	srv.Advance(24 * time.Hour)
	if st, _, _ := call(t, http.MethodGet, u, headers(tok), ""); st != 401 && st != 200 {
		t.Errorf("after midnight: %d", st)
	}
}

func TestStreamUsersValidatesBatches(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	tok := token(t, srv)
	id := srv.AddSegment("VIP")
	u := fmt.Sprintf("%s/rest/dmpSegments/%d/users", srv.URL, id)
	batch := func(n int, value string) string {
		els := make([]string, n)
		for i := range els {
			els[i] = fmt.Sprintf(`{"action":"ADD","userIds":[{"idType":"SHA256_EMAIL","idValue":%q}]}`, value)
		}
		return `{"elements":[` + strings.Join(els, ",") + `]}`
	}
	hash := strings.Repeat("ab", 32)
	h := headers(tok)
	h["X-RestLi-Method"] = "BATCH_CREATE"
	if st, _, _ := call(t, http.MethodPost, u, headers(tok), batch(1, hash)); st != 400 {
		t.Errorf("without X-RestLi-Method: %d, want 400", st)
	}
	if st, _, _ := call(t, http.MethodPost, u, h, batch(linkedintest.MaxUserBatch+1, hash)); st != 400 {
		t.Errorf("batch of %d: %d, want 400", linkedintest.MaxUserBatch+1, st)
	}
	st, out, _ := call(t, http.MethodPost, u, h, `{"elements":[`+strings.TrimSuffix(strings.TrimPrefix(batch(1, hash), `{"elements":[`), `]}`)+
		`,{"action":"ADD","userIds":[{"idType":"SHA256_EMAIL","idValue":"ann@example.com"}]}]}`)
	if st != 200 {
		t.Fatalf("mixed batch: %d %v", st, out)
	}
	els := out["elements"].([]any)
	if els[0].(map[string]any)["status"] != float64(201) || els[1].(map[string]any)["status"] != float64(400) {
		t.Errorf("per-element statuses %v, want 201 then 400", els)
	}
	if got := srv.Audience("VIP"); len(got) != 1 || got[0] != hash {
		t.Errorf("audience holds %v, want only the hash", got)
	}
}

// POST /rest/dmpSegments validates the segment, answers 201 with the ID in
// x-restli-id, and the segment takes users only after about 5 seconds.
func TestCreateSegment(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	tok := token(t, srv)
	acc := fmt.Sprintf("urn:li:sponsoredAccount:%d", srv.AccountIDs()[0])
	body := func(name, source, typ string) string {
		return fmt.Sprintf(`{"name":%q,"sourcePlatform":%q,"account":%q,"accessPolicy":"PRIVATE","type":%q,"destinations":[{"destination":"LINKEDIN"}]}`,
			name, source, acc, typ)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"no name", body("", "OMNIFY", "USER"), 422},
		{"no source", body("A", "", "USER"), 422},
		{"bad type", body("A", "OMNIFY", "PEOPLE"), 422},
		{"unknown field", `{"name":"A","colour":"red"}`, 400},
		{"not JSON", `{"name":`, 400},
	} {
		if st, out, _ := call(t, http.MethodPost, srv.URL+"/rest/dmpSegments", headers(tok), tc.body); st != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, st, out, tc.status)
		}
	}
	st, _, h := call(t, http.MethodPost, srv.URL+"/rest/dmpSegments", headers(tok), body("Fresh", "OMNIFY", "USER"))
	if st != 201 || h.Get("x-restli-id") == "" {
		t.Fatalf("create: %d, x-restli-id %q", st, h.Get("x-restli-id"))
	}
	users := srv.URL + "/rest/dmpSegments/" + h.Get("x-restli-id") + "/users"
	hdr := headers(tok)
	hdr["X-RestLi-Method"] = "BATCH_CREATE"
	batch := `{"elements":[{"action":"ADD","userIds":[{"idType":"SHA256_EMAIL","idValue":"` + strings.Repeat("0f", 32) + `"}]}]}`
	if st, _, _ := call(t, http.MethodPost, users, hdr, batch); st != 404 {
		t.Errorf("users right after create: %d, want 404 until the segment is ready", st)
	}
	srv.Advance(linkedintest.SegmentReadyAfter)
	if st, _, _ := call(t, http.MethodPost, users, hdr, batch); st != 200 || len(srv.Audience("Fresh")) != 1 {
		t.Errorf("users after %s: %d, audience %v", linkedintest.SegmentReadyAfter, st, srv.Audience("Fresh"))
	}
}
