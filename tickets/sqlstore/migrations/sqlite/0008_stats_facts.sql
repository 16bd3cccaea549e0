-- The dashboard's figures (tickets.PeriodStats) without reading every
-- ticket of the period. Three facts on the ticket, kept by the store in the
-- transaction that writes the audit entry that makes them
-- (tickets.AuditFacts): when an agent first answered, when it was first
-- decided (approved or denied), when it was first resolved (paid); and the
-- first two as microseconds after its creation. Four tables of counts,
-- changed in the transaction that changes a ticket (what it counted as
-- before taken off, what it counts as now added):
--   stats_hours  new tickets by UTC hour of creation, channel and kind (a
--                day in any zone whole hours off UTC is a run of hours);
--   stats_days   by UTC day of creation, kind and verdict: the tickets,
--                and how many are finished, reopened, answered, decided;
--   stats_refunds by UTC day of creation, reason and currency: the refunds
--                approved and their sum, those paid and their sum;
--   stats_delays the answers' and decisions' delays by UTC day of creation
--                in the buckets of stats_buckets (bucket b holds the
--                delays from its lo_us up to the next one's), so a median
--                or a count under a target reads one bucket's tickets only.
-- Existing tickets get their facts from the audit trail and are counted
-- here, once.

ALTER TABLE tickets ADD COLUMN first_response_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN first_decision_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN paid_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN response_us INTEGER;
ALTER TABLE tickets ADD COLUMN decision_us INTEGER;

UPDATE tickets SET first_response_at = f.r, first_decision_at = f.d, paid_at = f.p,
	response_us = CAST(ROUND((unixepoch(f.r, 'subsec') - unixepoch(tickets.created_at, 'subsec')) * 1000000) AS INTEGER),
	decision_us = CAST(ROUND((unixepoch(f.d, 'subsec') - unixepoch(tickets.created_at, 'subsec')) * 1000000) AS INTEGER)
FROM (SELECT ticket_id,
		MIN(CASE WHEN action IN ('reply', 'ask', 'approve', 'deny', 'forward', 'resolve', 'close') AND actor <> 'system' THEN at END) AS r,
		MIN(CASE WHEN action IN ('approve', 'deny') THEN at END) AS d,
		MIN(CASE WHEN action = 'resolve' THEN at END) AS p
	FROM ticket_audit WHERE action IN ('reply', 'ask', 'approve', 'deny', 'forward', 'resolve', 'close')
	GROUP BY ticket_id) f
WHERE f.ticket_id = tickets.id;

CREATE TABLE stats_buckets (
	bucket INTEGER PRIMARY KEY,
	lo_us  INTEGER NOT NULL
);
INSERT INTO stats_buckets (bucket, lo_us) VALUES
	(0, -9223372036854775807),
	(1, 0),
	(2, 300000000),
	(3, 600000000),
	(4, 900000000),
	(5, 1200000000),
	(6, 1500000000),
	(7, 1800000000),
	(8, 2100000000),
	(9, 2400000000),
	(10, 2700000000),
	(11, 3000000000),
	(12, 3300000000),
	(13, 3600000000),
	(14, 4500000000),
	(15, 5400000000),
	(16, 6300000000),
	(17, 7200000000),
	(18, 8100000000),
	(19, 9000000000),
	(20, 9900000000),
	(21, 10800000000),
	(22, 11700000000),
	(23, 12600000000),
	(24, 13500000000),
	(25, 14400000000),
	(26, 18000000000),
	(27, 21600000000),
	(28, 25200000000),
	(29, 28800000000),
	(30, 32400000000),
	(31, 36000000000),
	(32, 39600000000),
	(33, 43200000000),
	(34, 46800000000),
	(35, 50400000000),
	(36, 54000000000),
	(37, 57600000000),
	(38, 61200000000),
	(39, 64800000000),
	(40, 68400000000),
	(41, 72000000000),
	(42, 75600000000),
	(43, 79200000000),
	(44, 82800000000),
	(45, 86400000000),
	(46, 90000000000),
	(47, 93600000000),
	(48, 97200000000),
	(49, 100800000000),
	(50, 104400000000),
	(51, 108000000000),
	(52, 111600000000),
	(53, 115200000000),
	(54, 118800000000),
	(55, 122400000000),
	(56, 126000000000),
	(57, 129600000000),
	(58, 133200000000),
	(59, 136800000000),
	(60, 140400000000),
	(61, 144000000000),
	(62, 147600000000),
	(63, 151200000000),
	(64, 154800000000),
	(65, 158400000000),
	(66, 162000000000),
	(67, 165600000000),
	(68, 169200000000),
	(69, 172800000000),
	(70, 194400000000),
	(71, 216000000000),
	(72, 237600000000),
	(73, 259200000000),
	(74, 280800000000),
	(75, 302400000000),
	(76, 324000000000),
	(77, 345600000000),
	(78, 367200000000),
	(79, 388800000000),
	(80, 410400000000),
	(81, 432000000000),
	(82, 453600000000),
	(83, 475200000000),
	(84, 496800000000),
	(85, 518400000000),
	(86, 540000000000),
	(87, 561600000000),
	(88, 583200000000),
	(89, 604800000000),
	(90, 691200000000),
	(91, 777600000000),
	(92, 864000000000),
	(93, 950400000000),
	(94, 1036800000000),
	(95, 1123200000000),
	(96, 1209600000000),
	(97, 1296000000000),
	(98, 1382400000000),
	(99, 1468800000000),
	(100, 1555200000000),
	(101, 1641600000000),
	(102, 1728000000000),
	(103, 1814400000000),
	(104, 1900800000000),
	(105, 1987200000000),
	(106, 2073600000000),
	(107, 2160000000000),
	(108, 2246400000000),
	(109, 2332800000000),
	(110, 2419200000000),
	(111, 2505600000000),
	(112, 2592000000000),
	(113, 5184000000000),
	(114, 7776000000000),
	(115, 10368000000000),
	(116, 12960000000000),
	(117, 15552000000000),
	(118, 18144000000000),
	(119, 20736000000000),
	(120, 23328000000000),
	(121, 25920000000000),
	(122, 28512000000000),
	(123, 31104000000000);

CREATE TABLE stats_hours (
	hour    INTEGER NOT NULL,
	channel TEXT NOT NULL,
	kind    TEXT NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (hour, channel, kind)
) WITHOUT ROWID;

CREATE TABLE stats_days (
	day      INTEGER NOT NULL,
	kind     TEXT NOT NULL,
	verdict  TEXT NOT NULL,
	n        INTEGER NOT NULL,
	finished INTEGER NOT NULL,
	reopened INTEGER NOT NULL,
	answered INTEGER NOT NULL,
	decided  INTEGER NOT NULL,
	PRIMARY KEY (day, kind, verdict)
) WITHOUT ROWID;

CREATE TABLE stats_refunds (
	day         INTEGER NOT NULL,
	reason      TEXT NOT NULL,
	currency    TEXT NOT NULL,
	approved    INTEGER NOT NULL,
	amount      INTEGER NOT NULL,
	paid        INTEGER NOT NULL,
	paid_amount INTEGER NOT NULL,
	PRIMARY KEY (day, reason, currency)
) WITHOUT ROWID;

CREATE TABLE stats_delays (
	day    INTEGER NOT NULL,
	what   TEXT NOT NULL, -- response or decision
	bucket INTEGER NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (day, what, bucket)
) WITHOUT ROWID;

INSERT INTO stats_hours (hour, channel, kind, n)
	SELECT unixepoch(created_at) / 3600, channel, kind, COUNT(*) FROM tickets GROUP BY 1, 2, 3;

INSERT INTO stats_days (day, kind, verdict, n, finished, reopened, answered, decided)
	SELECT day, kind, verdict, COUNT(*), SUM(CASE WHEN status IN ('denied', 'resolved', 'closed') OR r = 1 THEN 1 ELSE 0 END), SUM(r),
		SUM(CASE WHEN response_us IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN decision_us IS NOT NULL THEN 1 ELSE 0 END)
	FROM (SELECT unixepoch(created_at) / 86400 AS day, kind, verdict, status, response_us, decision_us,
			CASE WHEN ',' || flags || ',' LIKE '%,reopened,%' THEN 1 ELSE 0 END AS r
		FROM tickets) t
	GROUP BY day, kind, verdict;

INSERT INTO stats_refunds (day, reason, currency, approved, amount, paid, paid_amount)
	SELECT day, reason, currency, COUNT(*), SUM(approved_amount), SUM(p), SUM(p * approved_amount)
	FROM (SELECT unixepoch(created_at) / 86400 AS day, reason, currency, approved_amount,
			CASE WHEN status = 'resolved' OR (status = 'closed' AND paid_at IS NOT NULL) THEN 1 ELSE 0 END AS p
		FROM tickets WHERE kind = 'refund' AND approved_amount IS NOT NULL) t
	GROUP BY day, reason, currency;

INSERT INTO stats_delays (day, what, bucket, n)
	SELECT unixepoch(created_at) / 86400, 'response', (SELECT MAX(bucket) FROM stats_buckets WHERE lo_us <= response_us), COUNT(*)
	FROM tickets WHERE response_us IS NOT NULL GROUP BY 1, 3;
INSERT INTO stats_delays (day, what, bucket, n)
	SELECT unixepoch(created_at) / 86400, 'decision', (SELECT MAX(bucket) FROM stats_buckets WHERE lo_us <= decision_us), COUNT(*)
	FROM tickets WHERE decision_us IS NOT NULL GROUP BY 1, 3;

-- A bucket's tickets in the order of their delay, for a median or a
-- count under a target.
CREATE INDEX tickets_response ON tickets (response_us, created_at) WHERE response_us IS NOT NULL;
CREATE INDEX tickets_decision ON tickets (decision_us, created_at) WHERE decision_us IS NOT NULL;
