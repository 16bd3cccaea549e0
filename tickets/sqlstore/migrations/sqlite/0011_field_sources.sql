-- Where a ticket's fields came from (tickets.Ticket.Sources, issue 16): a
-- JSON object from field (kind, account, order, reason) to source (text,
-- signature, forwarded, record, agent), with an entry for each of those
-- fields that has a value. Tickets that exist get none: their fields were
-- the requester's words, as they were read then.
ALTER TABLE tickets ADD COLUMN sources TEXT NOT NULL DEFAULT '{}';
