-- A ticket's version (tickets.Ticket.Version): 1 when it is created, one
-- more with each transaction that saves it. An agent's change names the
-- version the agent saw and is refused when the ticket has moved on since
-- (ticket.changed), checked in the change's own transaction. Tickets that
-- exist start at 1.
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
