-- The scratch table health checks write to (issue 9): /healthz and /readyz, and the
-- server at start, prove the database takes a write, not only that it answers a read.
-- One row, overwritten; never copied between databases.
CREATE TABLE health_checks (
    id         BIGINT PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
