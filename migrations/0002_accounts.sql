-- Accounts, sessions (refresh-token families), sign-in throttling and the admin audit log.

CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,                       -- random, opaque
    email          TEXT NOT NULL UNIQUE,                   -- normalised: trimmed, ASCII, lower case
    display_name   TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 400),
    password_hash  TEXT NOT NULL,                          -- pbkdf2-sha256$iterations$salt$hash
    role           TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- One row per refresh token ever issued. Only the SHA-256 of the token is stored. A token
-- is used once; its successor shares its family, and reuse revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT
) STRICT;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

-- Failed sign-ins per email (known or not, so throttling does not reveal which exist).
CREATE TABLE sign_in_failures (
    email              TEXT PRIMARY KEY,
    failures           INTEGER NOT NULL CHECK (failures >= 0),
    window_started_at  TEXT NOT NULL
) STRICT;

-- Who changed the catalog, what, and when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    TEXT NOT NULL REFERENCES accounts (id),
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    details     TEXT NOT NULL,                             -- JSON
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_by_target ON audit_log (target, at);
