-- kpi_refresh recomputes the facts of the few incidents a statement
-- changed, through kpi_incident_base, a view of a dozen joins. With
-- PostgreSQL's default plan choice each call planned the view's query
-- afresh for its IDs (about 2 ms of planning against 0.4 ms of running,
-- twice per incident filed); the generic plan, looked up by incident ID
-- through the same indexes, is planned once per connection.
ALTER FUNCTION kpi_refresh(uuid[]) SET plan_cache_mode = force_generic_plan;

---- create above / drop below ----

ALTER FUNCTION kpi_refresh(uuid[]) RESET plan_cache_mode;
