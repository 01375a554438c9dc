# OmniFy Cloud Connect. `make run` builds what is needed and serves the
# dashboard on http://localhost:8080; `make test` runs every test.

GO      ?= go
BIN     := bin/omnify
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/omnify-cloud/omnify.Version=$(VERSION)
DATA    ?= ./data

# Packages whose concurrency matters run under the race detector; the
# numeric packages run without it (it slows them tenfold and they share no
# state between goroutines beyond what their own tests check).
MODULE    := github.com/omnify-cloud/omnify
GO_PKGS   := $(shell $(GO) list ./... 2>/dev/null)
SLOW_PKGS := $(shell $(GO) list ./... 2>/dev/null | grep -E '^$(MODULE)/(ml|eyes|demo|bench)(/|$$)')
RACE_PKGS := $(filter-out $(SLOW_PKGS),$(GO_PKGS))

WEB_SRC := $(shell find web/src web/public web/index.html web/vite.config.* web/package.json web/tsconfig*.json -type f 2>/dev/null)

.PHONY: all build run web test vet lint test-go test-chaos test-web test-e2e bench clean openapi

all: build

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

web: web/dist/index.html

build: web
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/omnify

# A fresh data dir gets a demo organisation so there is something to look at.
run: build
	@if [ ! -f $(DATA)/omnify.db ]; then ./$(BIN) demo --data-dir $(DATA) --org "Demo Store"; fi
	OMNIFY_DATA_DIR=$(DATA) ./$(BIN) serve

openapi:
	$(GO) run ./cmd/omnify openapi > web/openapi.json
	cd web && npm run gen:api

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

test-go:
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(SLOW_PKGS)

# Restarts the machine's RabbitMQ, so it runs alone, after every other Go
# test; it skips without OMNIFY_TEST_AMQP_URL and OMNIFY_TEST_REDIS_URL.
test-chaos:
	OMNIFY_TEST_CHAOS=1 $(GO) test -count=1 -run '^TestIntegrationChaos' ./internal/scaletest/

test-web: web/node_modules/.package-lock.json
	cd web && npm test

test-e2e: build
	$(GO) build -o bin/e2evendor ./internal/e2evendor
	cd web && OMNIFY_E2E_BIN=$(CURDIR)/$(BIN) OMNIFY_E2E_VENDOR_BIN=$(CURDIR)/bin/e2evendor npm run test:e2e

test: vet test-go test-chaos test-web test-e2e

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./ml/... ./store/... ./auth/...

clean:
	rm -rf bin web/dist/assets web/dist/index.html
