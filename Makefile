# Convenience targets; the README's commands do not need make.
FUZZTIME ?= 10m

.PHONY: test fuzz bench lint
test:
	go test ./...
fuzz:
	scripts/fuzz.sh $(FUZZTIME)
bench:
	bench/run.sh
lint:
	gofmt -l . && go vet ./... && go run honnef.co/go/tools/cmd/staticcheck@2025.1.1 ./...
