-- Verifiable credentials (issue 12): the society's signing keys and the Open Badges 3.0
-- credentials it has issued.
--
-- issuer_keys: Ed25519 keys, the secret half sealed (XChaCha20-Poly1305) under a key
-- kept outside the database. Exactly one key is current (retired_at NULL, the partial
-- unique index); rotation retires it and adds the next, and retired keys stay listed in
-- the DID document so that what they signed still verifies.
CREATE TABLE issuer_keys (
    id            INTEGER PRIMARY KEY,
    fragment      TEXT NOT NULL,
    public_key    TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    retired_at    BIGINT,
    CONSTRAINT issuer_keys_fragment_key UNIQUE (fragment)
);
CREATE UNIQUE INDEX issuer_keys_current ON issuer_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- credentials: one row per credential issued, kept as long as its member record (an
-- erased person's are revoked and emptied, and keep the record from being purged, so that
-- their positions in the status lists stay set). `source` says what it was issued for
-- (a registration, a membership term, a licence period, a staff award), and a member
-- holds at most one credential of a kind per source. Each credential owns one position
-- (drawn at random) in the status list of its purpose; a suspended credential is always
-- one published in a suspension list, and a revoked one stays revoked.
CREATE TABLE credentials (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT NOT NULL,
    member_id         BIGINT NOT NULL REFERENCES members(id),
    kind              TEXT NOT NULL CHECK (kind IN ('course', 'award', 'membership', 'compliance')),
    source            TEXT NOT NULL,
    name              TEXT NOT NULL,
    document          TEXT NOT NULL,
    jwt               TEXT NOT NULL,
    integrity         TEXT,
    key_fragment      TEXT NOT NULL REFERENCES issuer_keys(fragment),
    status_purpose    TEXT NOT NULL CHECK (status_purpose IN ('revocation', 'suspension')),
    status_index      BIGINT NOT NULL CHECK (status_index >= 0),
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    status_reason     TEXT NOT NULL DEFAULT '',
    status_changed_at BIGINT,
    -- Suspended by the standing refresh (restored by it on renewal), not by staff.
    status_automatic  BOOLEAN NOT NULL DEFAULT FALSE,
    valid_from        BIGINT NOT NULL,
    valid_until       BIGINT,
    issued_at         BIGINT NOT NULL,
    issued_by         BIGINT REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT credentials_uuid_key UNIQUE (uuid),
    CONSTRAINT credentials_one_per_source UNIQUE (member_id, kind, source),
    CONSTRAINT credentials_status_position UNIQUE (status_purpose, status_index),
    CHECK (status <> 'suspended' OR status_purpose = 'suspension'),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX credentials_member ON credentials (member_id, issued_at);
CREATE INDEX credentials_status_set ON credentials (status_purpose, status) WHERE status <> 'active';
