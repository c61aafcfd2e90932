# Aftercare: `make run` starts everything, `make test` runs every test.
# Both install and start what they need (PostgreSQL, the Temporal CLI,
# Node.js for the web app, Chromium for its browser tests).
# `make reset` deletes what `make run` keeps, so that it starts fresh.

.PHONY: run test reset build web generate

run: build
	scripts/postgres.sh
	scripts/temporal.sh install
	bin/aftercare dev

test:
	scripts/test.sh

reset:
	scripts/reset.sh

build: web
	go build -o bin/aftercare ./cmd/aftercare

web:
	scripts/web.sh

generate:
	go tool gqlgen generate
