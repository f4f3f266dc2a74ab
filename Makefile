# milvusgen: `make render` renders the examples into out/, `make test` runs
# every check CI runs. Go 1.26.x is the only requirement.
GO      ?= go
BIN     := bin/milvusgen
LIST    := examples/render.list
export GOTOOLCHAIN := local

.PHONY: all build render check test vet fmt bench fuzz update clean

all: build

# One binary, the same `go install ./cmd/milvusgen` gives; inside a Git work
# tree it records the revision (milvusgen version), whatever GOFLAGS says.
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/milvusgen

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

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: fmt vet check testenv
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/spec ./internal/sizing ./internal/hydrate ./render/... ./cmd/milvusgen ./internal/fleet

fuzz:
	$(GO) test ./internal/spec -run '^$$' -fuzz FuzzLoad -fuzztime 60s

# Rewrite golden files after an intended change; review the diff like code.
# Only the packages whose tests import internal/golden define -update.
GOLDEN_PKGS = $$($(GO) list -f '{{range .TestImports}}{{if eq . "github.com/milvusgen/milvusgen/internal/golden"}}{{$$.ImportPath}} {{end}}{{end}}' ./...)
update:
	$(GO) test $(GOLDEN_PKGS) -update
	$(MAKE) render

clean:
	rm -rf bin

# Build etcd and kube-apiserver (from Go modules, see hack/testenv/build.sh)
# into .cache/testenv/bin for the apply tests; skipped when already built.
# The first kube-apiserver build takes about 4 minutes on 2 cores.
.PHONY: testenv
testenv:
	hack/testenv/build.sh
