// Package scaletest proves OmniFy's scale-out shape end to end: the omnify
// binary runs as several API replicas (serve --no-worker) and several
// workers sharing one MongoDB wire-protocol server (FerretDB embedded in
// the test process), Redis and RabbitMQ, and the tests check that work
// started on one replica is done by a worker and seen on another, that
// rate limits hold across replicas, and that killing a worker or
// restarting Redis or RabbitMQ loses nothing. The package holds tests
// only; it is built from the binary's outside.
package scaletest
