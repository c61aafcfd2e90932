# Aftercare: `make run` starts everything, `make test` runs every test.
# Both install and start what they need (PostgreSQL, the Temporal CLI).

.PHONY: run test build generate

run: build
	scripts/postgres.sh
	scripts/temporal.sh install
	bin/aftercare dev

test:
	scripts/test.sh

build:
	go build -o bin/aftercare ./cmd/aftercare

generate:
	go tool gqlgen generate
