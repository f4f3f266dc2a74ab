# milvusgen: `make render` renders the examples into out/, `make test` runs
# every check CI runs. Go 1.26.x is the only requirement.
GO      ?= go
BIN     := bin/milvusgen
FULL    := bin/milvusgen-full
LIST    := examples/render.list
export GOTOOLCHAIN := local

.PHONY: all build render check test vet fmt bench fuzz update clean

all: build

# Two builds of one command: milvusgen (lite: validate, render, size, schema)
# starts fast; it hands apply, chart, diff and render --hydrate to
# milvusgen-full, which links the Helm SDK and the Kubernetes clients.
# `go install ./cmd/milvusgen` alone gives the full build under the short name.
build:
	$(GO) build -tags lite -o $(BIN) ./cmd/milvusgen
	$(GO) build -o $(FULL) ./cmd/milvusgen

# Render every example listed in examples/render.list into out/.
render: build
	@grep -v '^#' $(LIST) | while IFS=: read -r out specs; do \
		args=""; for f in $$specs; do args="$$args -f $$f"; done; \
		echo "$(BIN) render$$args -o $$out"; \
		./$(BIN) render $$args -o $$out -q || exit 1; \
	done

# Fail when out/ is not what the current code renders.
check: build
	@grep -v '^#' $(LIST) | while IFS=: read -r out specs; do \
		args=""; for f in $$specs; do args="$$args -f $$f"; done; \
		./$(BIN) render $$args -o $$out --check || exit 1; \
	done

vet:
	$(GO) vet ./...
	$(GO) vet -tags lite ./cmd/milvusgen

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: fmt vet check testenv
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/spec ./internal/sizing ./render/... ./cmd/milvusgen

fuzz:
	$(GO) test ./internal/spec -run '^$$' -fuzz FuzzLoad -fuzztime 60s

# Rewrite golden files after an intended change; review the diff like code.
update:
	$(GO) test ./render/... ./cmd/... -update
	$(MAKE) render

clean:
	rm -rf bin

# Build etcd and kube-apiserver (from Go modules, see hack/testenv/build.sh)
# into .cache/testenv/bin for the apply tests; skipped when already built.
# The first kube-apiserver build takes about 4 minutes on 2 cores.
.PHONY: testenv
testenv:
	hack/testenv/build.sh
