-- Promotion codes (推广码): a channel's short link /p/<token> (and its QR code) to a consumer
-- page, with UTM-style parameters; every visit is recorded with the code's parameters, and a
-- consumer is acquired by the first code that brought them (promotion_acquisitions).
--
-- Deleting a code only sets deleted_at: printed codes keep working and counting, and nothing
-- collected is ever deleted.

ALTER TABLE consumers DROP CONSTRAINT consumers_source_check;
ALTER TABLE consumers ADD CONSTRAINT consumers_source_check CHECK (source IN ('scan', 'import', 'promotion'));
-- Tags put on consumers by the brand's tools (a promotion code's auto tag, for now).
ALTER TABLE consumers ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

-- The area's settings per enterprise: the logo put in QR centres, the allowed external domains.
CREATE TABLE promotion_settings (
    enterprise_id    bigint PRIMARY KEY REFERENCES enterprises(id),
    logo             text,
    allowed_domains  text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE promotion_codes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    -- Global: the short link names no enterprise (domain::promotion::TOKEN_ALPHABET).
    token          text NOT NULL UNIQUE CHECK (token ~ '^[2-9a-hjkmnp-z]{8}$'),
    name           text NOT NULL,
    target         text NOT NULL CHECK (target IN ('member', 'prizes', 'points', 'external')),
    external_url   text NOT NULL DEFAULT '',
    source         text NOT NULL DEFAULT '',
    medium         text NOT NULL DEFAULT '',
    campaign       text NOT NULL DEFAULT '',
    content        text NOT NULL DEFAULT '',
    term           text NOT NULL DEFAULT '',
    expires_at     timestamptz,
    auto_tag       text NOT NULL DEFAULT '',
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (enterprise_id, id),
    CHECK (target <> 'external' OR external_url LIKE 'https://%')
);
CREATE INDEX promotion_codes_list ON promotion_codes(enterprise_id, created_at DESC);

-- Every request of a short link. consumer_id is null when none is known (no cookie, a bot);
-- excluded says why a visit does not count (NULL: it counts).
CREATE TABLE promotion_visits (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id      bigint NOT NULL REFERENCES enterprises(id),
    promotion_code_id  bigint NOT NULL,
    consumer_id        bigint,
    device_id          text CHECK (length(device_id) = 32),
    source             text NOT NULL,
    medium             text NOT NULL,
    campaign           text NOT NULL,
    content            text NOT NULL,
    term               text NOT NULL,
    excluded           text CHECK (excluded IN ('bot', 'no_cookie', 'repeat', 'expired')),
    -- The visit made this consumer (first contact with the brand).
    new_consumer       boolean NOT NULL DEFAULT false,
    ip                 inet,
    user_agent         text NOT NULL DEFAULT '',
    visited_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, promotion_code_id) REFERENCES promotion_codes(enterprise_id, id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX promotion_visits_time ON promotion_visits(enterprise_id, visited_at);
CREATE INDEX promotion_visits_code ON promotion_visits(enterprise_id, promotion_code_id, visited_at);
CREATE INDEX promotion_visits_consumer ON promotion_visits(enterprise_id, consumer_id, visited_at) WHERE consumer_id IS NOT NULL;

-- First touch: one row per consumer, written by the first counted visit (ON CONFLICT DO
-- NOTHING, so two first visits at once credit one code).
CREATE TABLE promotion_acquisitions (
    enterprise_id      bigint NOT NULL REFERENCES enterprises(id),
    consumer_id        bigint NOT NULL,
    promotion_code_id  bigint NOT NULL,
    visit_id           bigint NOT NULL,
    acquired_at        timestamptz NOT NULL,
    PRIMARY KEY (enterprise_id, consumer_id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id),
    FOREIGN KEY (enterprise_id, visit_id) REFERENCES promotion_visits(enterprise_id, id)
);
CREATE INDEX promotion_acquisitions_code ON promotion_acquisitions(enterprise_id, promotion_code_id, acquired_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['promotion_settings', 'promotion_codes', 'promotion_visits', 'promotion_acquisitions']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I TO tessera_app
                        USING (enterprise_id = tessera_enterprise())
                        WITH CHECK (enterprise_id = tessera_enterprise())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tessera_app', t);
    END LOOP;
END $$;

-- The enterprise of a short link, for the visit's tenant transaction (server::db::Db::tenant_of).
CREATE FUNCTION tessera_promotion_enterprise(tok text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT enterprise_id FROM promotion_codes WHERE token = tok $$;
REVOKE ALL ON FUNCTION tessera_promotion_enterprise(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tessera_promotion_enterprise(text) TO tessera_app;
