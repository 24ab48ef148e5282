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

.PHONY: man
# Man pages (section 1) from the command tree: man/sigaudit*.1.
man:
	go run ./cmd/sigaudit-gendocs -out man
