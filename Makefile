# refunddesk — build, run, test, benchmark.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.Version=$(VERSION)
BIN      := bin/refunddesk
# Benchmarks: the big ones run once each (they are minutes of setup), the
# query ones many times, for a p99.
BENCHTIME ?= 1x

.PHONY: all build run test test-realmail fuzz bench bench-import bench-query bench-mail bench-discord bench-dashboard bench-web bench-baseline lint vet fmt-check clean reading-model

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/refunddesk

# The main job on the embedded defaults: the whole desk on this machine —
# SQLite in ./data, sample records, a loopback mail system, the HTTP API
# (see README, "The demo"). Ctrl-C stops it.
run: build
	./$(BIN) demo

# The whole suite, with the race detector, in random order; PostgreSQL too
# when REFUNDDESK_TEST_POSTGRES holds a DSN. The real-server mail tests run
# when Dovecot (with LMTP) and Postfix are installed and this is root, and
# are skipped, saying what to install, otherwise (not in CI: see .ci/run).
#
# The reading's prefilter is checked against the regular expressions on every
# corpus text, its lines and tails; under -race those two tests are skipped
# (pure computation, in which the race detector finds nothing and which it
# makes minutes long), so they run here without -race.
test: vet fmt-check
	$(GO) test -race -shuffle=on -count=1 -timeout 15m ./...
	$(GO) test -count=1 -run '^(TestStartsFindWhatTheExpressionFinds|TestPrefilterNeverHidesAMatch|TestReadingModelLeftOut|TestReadingModelIsCurrent|TestCorpusScore|TestParsersAgree)$$' ./mail/

# Only the tests against Debian's Dovecot and Postfix (internal/mailtest,
# mail's sender through Postfix, cmd/refunddesk's realmail_test.go); here a
# missing server fails them.
test-realmail:
	REFUNDDESK_REQUIRE_MAILSERVERS=1 $(GO) test -race -count=1 -timeout 10m \
		-run 'TestPostfixDeliversIntoDovecot|TestDovecotHelpers|TestMissingServerSkipsOrFails|TestSenderThroughPostfix|TestRealMail' \
		./internal/mailtest/ ./mail/ ./cmd/refunddesk/

# Each fuzz target for a fixed number of inputs, one after the other (go test
# -fuzz takes one package and one target at a time), starting from the seed
# corpora committed in each package's testdata/fuzz. A count, not a time: with
# a time, Go 1.26's fuzzing coordinator can fail a target with a bare "context
# deadline exceeded" when a busy worker is mid-input at the deadline
# (golang/go#75804, fixed in Go 1.27); a count has no deadline to race. 10,000
# inputs is 2-10 s a target on the 2-core CI machine. A long local run: make
# fuzz FUZZTIME=10m (or 1000000x); what it finds is written to testdata/fuzz.
FUZZTIME ?= 10000x
FUZZ_TARGETS := ./tickets:FuzzParseQuery ./tickets/sqlstore:FuzzSearch ./tickets:FuzzPromotionRows \
	./tickets:FuzzLoadPolicy ./mail:FuzzParse ./mail:FuzzUnderstand ./bot:FuzzInteractionOptions
# The reading model's counts (mail/reading_model.txt), trained again from the
# golden corpora; run it after adding or changing a corpus's mail or wants.
reading-model:
	REFUNDDESK_WRITE_MODEL=1 $(GO) test ./mail -run '^TestReadingModelIsCurrent$$' -count=1

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "$${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s "$${t%%:*}"; \
	done

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

lint: vet fmt-check
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...

# Speed targets, shown by Go's benchmark harness (see docs/performance.md).
bench: bench-import bench-query bench-mail bench-discord bench-dashboard bench-web

bench-import:
	$(GO) test -run '^$$' -bench 'BenchmarkImport' -benchtime $(BENCHTIME) -benchmem -timeout 30m ./tickets/sqlstore/

bench-query:
	$(GO) test -run '^$$' -bench 'BenchmarkQuery|BenchmarkShow|BenchmarkStats|BenchmarkParseQuery|BenchmarkPromotionRows|BenchmarkSearchSQL' -benchtime 300x -benchmem -timeout 30m ./tickets/...
	$(GO) test -run '^$$' -bench . -benchmem -timeout 10m ./templates/

bench-mail:
	$(GO) test -run '^$$' -bench 'BenchmarkMailIntake' -benchtime $(BENCHTIME) -benchmem -timeout 30m ./mail/
	$(GO) test -run '^$$' -bench 'BenchmarkIntakeParse' -count 3 -timeout 30m ./mail/
	$(GO) test -run '^$$' -bench 'BenchmarkEvidenceWrites' -benchtime $(BENCHTIME) -timeout 30m ./tickets/sqlstore/
	$(GO) test -run '^$$' -bench 'BenchmarkAcknowledgementLatency' -benchtime $(BENCHTIME) -timeout 30m ./mail/
	$(GO) test -run '^$$' -bench 'BenchmarkDeskTurnaround' -benchtime 200x -timeout 30m ./mail/

# Interactions through the loopback Discord at 200/s on 1,000,000 tickets
# (REFUNDDESK_BENCH_RATE, REFUNDDESK_BENCH_INTERACTIONS change the load).
bench-discord:
	$(GO) test -run '^$$' -bench 'BenchmarkInteractions' -benchtime $(BENCHTIME) -timeout 30m ./bot/

# The dashboard's figures over 30 and 365 days of the 1,000,000 seeded
# tickets (seconds a run for a year: a few runs, not 300).
bench-dashboard:
	$(GO) test -run '^$$' -bench 'BenchmarkPeriodStats' -benchtime 50x -benchmem -timeout 30m ./tickets/sqlstore/
	$(GO) test -run '^$$' -bench 'BenchmarkMigrate0008' -benchtime 1x -timeout 30m ./tickets/sqlstore/

# The web console's pages on the 1,000,000 seeded tickets, through the
# handler: 300 requests a view for the percentiles; then the first queue
# page of a new server, which waits for the counts (a second each: 5 runs).
bench-web:
	$(GO) test -run '^$$' -bench 'BenchmarkQueuePage$$|BenchmarkTicketPage$$' -benchtime 300x -benchmem -timeout 30m ./web/
	$(GO) test -run '^$$' -bench 'BenchmarkQueuePageCold' -benchtime 5x -timeout 30m ./web/

# The same 1,000,000-row file through the sqlite3 shell's .import, for comparison.
bench-baseline:
	bash scripts/sqlite3-import-baseline.sh

clean:
	rm -rf bin
