# milvusgen: `make render` renders the examples into out/, `make test` runs
# every check CI runs. Go 1.26.x is the only requirement.
GO      ?= go
BIN     := bin/milvusgen
FLEET   := examples/fleet.yaml
export GOTOOLCHAIN := local

.PHONY: all build render check test vet fmt bench fuzz update clean release prices

all: build

# One binary, the same `go install ./cmd/milvusgen` gives; inside a Git work
# tree it records the revision (milvusgen version), whatever GOFLAGS says.
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/milvusgen

# Render the examples' fleet (examples/fleet.yaml) into out/: every
# environment, or none when any is invalid or two collide.
render: build
	./$(BIN) render --fleet $(FLEET) -q
	./$(BIN) render --fleet examples/fleet-hub.yaml -q

# Fail when out/ is not what the current code renders.
check: build
	./$(BIN) render --fleet $(FLEET) --check -q
	./$(BIN) render --fleet examples/fleet-hub.yaml --check -q

vet:
	$(GO) vet ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: fmt vet check testenv
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/spec ./internal/sizing ./internal/hydrate ./render/... ./cmd/milvusgen ./internal/fleet

# Both fuzz targets, one after the other (go test fuzzes one target at a
# time). FUZZTIME per target; FUZZPARALLEL workers (1 on a shared machine).
FUZZTIME     ?= 10m
FUZZPARALLEL ?= 1
fuzz:
	$(GO) test ./internal/spec -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -parallel $(FUZZPARALLEL)
	$(GO) test ./internal/fleet -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -parallel $(FUZZPARALLEL)

# Rewrite golden files after an intended change; review the diff like code.
# Only the packages whose tests import internal/golden define -update.
GOLDEN_PKGS = $$($(GO) list -f '{{range .TestImports}}{{if eq . "github.com/milvusgen/milvusgen/internal/golden"}}{{$$.ImportPath}} {{end}}{{end}}' ./...)
update:
	$(GO) test $(GOLDEN_PKGS) -update
	$(MAKE) render

clean:
	rm -rf bin dist

# Regenerate the pinned price table (internal/cost/prices.json) from the AWS
# Price List bulk offer files: public, no credentials, but a network is
# needed, so it is never part of make test. PRICE_REGIONS lists the regions.
PRICE_REGIONS ?= us-east-1
prices:
	$(GO) run ./hack/prices -regions '$(PRICE_REGIONS)' -o internal/cost/prices.json

# Release archives for linux and darwin, amd64 and arm64, with SHA256SUMS,
# in dist/: cross-compiled with CGO_ENABLED=0 and -trimpath, VERSION stamped
# into the binary (milvusgen version, and every rendered tree's manifest).
# VERSION defaults to the tag of HEAD; a commit after a tag or a modified
# tree is refused (it is not a release), so pass VERSION=vX.Y.Z or
# VERSION=dev there. Archive entries are dated by the commit (SOURCE_DATE_EPOCH),
# so archives differ only where the binaries do. PLATFORMS narrows the build
# (PLATFORMS=linux/amd64). Not part of make test: four full builds.
VERSION           ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || echo dev)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
PLATFORMS         ?=
DIST              ?= dist
release:
	$(GO) run ./hack/release -go '$(GO)' -version '$(VERSION)' -dist '$(DIST)' -mtime '$(SOURCE_DATE_EPOCH)' $(if $(PLATFORMS),-platforms '$(PLATFORMS)')
	@cat '$(DIST)/SHA256SUMS'

# Build, from Go modules (see hack/testenv/build.sh), into .cache/testenv/bin:
# etcd and kube-apiserver for the apply tests, and kube-controller-manager,
# kube-scheduler (same k8s.io/kubernetes module, so they reuse the API
# server's build cache) and kwok (its own module) for the simulated cluster
# of internal/simcluster (docs/high-availability.md), and appset-expand
# (hack/appset: Argo CD's ApplicationSet expansion, for internal/appsetexpand).
# Each is skipped when already built. Measured on an idle 2-core machine
# with an empty Go build cache (modules already downloaded), in .ci/run's
# order: etcd 44 s, kube-apiserver 252 s, kube-controller-manager 83 s,
# kube-scheduler 10 s (both on the API server's cache), kwok 69 s,
# appset-expand 137 s: about 10 minutes. The whole cold .ci/run took
# 1,608 s (26.8 min: vet and check 9.5, test binaries 10, tests 7.5);
# on a warm cache 607 s. A fresh machine also downloads the modules
# (appset-expand's alone are about 234 MB).
.PHONY: testenv
testenv:
	hack/testenv/build.sh
