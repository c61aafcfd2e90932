-- Signing in with a user name and password. A user's password is kept
-- only as its argon2id hash (PHC string); a user without one signs in with
-- a minted token or an API key only. Each sign-in opens a session, which
-- the token it issues names: signing out ends the session and with it the
-- token, before the token would expire. Failed attempts are counted per
-- user name and per client address to slow guessing down.
ALTER TABLE users ADD COLUMN password_hash text;

CREATE TABLE sign_in_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    client text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at timestamptz,
    CHECK (expires_at > started_at)
);
CREATE INDEX sign_in_sessions_user_idx ON sign_in_sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE sign_in_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    client text NOT NULL
);
CREATE INDEX sign_in_failures_username_idx ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_client_idx ON sign_in_failures (client, at);

---- create above / drop below ----

DROP TABLE sign_in_failures;
DROP TABLE sign_in_sessions;
ALTER TABLE users DROP COLUMN password_hash;
