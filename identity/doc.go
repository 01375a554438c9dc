// Package identity owns OmniFy's unified customer graph: it normalises the
// keys people are known by (email, E.164 phone, platform ID), resolves the
// source identities of every platform into one unified customer per person
// with the links that justify each merge, rolls consent up across sources,
// splits wrong merges so they stay split, and stores synced and imported
// records through Sink.
//
// Resolution is a union-find over keys: two identities sharing a normalised
// email or phone are the same person, unless a split put them in different
// no-merge groups, or the key is a placeholder shared by too many
// identities. The in-memory Resolver does the graph work; Sink and Split
// load the part of the graph a batch touches, resolve it and write the
// outcome to the store in one transaction.
//
// IDs of identities, new customers and orders derive from the platform's
// keys, so storing the same records again, or retrying after a failure,
// writes the same rows. A deleted customer keeps its identity with its
// personal data erased.
package identity
