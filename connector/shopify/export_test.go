package shopify

// PagedQuery exposes a stream's paged query document to the external tests.
func PagedQuery(stream string) string { return streams[stream].paged }
