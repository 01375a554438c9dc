package shopify

// PagedQuery exposes a stream's paged query document to the external tests.
func PagedQuery(stream string) string { return streams[stream].paged }

// BulkQuery exposes a stream's bulk export document to the external tests.
func BulkQuery(stream string) string { return streams[stream].bulk }
