# Convenience targets; the README's commands do not need make.
FUZZTIME ?= 10m
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: test fuzz bench lint release reproduce image
test:
	go test ./...
fuzz:
	scripts/fuzz.sh $(FUZZTIME)
bench:
	bench/run.sh
lint:
	gofmt -l . && go vet ./... && go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# Static, reproducible binaries for five platforms and SHA256SUMS in dist/.
release:
	scripts/release.sh $(VERSION)
# Two independent builds of HEAD must be byte-identical.
reproduce:
	PLATFORMS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64" scripts/release_test.sh
image:
	docker build -t sigaudit:$(VERSION) --build-arg VERSION=$(VERSION) .

.PHONY: man
# Man pages (section 1) from the command tree: man/sigaudit*.1.
man:
	go run ./cmd/sigaudit-gendocs -out man
