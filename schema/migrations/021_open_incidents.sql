-- A region's dispatch queue reads its open incidents: a few thousand among
-- years of closed ones. It finds them through this index of the open
-- incidents alone (the queue's own condition), by site, instead of reading
-- every incident.
CREATE INDEX incidents_open_site_idx ON incidents (site_id)
    WHERE status NOT IN ('resolved', 'closed', 'cancelled', 'verified', 'repaired');

---- create above / drop below ----

DROP INDEX incidents_open_site_idx;
