// Package importer owns file imports: it recognises a CSV by its header
// (OmniFy's transactions CSV, Shopify's customer export, Shopify's order
// export), validates every line before writing anything, and then hands
// the rows as connector records to the same sink synced data goes through,
// so imported people are resolved into the same unified customers.
//
// A file is read twice from disk, never held in memory: once to validate
// (collecting line-numbered errors) and, only when it is clean, once to
// write. Every record gets an ID derived from the file's content, so a
// retried import after a failure midway converges to the same rows.
package importer
