package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/syncer"
)

// OAuthProvider installs a platform by the OAuth authorization-code flow.
type OAuthProvider interface {
	// AuthorizeURL is where to send the user; params is the start request's
	// query (e.g. Shopify's shop).
	AuthorizeURL(params url.Values, state string) (string, error)
	// Complete checks the platform's redirect against state and exchanges
	// its code, returning the connection's credentials and a name.
	Complete(ctx context.Context, query url.Values, state string) (creds map[string]any, name string, err error)
}

// oauthStateTTL is how long an install may take between start and callback.
const oauthStateTTL = 15 * time.Minute

// oauthState is what the signed state carries from start to callback, so
// the callback knows the org and user without a session.
type oauthState struct {
	Org      string `json:"o"`
	User     string `json:"u"`
	Platform string `json:"p"`
	Expires  int64  `json:"x"`
	Nonce    string `json:"n"`
}

func (s *Server) signState(st oauthState) (string, error) {
	if len(s.deps.OAuthStateKey) < 32 {
		return "", errors.New("oauth state key missing")
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(raw)
	mac := hmac.New(sha256.New, s.deps.OAuthStateKey)
	mac.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// openState verifies a state's signature, platform and expiry.
func (s *Server) openState(state, platform string) (*oauthState, error) {
	body, sig, ok := strings.Cut(state, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || len(s.deps.OAuthStateKey) < 32 {
		return nil, fail(omnify.ErrUnauthorized, "the install link is invalid; start the install again")
	}
	mac := hmac.New(sha256.New, s.deps.OAuthStateKey)
	mac.Write([]byte(body))
	raw, err := base64.RawURLEncoding.DecodeString(body)
	var st oauthState
	if !hmac.Equal(got, mac.Sum(nil)) || err != nil || json.Unmarshal(raw, &st) != nil || st.Platform != platform {
		return nil, fail(omnify.ErrUnauthorized, "the install link is invalid; start the install again")
	}
	if s.deps.Now().Unix() > st.Expires {
		return nil, fail(omnify.ErrUnauthorized, "the install link has expired; start the install again")
	}
	return &st, nil
}

type oauthStartInput struct {
	Platform string `path:"platform" maxLength:"50"`
	Shop     string `query:"shop" maxLength:"255" doc:"Shopify: the shop's myshopify.com domain."`
}

type oauthStartOutput struct {
	Body struct {
		AuthorizeURL string `json:"authorize_url" doc:"Send the user's browser here to approve the install."`
	}
}

type oauthCallbackInput struct {
	Platform string `path:"platform" maxLength:"50"`
	query    url.Values
}

// Resolve keeps the whole query: the platform signs every parameter.
func (in *oauthCallbackInput) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	in.query = u.Query()
	return nil
}

type oauthCallbackOutput struct {
	Status   int
	Location string `header:"Location"`
}

func (s *Server) registerOAuth() {
	tags := []string{"Connections"}
	Register(s, huma.Operation{OperationID: "oauth.start", Method: http.MethodGet, Path: "/v1/oauth/{platform}/start",
		Summary: "Start installing a platform by OAuth", Tags: tags}, s.oauthStart)
	Register(s, huma.Operation{OperationID: "oauth.callback", Method: http.MethodGet, Path: "/v1/oauth/{platform}/callback",
		Summary: "Where the platform sends the user back; connects and redirects to the dashboard", Tags: tags,
		DefaultStatus: http.StatusSeeOther}, s.oauthCallback)
}

func (s *Server) oauthProvider(platform string) (OAuthProvider, error) {
	p, ok := s.deps.OAuth[platform]
	if !ok || s.deps.Syncer == nil {
		return nil, fail(omnify.ErrNotFound, "this server has no OAuth app for that platform; connect with an access token instead")
	}
	return p, nil
}

func (s *Server) oauthStart(ctx context.Context, in *oauthStartInput) (*oauthStartOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.oauthProvider(in.Platform)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	state, err := s.signState(oauthState{Org: a.OrgID, User: a.UserID, Platform: in.Platform,
		Expires: s.deps.Now().Add(oauthStateTTL).Unix(), Nonce: base64.RawURLEncoding.EncodeToString(nonce)})
	if err != nil {
		return nil, fmt.Errorf("oauth start: %w", err)
	}
	u, err := p.AuthorizeURL(url.Values{"shop": {in.Shop}}, state)
	if err != nil {
		return nil, omnify.Invalid("query.shop", "%s", "must be the shop's domain, like acme.myshopify.com")
	}
	out := &oauthStartOutput{}
	out.Body.AuthorizeURL = u
	return out, nil
}

func (s *Server) oauthCallback(ctx context.Context, in *oauthCallbackInput) (*oauthCallbackOutput, error) {
	p, err := s.oauthProvider(in.Platform)
	if err != nil {
		return nil, err
	}
	state := in.query.Get("state")
	st, err := s.openState(state, in.Platform)
	if err != nil {
		return nil, err
	}
	// The state is single-use in effect: it names one org and user, and the
	// platform's code it travels with can be exchanged only once.
	m, err := s.deps.Store.GetMembership(ctx, st.Org, st.User)
	if err != nil || !m.Role.AtLeast(permissions["oauth.start"]) {
		return nil, fail(omnify.ErrForbidden, "the user who started the install can no longer connect platforms")
	}
	creds, name, err := p.Complete(ctx, in.query, state)
	if err != nil {
		return nil, fail(omnify.ErrUnauthorized, "the platform's answer could not be verified; start the install again")
	}
	c, err := s.deps.Syncer.Connect(ctx, st.Org, syncer.ConnectInput{Platform: in.Platform, Name: name,
		Credentials: creds, ScheduleEvery: omnify.DefaultScheduleEvery})
	if err != nil {
		return nil, err
	}
	ev := auditOf(ctx)
	ev.OrgID, ev.ActorID, ev.Target = st.Org, st.User, "connection:"+c.ID
	return &oauthCallbackOutput{Status: http.StatusSeeOther, Location: "/connections?connected=" + url.QueryEscape(c.ID)}, nil
}
