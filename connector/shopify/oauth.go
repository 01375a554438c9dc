package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
)

// CallbackMaxAge is how old an OAuth callback's timestamp may be.
const CallbackMaxAge = 5 * time.Minute

// AuthorizeURL is where to send the merchant to install the app. state is
// a single-use random nonce the caller stores and later passes to
// VerifyCallback.
func AuthorizeURL(shop, clientID, redirectURI string, scopes []string, state string) (string, error) {
	if !ValidShop(shop) {
		return "", fmt.Errorf("shopify authorize: %w: invalid shop domain", connector.ErrInvalidConfig)
	}
	if clientID == "" || redirectURI == "" || state == "" {
		return "", fmt.Errorf("shopify authorize: %w: client id, redirect URI and state are required", connector.ErrInvalidConfig)
	}
	q := url.Values{
		"client_id": {clientID}, "scope": {strings.Join(scopes, ",")},
		"redirect_uri": {redirectURI}, "state": {state},
	}
	return "https://" + shop + "/admin/oauth/authorize?" + q.Encode(), nil
}

// VerifyCallback checks an OAuth redirect's query: the hex HMAC-SHA256 of
// the other parameters (sorted, Shopify's escaping) keyed with the client
// secret, compared in constant time; the state nonce against wantState;
// the timestamp within CallbackMaxAge of now; and the shop domain. Errors
// wrap ErrSignature. Only the first value of a repeated parameter counts.
func VerifyCallback(query url.Values, clientSecret, wantState string, now time.Time) error {
	if clientSecret == "" {
		return fmt.Errorf("verify callback: no client secret configured: %w", ErrSignature)
	}
	got, err := hex.DecodeString(query.Get("hmac"))
	if err != nil || len(got) == 0 {
		return fmt.Errorf("verify callback: missing or malformed hmac: %w", ErrSignature)
	}
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(CallbackMessage(query)))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("verify callback: HMAC mismatch: %w", ErrSignature)
	}
	if wantState == "" || subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(wantState)) != 1 {
		return fmt.Errorf("verify callback: state nonce mismatch: %w", ErrSignature)
	}
	ts, err := strconv.ParseInt(query.Get("timestamp"), 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > CallbackMaxAge {
		return fmt.Errorf("verify callback: stale or missing timestamp: %w", ErrSignature)
	}
	if !ValidShop(query.Get("shop")) {
		return fmt.Errorf("verify callback: invalid shop domain: %w", ErrSignature)
	}
	return nil
}

// CallbackMessage is the string Shopify signs for a callback: every
// parameter but hmac and signature, sorted, as key=value joined by &, with
// % and & escaped in both and = escaped in keys.
func CallbackMessage(query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	esc := strings.NewReplacer("%", "%25", "&", "%26")
	escKey := strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D")
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = escKey.Replace(k) + "=" + esc.Replace(query.Get(k))
	}
	return strings.Join(parts, "&")
}

// ExchangeCode trades the callback's code for an offline access token at
// POST https://{shop}/admin/oauth/access_token (baseURL replaces
// https://{shop} in tests, from the operator's environment only). It
// returns the token and the granted scopes. Call it only after
// VerifyCallback succeeded.
func ExchangeCode(ctx context.Context, hc *http.Client, baseURL, shop, clientID, clientSecret, code string) (token, scope string, err error) {
	if !ValidShop(shop) {
		return "", "", fmt.Errorf("shopify exchange: %w: invalid shop domain", connector.ErrInvalidConfig)
	}
	base := "https://" + shop
	if baseURL != "" {
		base = strings.TrimRight(baseURL, "/")
	}
	cfg := oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: base + "/admin/oauth/access_token", AuthStyle: oauth2.AuthStyleInParams},
	}
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return "", "", fmt.Errorf("shopify exchange: %w", err)
	}
	scope, _ = tok.Extra("scope").(string)
	return tok.AccessToken, scope, nil
}
