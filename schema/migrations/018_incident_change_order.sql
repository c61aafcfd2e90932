-- The version of the latest change of its workflow an incident's row
-- reflects. A workflow's changes can reach the database out of order (an
-- update accepted while the workflow records its start); the status and
-- priority follow only a change newer than the one they show, so an
-- older change recorded late never takes the incident back.
ALTER TABLE incidents ADD COLUMN change_version bigint NOT NULL DEFAULT 0;
