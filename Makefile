# heatd's build. `make test` is what CI runs; `make demo` the quick start.
GO      ?= go
PREFIX  ?= /usr
DESTDIR ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

COMMANDS := heatd heat
EXAMPLES := heartbeat receiver

.PHONY: all build test vet demo install clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(COMMANDS)) $(addprefix ./examples/,$(EXAMPLES))

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

test: vet
	$(GO) test -race -count=1 ./...

demo: build
	sh examples/demo.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(addprefix bin/,$(COMMANDS)) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf bin examples/log
