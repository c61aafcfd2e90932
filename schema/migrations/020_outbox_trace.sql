-- An outbox message carries the W3C trace context of the request that
-- wrote it ({"traceparent": …, "tracestate": …}), so that the relay that
-- delivers it, in whichever process, continues the request's trace: the
-- workflow an incident's filing starts joins the filing's trace. NULL when
-- the request was not traced.
ALTER TABLE outbox ADD COLUMN trace_context jsonb;

---- create above / drop below ----

ALTER TABLE outbox DROP COLUMN trace_context;
