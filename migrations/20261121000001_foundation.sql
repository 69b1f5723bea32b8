-- Foundation: enterprises, people, positions, sessions, audit, outbox, jobs, basic data.
--
-- Two roles touch these tables:
--   * the migrating role (DATABASE_URL's user) owns them; Tessera's "system" pool uses it
--     only for sign-in, sessions, the job worker and seeding (src/server/db.rs);
--   * tessera_app, which every request's queries run as (SET ROLE). Row-level security
--     policies written for tessera_app refuse rows of any enterprise but the one the
--     request's transaction set with `SET LOCAL tessera.enterprise_id`.

DO $$
BEGIN
    CREATE ROLE tessera_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another database of this cluster created it (tests run in parallel)
END $$;

DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'tessera_app', 'MEMBER') THEN
        EXECUTE format('GRANT tessera_app TO %I', current_user);
    END IF;
END $$;

CREATE FUNCTION tessera_enterprise() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('tessera.enterprise_id', true), '')::bigint $$;

CREATE TABLE enterprises (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- People are global: one person may belong to several enterprises (memberships).
CREATE TABLE users (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                  text NOT NULL,
    mobile                text UNIQUE,
    email                 text UNIQUE,
    password_hash         text NOT NULL,
    must_change_password  boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (mobile IS NOT NULL OR email IS NOT NULL),
    CHECK (email = lower(email))
);

CREATE TABLE positions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    grants         jsonb NOT NULL DEFAULT '{}',
    builtin        boolean NOT NULL DEFAULT false,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT positions_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE memberships (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    user_id        bigint NOT NULL REFERENCES users(id),
    position_id    bigint NOT NULL,
    status         text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    remark         text NOT NULL DEFAULT '',
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT memberships_user_unique UNIQUE (enterprise_id, user_id),
    FOREIGN KEY (enterprise_id, position_id) REFERENCES positions(enterprise_id, id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE sessions (
    token_hash     bytea PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    enterprise_id  bigint REFERENCES enterprises(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    ip             text NOT NULL DEFAULT '',
    user_agent     text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Sign-in failures per key ('account:<login>' or 'ip:<address>').
CREATE TABLE login_failures (
    key           text PRIMARY KEY,
    failures      integer NOT NULL,
    last_failure  timestamptz NOT NULL
);

CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    at             timestamptz NOT NULL DEFAULT now(),
    user_id        bigint REFERENCES users(id),
    user_name      text NOT NULL,
    module         text NOT NULL,
    action         text NOT NULL,
    entity         text NOT NULL,
    entity_id      bigint,
    summary        text NOT NULL
);
CREATE INDEX audit_log_enterprise_at ON audit_log(enterprise_id, at DESC);

CREATE TABLE outbox (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id      bigint NOT NULL REFERENCES enterprises(id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    recipient_user_id  bigint REFERENCES users(id),
    channel            text NOT NULL CHECK (channel IN ('sms', 'email')),
    address            text NOT NULL,
    subject            text NOT NULL,
    body               text NOT NULL,
    delivery           text NOT NULL DEFAULT 'recorded' CHECK (delivery IN ('recorded', 'sent', 'failed')),
    error              text,
    sent_at            timestamptz
);
CREATE INDEX outbox_recipient ON outbox(enterprise_id, recipient_user_id, created_at DESC);

-- Long work, claimed by workers with FOR UPDATE SKIP LOCKED (src/server/jobs.rs).
CREATE TABLE jobs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    kind           text NOT NULL,
    payload        jsonb NOT NULL,
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress       bigint NOT NULL DEFAULT 0,
    total          bigint NOT NULL DEFAULT 0,
    result         jsonb,
    error          text,
    attempts       integer NOT NULL DEFAULT 0,
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    heartbeat_at   timestamptz,
    finished_at    timestamptz
);
CREATE INDEX jobs_queued ON jobs(created_at) WHERE status IN ('queued', 'running');

-- Basic data. Composite foreign keys (enterprise_id, x_id) make cross-enterprise links impossible.
CREATE TABLE brands (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    name           text NOT NULL,
    remark         text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT brands_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE products (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    brand_id       bigint NOT NULL,
    name           text NOT NULL,
    barcode        text NOT NULL CHECK (barcode ~ '^[0-9]{13}$'),
    specification  text NOT NULL DEFAULT '',
    unit_price     bigint NOT NULL CHECK (unit_price >= 0),
    image          text,
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT products_barcode_unique UNIQUE (enterprise_id, barcode),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, brand_id) REFERENCES brands(enterprise_id, id)
);

CREATE TABLE regions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    name           text NOT NULL,
    provinces      text[] NOT NULL DEFAULT '{}',
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT regions_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE factories (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    region_id      bigint NOT NULL,
    name           text NOT NULL,
    code           text NOT NULL DEFAULT '',
    address        text NOT NULL DEFAULT '',
    contact        text NOT NULL DEFAULT '',
    phone          text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT factories_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, region_id) REFERENCES regions(enterprise_id, id)
);

CREATE TABLE workshops (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    factory_id     bigint NOT NULL,
    name           text NOT NULL,
    code           text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT workshops_name_unique UNIQUE (enterprise_id, factory_id, name),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, factory_id) REFERENCES factories(enterprise_id, id)
);

CREATE TABLE production_lines (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    workshop_id    bigint NOT NULL,
    name           text NOT NULL,
    code           text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT production_lines_name_unique UNIQUE (enterprise_id, workshop_id, name),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, workshop_id) REFERENCES workshops(enterprise_id, id)
);

-- Row-level security on every enterprise-owned table.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['positions', 'memberships', 'audit_log', 'outbox', 'jobs', 'brands',
                             'products', 'regions', 'factories', 'workshops', 'production_lines']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I TO tessera_app
                        USING (enterprise_id = tessera_enterprise())
                        WITH CHECK (enterprise_id = tessera_enterprise())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tessera_app', t);
    END LOOP;
END $$;

-- tessera_app sees the enterprises it is in and the people of the current enterprise,
-- never a password hash.
ALTER TABLE enterprises ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON enterprises TO tessera_app USING (id = tessera_enterprise());
GRANT SELECT ON enterprises TO tessera_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY members ON users TO tessera_app
    USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));
GRANT SELECT (id, name, mobile, email, must_change_password, created_at) ON users TO tessera_app;
GRANT UPDATE (name, mobile, email) ON users TO tessera_app;

-- Creating an account either finds the person (by mobile, then email) or creates them.
-- It runs as the owner because the person may so far belong only to other enterprises.
CREATE FUNCTION tessera_find_or_create_user(p_name text, p_mobile text, p_email text, p_hash text,
                                             OUT user_id bigint, OUT created boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
    AS $$
BEGIN
    SELECT id INTO user_id FROM users
     WHERE (p_mobile IS NOT NULL AND mobile = p_mobile) OR (p_email IS NOT NULL AND email = p_email)
     ORDER BY (mobile = p_mobile) DESC NULLS LAST
     LIMIT 1;
    IF user_id IS NOT NULL THEN
        created := false;
        RETURN;
    END IF;
    INSERT INTO users (name, mobile, email, password_hash, must_change_password)
    VALUES (p_name, p_mobile, p_email, p_hash, true)
    RETURNING id INTO user_id;
    created := true;
END $$;
REVOKE ALL ON FUNCTION tessera_find_or_create_user(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tessera_find_or_create_user(text, text, text, text) TO tessera_app;

-- Whether a person belongs to an enterprise other than the current one (their login is then
-- not this enterprise's to change). Runs as the owner: other enterprises' rows are invisible.
CREATE FUNCTION tessera_user_in_other_enterprises(p_user bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT EXISTS (SELECT 1 FROM memberships
                          WHERE user_id = p_user AND enterprise_id IS DISTINCT FROM tessera_enterprise()) $$;
REVOKE ALL ON FUNCTION tessera_user_in_other_enterprises(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tessera_user_in_other_enterprises(bigint) TO tessera_app;

GRANT USAGE ON SCHEMA public TO tessera_app;
GRANT EXECUTE ON FUNCTION tessera_enterprise() TO tessera_app;
-- Later migrations' tables are reachable by tessera_app too (each still needs its policy).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tessera_app;
