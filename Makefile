# heatd's build. `make test` is what CI runs; `make demo` the quick start.
GO      ?= go
PREFIX  ?= /usr
DESTDIR ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

COMMANDS := heatd heat heatctl
# The commands that, installed, are links to heatd, which runs each by the
# name it is called (cmd/heatd): one static binary instead of three that
# would each carry the same runtime, net/http and TLS.
LINKS    := heat heatctl
EXAMPLES := heartbeat receiver

.PHONY: all build test vet lint fuzz bench demo install clean man deb lintian systemd-test

# staticcheck at a fixed version, installed into GOPATH/bin when missing.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck
FUZZTIME ?= 30s

all: build

# Built as the .deb builds it, without cgo: a static binary with Go's own
# resolver and user lookups, so that what `make install`, the demo and the
# benchmarks run is what the package ships (a cgo build maps libc and ld.so
# too: about 1.5 MiB more of heatd's RSS).
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(COMMANDS)) $(addprefix ./examples/,$(EXAMPLES))

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

lint:
	@$(STATICCHECK) -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION:v%=%))' || \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

test: vet lint
	$(GO) test -race -count=1 ./...

# Each fuzz target for FUZZTIME; a crasher lands in testdata/fuzz and fails
# the run (and is then a regression test of `make test`).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./daemon/config
	$(GO) test -run '^$$' -fuzz '^FuzzLoadAfter$$' -fuzztime $(FUZZTIME) ./daemon/config
	$(GO) test -run '^$$' -fuzz '^FuzzSplitDecode$$' -fuzztime $(FUZZTIME) ./daemon/config
	$(GO) test -run '^$$' -fuzz '^FuzzParseArgs$$' -fuzztime $(FUZZTIME) ./cmd/internal/heat

# The benchmarks (bench/, a Go module of its own, so that `make test` and
# the product's `go test ./...` leave it out): heatd against a C floor that
# only spawns and waits, beside monit and HEAT's own loop, written to
# BENCHMARKS.md with the machine they ran on. About seven minutes on two
# cores; needs cc and python3, and installs Debian's monit when it is
# missing (as root; the package's own service is never used: heatbench runs
# monit on a private control file). Figures are ratios to the floor
# measured in the same run.
bench: build
	@if ! command -v monit >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq monit; \
	fi
	cd bench && $(GO) run . -heatd ../bin/heatd -out ../BENCHMARKS.md

# The harness's quick self-test, which CI runs: go vet and staticcheck of
# bench/ (at the top, both stop at its go.mod; gofmt -l . does not), then
# its tests, which run the whole suite at -quick sizes (it builds heatd;
# about half a minute; no figure is judged).
.PHONY: bench-test
bench-test:
	cd bench && $(GO) vet ./...
	@$(STATICCHECK) -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION:v%=%))' || \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	cd bench && $(STATICCHECK) ./...
	cd bench && $(GO) test -race -count=1 ./...

demo: build
	sh examples/demo.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/heatd $(DESTDIR)$(PREFIX)/bin/
	for link in $(LINKS); do ln -sfn heatd $(DESTDIR)$(PREFIX)/bin/$$link || exit 1; done

clean:
	rm -rf bin examples/log $(DIST)

# The man pages: heatd(8), heat(1), heatctl(1) and heat.toml(5), from their
# one source, the markdown in packaging/man, by go-md2man (Debian's
# go-md2man package).
MAN_PAGES := heatd.8 heat.1 heatctl.1 heat.toml.5
MAN_DIR   := bin/man

man: $(addprefix $(MAN_DIR)/,$(MAN_PAGES))

$(MAN_DIR)/%: packaging/man/%.md
	@mkdir -p $(MAN_DIR)
	go-md2man -in $< -out $@

# The Debian package: dist/heatd_VERSION_ARCH.deb, as lintian wants one:
# one static stripped binary, heatd, with heat and heatctl as relative
# links to it, their man pages, the unit, /etc/heat.toml (a
# conffile), logrotate, Prometheus' alerting rules (an example in the
# doc folder), the copyright file (heatd's and that of every Go
# module linked in), a changelog, md5sums, and lintian overrides, each with
# its reason. DEB_VERSION is a valid Debian version (packaging/version), and
# heatd -version prints it. Needs dpkg-deb and go-md2man.
DIST           ?= dist
DEB_VERSION    ?= $(shell sh packaging/version)
DEB_ARCH       ?= $(shell $(GO) env GOARCH | sed -e 's/^386$$/i386/' -e 's/^arm$$/armhf/')
DEB_MAINTAINER ?= heatd developers <heatd@users.noreply.github.com>
# The changelog's date and the copyright's year: the commit's, so that a
# build of one commit is the same package.
DEB_EPOCH      := $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
DEB_DATE        = $(shell LC_ALL=C TZ=UTC date -R -d @$(DEB_EPOCH))
DEB_YEAR        = $(shell TZ=UTC date +%Y -d @$(DEB_EPOCH))
DEB            := $(DIST)/heatd_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_ROOT       := $(DIST)/heatd_$(DEB_VERSION)_$(DEB_ARCH)
DEB_DOC        := $(DEB_ROOT)/usr/share/doc/heatd

deb: man
	rm -rf $(DIST)/heatd_*
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X main.version=$(DEB_VERSION)' \
		-o $(DEB_ROOT)/usr/bin/heatd ./cmd/heatd
	for link in $(LINKS); do ln -s heatd $(DEB_ROOT)/usr/bin/$$link || exit 1; done
	install -D -m 0644 packaging/heatd.service $(DEB_ROOT)/lib/systemd/system/heatd.service
	install -D -m 0644 packaging/heat.toml $(DEB_ROOT)/etc/heat.toml
	install -D -m 0644 packaging/logrotate $(DEB_ROOT)/etc/logrotate.d/heatd
	install -D -m 0644 packaging/deb/lintian-overrides $(DEB_ROOT)/usr/share/lintian/overrides/heatd
	for page in $(MAN_PAGES); do \
		install -D -m 0644 $(MAN_DIR)/$$page $(DEB_ROOT)/usr/share/man/man$${page##*.}/$$page && \
		gzip -9n $(DEB_ROOT)/usr/share/man/man$${page##*.}/$$page || exit 1; \
	done
	install -D -m 0644 README.md $(DEB_DOC)/README.md
	install -D -m 0644 packaging/prometheus/heatd-rules.yml $(DEB_DOC)/examples/heatd-rules.yml
	GO=$(GO) sh packaging/deb/copyright.sh $(DEB_YEAR) ./cmd/heatd >$(DEB_DOC)/copyright
	sed -e 's/@VERSION@/$(DEB_VERSION)/' -e 's/@MAINTAINER@/$(DEB_MAINTAINER)/' -e 's/@DATE@/$(DEB_DATE)/' \
		packaging/deb/changelog | gzip -9n >$(DEB_DOC)/changelog.gz
	install -d $(DEB_ROOT)/DEBIAN
	install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm $(DEB_ROOT)/DEBIAN/
	printf '%s\n' /etc/heat.toml /etc/logrotate.d/heatd >$(DEB_ROOT)/DEBIAN/conffiles
	cd $(DEB_ROOT) && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | \
		xargs md5sum >DEBIAN/md5sums
	sed -e 's/@VERSION@/$(DEB_VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' -e 's/@MAINTAINER@/$(DEB_MAINTAINER)/' \
		-e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" \
		packaging/deb/control >$(DEB_ROOT)/DEBIAN/control
	find $(DEB_ROOT) -type d -exec chmod 0755 {} +
	chmod 0644 $(DEB_ROOT)/DEBIAN/control $(DEB_ROOT)/DEBIAN/conffiles $(DEB_ROOT)/DEBIAN/md5sums
	dpkg-deb --root-owner-group --build $(DEB_ROOT) $(DEB)
	rm -rf $(DEB_ROOT)

# Debian's lintian on the package: any error or warning fails. The
# overrides it honours are in packaging/deb/lintian-overrides, each with
# its reason.
lintian: deb
	lintian --fail-on error,warning --display-info $(DEB)

# The .deb under a real systemd: Debian's systemd booted in a container
# (packaging/systemd). Needs root; installs systemd-nspawn and debootstrap
# when missing; the first run debootstraps a root file system (about a
# minute) into /var/cache/heatd-systemd-test, later runs reuse it.
systemd-test: deb
	@if [ "$$(id -u)" = 0 ] && ! { command -v systemd-nspawn && command -v debootstrap; } >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd-container debootstrap debian-archive-keyring; \
	fi
	HEATD_SYSTEMD_TEST=1 HEATD_DEB=$(abspath $(DEB)) $(GO) test -count=1 -v -timeout 10m ./packaging/systemd/
