package stripe

import (
	"encoding/json"

	"github.com/omnify-cloud/omnify/connector"
)

// DecodeObject maps one Stripe object of a stream, as the events phase does.
func DecodeObject(stream string, raw json.RawMessage) (connector.Record, error) {
	return resources[stream].decode(raw)
}
