// Package auth owns OmniFy's credentials: password rules and argon2id
// hashing, e-mail normalisation, Ed25519-signed JWT access tokens and their
// signing key file, opaque refresh tokens, and login throttling. It does no
// storage of its own: callers persist users and refresh-token hashes through
// the store, and throttling state lives in a limit.Limiter.
package auth
