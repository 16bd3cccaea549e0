#!/usr/bin/env bash
# The baseline for the import benchmark: the same CSV file imported by the
# sqlite3 shell's .import into a table of the same shape (the same columns,
# the unique order number and the twin index), in one transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${REFUNDDESK_BENCH_ROWS:-1000000}"
dir="${TMPDIR:-/tmp}/refunddesk-bench"
csv="$dir/promotions-$rows.csv"
mkdir -p "$dir"
if ! command -v sqlite3 >/dev/null; then
	echo "sqlite3 is not installed (apt-get install sqlite3)" >&2
	exit 1
fi
if [ ! -f "$csv" ]; then
	echo "generating $csv"
	go run ./cmd/refunddesk sample promotions --count "$rows" --seed 7 -o "$csv.tmp"
	mv "$csv.tmp" "$csv"
fi
db="$(mktemp -d)/baseline.db"
trap 'rm -rf "$(dirname "$db")"' EXIT
sqlite3 "$db" <<'SQL'
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE promotions (
	order_number TEXT NOT NULL UNIQUE, account TEXT NOT NULL, video_id TEXT NOT NULL, objective TEXT NOT NULL,
	amount INTEGER NOT NULL, currency TEXT NOT NULL, payment_method TEXT NOT NULL, created_at TIMESTAMP NOT NULL,
	start_at TIMESTAMP, end_at TIMESTAMP, closed_at TIMESTAMP, status TEXT NOT NULL, promised_reach INTEGER NOT NULL,
	delivered_reach INTEGER NOT NULL, spend INTEGER NOT NULL, incident BOOLEAN NOT NULL, refunded INTEGER NOT NULL);
CREATE INDEX promotions_twins ON promotions (account, video_id, amount, created_at);
SQL
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1): .import of $rows rows from $csv"
start=$(date +%s.%N)
sqlite3 "$db" <<SQL
PRAGMA synchronous = NORMAL;
.mode csv
.import --skip 1 $csv promotions
SQL
end=$(date +%s.%N)
count=$(sqlite3 "$db" 'SELECT count(*) FROM promotions')
awk -v s="$start" -v e="$end" -v n="$count" 'BEGIN { printf "%d rows in %.2f s (%.0f rows/s)\n", n, e - s, n / (e - s) }'
