# Aftercare: `make run` starts everything, `make test` runs every test.
# Both install and start what they need (PostgreSQL, the Temporal CLI).
# `make reset` deletes what `make run` keeps, so that it starts fresh.

.PHONY: run test reset build generate

run: build
	scripts/postgres.sh
	scripts/temporal.sh install
	bin/aftercare dev

test:
	scripts/test.sh

reset:
	scripts/reset.sh

build:
	go build -o bin/aftercare ./cmd/aftercare

generate:
	go tool gqlgen generate
