-- Idempotency keys (issue 9): a state-changing API request that carries an
-- Idempotency-Key is answered once; the same key and request within 24 hours gets the
-- first answer again and changes nothing. status 0 means "still being answered".
CREATE TABLE idempotency_keys (
    user_id       BIGINT NOT NULL,
    key_hash      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    response_body TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, key_hash)
);
