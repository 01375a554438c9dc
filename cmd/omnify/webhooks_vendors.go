package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/omnify-cloud/omnify/webhook"
)

// vendorRequest and vendorDelivery are the shapes every connector's own
// webhook verifier takes and gives, declared in each connector package so
// that it depends on nothing of the receiver.
type vendorRequest interface {
	~struct {
		Method string
		URL    string
		Header http.Header
		Body   []byte
	}
}

type vendorDelivery interface {
	~struct {
		EventID string
		Topic   string
		Streams []string
	}
}

// vendorVerifier adapts a connector's webhook verifier to the receiver's;
// sigErr is the connector's signature error, reported as the receiver's.
func vendorVerifier[R vendorRequest, D vendorDelivery](verify func(R, map[string]string, time.Time) (D, error), sigErr error) webhook.Verifier {
	return func(r webhook.Request, creds map[string]string, now time.Time) (webhook.Delivery, error) {
		d, err := verify(R(r), creds, now)
		if errors.Is(err, sigErr) {
			return webhook.Delivery{}, fmt.Errorf("%w: %v", webhook.ErrSignature, err)
		}
		if err != nil {
			return webhook.Delivery{}, err
		}
		v := struct {
			EventID string
			Topic   string
			Streams []string
		}(d)
		return webhook.Delivery{EventID: v.EventID, Topic: v.Topic, Streams: v.Streams}, nil
	}
}
