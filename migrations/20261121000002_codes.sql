-- Code management (码管理): specs, packages and their batches, delivery to packaging factories,
-- info entry and activation by serial range, scrapping, warnings and the download centre.
--
-- Codes themselves are derived, never stored (docs/codes.md): a package is a key (key_version +
-- key_salt, with the master secret held outside the database) and a serial range 1..code_count.
-- Everything else about codes is kept as serial *ranges*, never one row per code.

-- Exclusion constraints on (package, serial range) need btree_gist (a trusted extension: a
-- database owner may create it).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Scheduled jobs (activation at a set time): a job is claimed only once its time has come.
ALTER TABLE jobs ADD COLUMN run_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX jobs_runnable ON jobs(run_at) WHERE status = 'queued';

-- 码规格 -----------------------------------------------------------------------------------
CREATE TABLE code_specs (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id         bigint NOT NULL REFERENCES enterprises(id),
    name                  text NOT NULL,
    -- Columns of each code file, in order: serial, code, url, pin, package, batch.
    file_fields           text[] NOT NULL,
    file_format           text NOT NULL CHECK (file_format IN ('csv', 'txt')),
    separator             text NOT NULL DEFAULT ',',
    with_header           boolean NOT NULL DEFAULT true,
    -- 0: no anti-counterfeit PIN; else its number of digits.
    pin_digits            smallint NOT NULL DEFAULT 0 CHECK (pin_digits = 0 OR pin_digits BETWEEN 4 AND 8),
    -- What a scan opens: Tessera's consumer page, or an external URL template with {code}.
    landing               text NOT NULL DEFAULT 'tessera' CHECK (landing IN ('tessera', 'external')),
    landing_url           text NOT NULL DEFAULT '',
    flow_name             text NOT NULL DEFAULT '',
    -- Warning parameters, in hours (NULL: no warning).
    warn_generated_hours  integer CHECK (warn_generated_hours > 0),
    warn_entered_hours    integer CHECK (warn_entered_hours > 0),
    warn_sent_hours       integer CHECK (warn_sent_hours > 0),
    created_by            bigint REFERENCES users(id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1,
    CONSTRAINT code_specs_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

-- The review flow of a spec: who may apply, review, receive files, receive passwords.
CREATE TABLE code_spec_people (
    enterprise_id  bigint NOT NULL,
    spec_id        bigint NOT NULL,
    role           text NOT NULL CHECK (role IN ('applicant', 'reviewer', 'file_receiver', 'password_receiver')),
    user_id        bigint NOT NULL,
    PRIMARY KEY (spec_id, role, user_id),
    FOREIGN KEY (enterprise_id, spec_id) REFERENCES code_specs(enterprise_id, id) ON DELETE CASCADE,
    FOREIGN KEY (enterprise_id, user_id) REFERENCES memberships(enterprise_id, user_id)
);
CREATE INDEX code_spec_people_user ON code_spec_people(enterprise_id, user_id);

-- 码包 -------------------------------------------------------------------------------------
CREATE TABLE code_packages (
    -- The id is enciphered into every code in 30 bits (docs/codes.md).
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY CHECK (id < 1073741824),
    enterprise_id          bigint NOT NULL REFERENCES enterprises(id),
    spec_id                bigint NOT NULL,
    name                   text NOT NULL,
    purpose                text NOT NULL CHECK (purpose IN ('production', 'test')),
    code_count             integer NOT NULL CHECK (code_count BETWEEN 1 AND 20000000),
    file_count             integer NOT NULL CHECK (file_count BETWEEN 1 AND 100 AND file_count <= code_count),
    factory_id             bigint NOT NULL,           -- receiving packaging factory
    product_id             bigint,                    -- pre-entered product
    filling_factory_id     bigint,                    -- pre-entered filling factory
    remark                 text NOT NULL DEFAULT '',
    status                 text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'approved', 'rejected', 'generating', 'generated', 'failed', 'sent')),
    reject_reason          text,
    applied_by             bigint NOT NULL REFERENCES users(id),
    applied_at             timestamptz NOT NULL DEFAULT now(),
    reviewed_by            bigint REFERENCES users(id),
    reviewed_at            timestamptz,
    -- The package key: derived from the master secret of key_version and this salt.
    key_version            smallint NOT NULL,
    key_salt               bytea NOT NULL,
    job_id                 bigint REFERENCES jobs(id),
    generated_at           timestamptz,
    sent_at                timestamptz,
    sent_by                bigint REFERENCES users(id),
    -- Delivery: the extraction link's token and the extraction code, both stored as SHA-256.
    extraction_token_hash  bytea UNIQUE,
    extraction_code_hash   bytea,
    extraction_expires_at  timestamptz,
    version                integer NOT NULL DEFAULT 1,
    CONSTRAINT code_packages_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, spec_id) REFERENCES code_specs(enterprise_id, id),
    FOREIGN KEY (enterprise_id, factory_id) REFERENCES factories(enterprise_id, id),
    FOREIGN KEY (enterprise_id, product_id) REFERENCES products(enterprise_id, id),
    FOREIGN KEY (enterprise_id, filling_factory_id) REFERENCES factories(enterprise_id, id)
);
CREATE INDEX code_packages_status ON code_packages(enterprise_id, status, applied_at DESC);

-- One file of a package: a contiguous serial range.
CREATE TABLE code_batches (
    enterprise_id  bigint NOT NULL,
    package_id     bigint NOT NULL,
    batch_no       integer NOT NULL CHECK (batch_no >= 1),
    serial_start   integer NOT NULL CHECK (serial_start >= 1),
    serial_end     integer NOT NULL,
    file_name      text NOT NULL,
    file_size      bigint,
    generated_at   timestamptz,
    -- At most 3 downloads, enforced here (the download is a conditional increment).
    downloads      smallint NOT NULL DEFAULT 0 CHECK (downloads BETWEEN 0 AND 3),
    PRIMARY KEY (package_id, batch_no),
    UNIQUE (enterprise_id, package_id, batch_no),
    CHECK (serial_end >= serial_start),
    FOREIGN KEY (enterprise_id, package_id) REFERENCES code_packages(enterprise_id, id)
);

-- A correct extraction code opens a short-lived grant to download the package's batches.
CREATE TABLE code_extractions (
    token_hash     bytea PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    package_id     bigint NOT NULL,
    user_id        bigint NOT NULL REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    FOREIGN KEY (enterprise_id, package_id) REFERENCES code_packages(enterprise_id, id)
);

-- History of extraction and download, per package and batch.
CREATE TABLE code_delivery_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    package_id     bigint NOT NULL,
    batch_no       integer,                        -- NULL but for a download
    -- send: the package was (re)sent; wrong_code: a refused extraction code (the throttle counts
    -- these since the last send); extract: a correct code opened a download grant.
    event          text NOT NULL CHECK (event IN ('send', 'extract', 'wrong_code', 'download')),
    user_id        bigint REFERENCES users(id),
    ip             text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (enterprise_id, package_id) REFERENCES code_packages(enterprise_id, id)
);
CREATE INDEX code_delivery_log_package ON code_delivery_log(enterprise_id, package_id, at DESC);

-- 码信息录入 / 激活 --------------------------------------------------------------------------
-- Enterprise-defined extra fields of info entry.
CREATE TABLE code_info_fields (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    name           text NOT NULL,
    required       boolean NOT NULL DEFAULT false,
    sort           integer NOT NULL DEFAULT 0,
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT code_info_fields_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

-- Entered info and activation state of a serial range (号段) inside one batch.
CREATE TABLE code_ranges (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    package_id     bigint NOT NULL,
    batch_no       integer NOT NULL,
    serial_start   integer NOT NULL,
    serial_end     integer NOT NULL,
    product_id     bigint,
    brand_id       bigint,
    factory_id     bigint,
    workshop_id    bigint,
    line_id        bigint,
    produced_at    timestamptz,
    extra          jsonb NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'entered' CHECK (status IN ('entered', 'scheduled', 'active')),
    activate_at    timestamptz,
    activated_at   timestamptz,
    activated_by   bigint REFERENCES users(id),
    entered_at     timestamptz NOT NULL DEFAULT now(),
    entered_by     bigint REFERENCES users(id),
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (enterprise_id, id),
    CHECK (serial_end >= serial_start),
    CONSTRAINT code_ranges_no_overlap
        EXCLUDE USING gist (package_id WITH =, int4range(serial_start, serial_end, '[]') WITH &&),
    FOREIGN KEY (enterprise_id, package_id, batch_no) REFERENCES code_batches(enterprise_id, package_id, batch_no),
    FOREIGN KEY (enterprise_id, product_id) REFERENCES products(enterprise_id, id),
    FOREIGN KEY (enterprise_id, brand_id) REFERENCES brands(enterprise_id, id),
    FOREIGN KEY (enterprise_id, factory_id) REFERENCES factories(enterprise_id, id),
    FOREIGN KEY (enterprise_id, workshop_id) REFERENCES workshops(enterprise_id, id),
    FOREIGN KEY (enterprise_id, line_id) REFERENCES production_lines(enterprise_id, id)
);

-- 码报废: scrapped serial ranges (a single code is a range of one). Never deleted.
CREATE TABLE code_scraps (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    package_id     bigint NOT NULL,
    batch_no       integer NOT NULL,
    method         text NOT NULL CHECK (method IN ('batch', 'range', 'code')),
    serial_start   integer NOT NULL,
    serial_end     integer NOT NULL,
    reason         text NOT NULL,
    scrapped_by    bigint REFERENCES users(id),
    scrapped_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (serial_end >= serial_start),
    CONSTRAINT code_scraps_no_overlap
        EXCLUDE USING gist (package_id WITH =, int4range(serial_start, serial_end, '[]') WITH &&),
    FOREIGN KEY (enterprise_id, package_id, batch_no) REFERENCES code_batches(enterprise_id, package_id, batch_no)
);
CREATE INDEX code_scraps_list ON code_scraps(enterprise_id, scrapped_at DESC);

-- 设置管理 ----------------------------------------------------------------------------------
-- 预警通知: one row per warning condition and subject (raised once, until handled).
CREATE TABLE warnings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    kind           text NOT NULL,
    subject        text NOT NULL,
    title          text NOT NULL,
    body           text NOT NULL,
    link           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    handled_at     timestamptz,
    handled_by     bigint REFERENCES users(id),
    CONSTRAINT warnings_once UNIQUE (enterprise_id, kind, subject)
);
CREATE INDEX warnings_list ON warnings(enterprise_id, created_at DESC);

-- Anti-counterfeit PIN checks of the consumer scan page, per code (only codes whose PIN was
-- typed get a row): wrong attempts in the current hour (at most 5, enforced by a conditional
-- upsert) and how often / since when the right PIN was shown, which warns of copied codes.
CREATE TABLE scan_pin_checks (
    enterprise_id      bigint NOT NULL REFERENCES enterprises(id),
    package_id         bigint NOT NULL,
    serial             integer NOT NULL,
    failures           smallint NOT NULL DEFAULT 0,
    window_start       timestamptz NOT NULL DEFAULT now(),
    verified           integer NOT NULL DEFAULT 0,
    first_verified_at  timestamptz,
    PRIMARY KEY (package_id, serial),
    FOREIGN KEY (enterprise_id, package_id) REFERENCES code_packages(enterprise_id, id)
);
ALTER TABLE scan_pin_checks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON scan_pin_checks TO tessera_app
    USING (enterprise_id = tessera_enterprise()) WITH CHECK (enterprise_id = tessera_enterprise());

-- 下载中心: files produced by export jobs, kept 7 days, visible to the person who asked.
CREATE TABLE exports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    user_id        bigint NOT NULL REFERENCES users(id),
    kind           text NOT NULL,
    title          text NOT NULL,
    params         jsonb NOT NULL DEFAULT '{}',
    job_id         bigint REFERENCES jobs(id),
    rows           bigint,
    file_name      text,
    file_size      bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL DEFAULT now() + interval '7 days'
);
CREATE INDEX exports_user ON exports(enterprise_id, user_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['code_specs', 'code_spec_people', 'code_packages', 'code_batches', 'code_extractions',
                             'code_delivery_log', 'code_info_fields', 'code_ranges', 'code_scraps', 'warnings', 'exports']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I TO tessera_app
                        USING (enterprise_id = tessera_enterprise())
                        WITH CHECK (enterprise_id = tessera_enterprise())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tessera_app', t);
    END LOOP;
END $$;
