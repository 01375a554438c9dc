// Package deploy owns OmniFy's deployment files: the container image
// (Dockerfile), the one-host stack (docker-compose.yml with MongoDB, Redis,
// RabbitMQ, Prometheus, Grafana and Loki), the Kubernetes manifests under
// k8s/ and the CI workflow under .github/workflows.
//
// It holds no code. Its tests parse every file and check them against the
// binary they run: environment variables against the omnify command's
// flags, subcommands against its CLI, probe and scrape paths against the
// routes the API really serves, and the security settings every container
// must carry.
package deploy
