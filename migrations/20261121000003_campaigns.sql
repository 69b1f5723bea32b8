-- Scan-to-win campaigns (营销中心 → 扫码营销): consumers and their devices, scans, campaigns with
-- prizes and delivery plans, draws and wins, the points ledger, risk control.
--
-- Exactness lives here: prize stock is a CHECK on a counter moved by conditional UPDATEs; every
-- cap is a row in campaign_counters moved by a conditional upsert; a draw is unique per scan and
-- per idempotency key. Nothing is read-then-written in Rust (docs/campaigns.md).

-- 消费者 ----------------------------------------------------------------------------------
-- A consumer of one enterprise (the analogue of an openid: per brand). Devices (signed cookie
-- ids) point at a consumer; binding a verified mobile merges the device's consumer into the one
-- that already has that mobile (merged_into).
CREATE TABLE consumers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    mobile         text CHECK (mobile ~ '^1[3-9][0-9]{9}$'),
    name           text NOT NULL DEFAULT '',
    gender         text CHECK (gender IN ('male', 'female')),
    birth_year     smallint CHECK (birth_year BETWEEN 1900 AND 2100),
    province       text,
    city           text,
    marital        text CHECK (marital IN ('single', 'married')),
    education      text CHECK (education IN ('secondary', 'college', 'bachelor', 'master', 'doctorate')),
    interests      text[] NOT NULL DEFAULT '{}',
    -- Kept by the points ledger in the same transaction as each ledger row.
    points         integer NOT NULL DEFAULT 0 CHECK (points >= 0),
    -- Risk control: 0 normal, 1 watch, 2 high (domain::risk::RiskLevel); bonus hunter (羊毛党).
    risk_level     smallint NOT NULL DEFAULT 0 CHECK (risk_level BETWEEN 0 AND 2),
    bonus_hunter   boolean NOT NULL DEFAULT false,
    source         text NOT NULL DEFAULT 'scan' CHECK (source IN ('scan', 'import')),
    merged_into    bigint,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_scan_at   timestamptz,
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT consumers_mobile_unique UNIQUE (enterprise_id, mobile),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, merged_into) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX consumers_recent ON consumers(enterprise_id, last_scan_at DESC NULLS LAST);

-- A browser (or mini-program install) identified by the signed first-party cookie.
CREATE TABLE consumer_devices (
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    device_id      text NOT NULL CHECK (length(device_id) = 32),
    consumer_id    bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, device_id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX consumer_devices_consumer ON consumer_devices(enterprise_id, consumer_id);

-- One-time codes for binding a mobile (only the SHA-256 is kept; 5 attempts, 10 minutes).
CREATE TABLE consumer_mobile_codes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    device_id      text NOT NULL CHECK (length(device_id) = 32),
    mobile         text NOT NULL,
    code_hash      bytea NOT NULL,
    attempts       smallint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);
CREATE INDEX consumer_mobile_codes_device ON consumer_mobile_codes(enterprise_id, device_id, created_at DESC);

-- Every change of a consumer's points; consumers.points is the running balance (never < 0).
CREATE TABLE points_ledger (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    consumer_id    bigint NOT NULL,
    delta          integer NOT NULL CHECK (delta <> 0),
    balance        integer NOT NULL CHECK (balance >= 0),
    reason         text NOT NULL CHECK (reason IN ('prize', 'redeem', 'adjust', 'merge')),
    win_id         bigint,
    note           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX points_ledger_consumer ON points_ledger(enterprise_id, consumer_id, id DESC);

-- 营销活动 --------------------------------------------------------------------------------
-- The wizard's steps 1, 2, 4 and 5 are typed documents (domain::campaign) kept as jsonb; prizes
-- are rows because the draw moves their counters.
CREATE TABLE campaigns (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    kind           text NOT NULL CHECK (kind IN ('nine_grid', 'scratch')),
    name           text NOT NULL,
    status         text NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'ended')),
    starts_at      timestamptz,
    ends_at        timestamptz,
    -- Overlaps: among running campaigns matching a scan, the highest priority wins, then the
    -- earliest start, then the lowest id (domain::campaign::overlap_order).
    priority       integer NOT NULL DEFAULT 0,
    basic          jsonb NOT NULL,
    settings       jsonb NOT NULL,
    delivery       jsonb NOT NULL,
    page           jsonb NOT NULL,
    -- The furthest wizard step saved (1–5).
    step           smallint NOT NULL DEFAULT 1 CHECK (step BETWEEN 1 AND 5),
    copied_from    bigint,
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT campaigns_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);
CREATE INDEX campaigns_running ON campaigns(enterprise_id) WHERE status IN ('scheduled', 'running');

CREATE TABLE campaign_prizes (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id         bigint NOT NULL,
    campaign_id           bigint NOT NULL,
    -- Stable within the campaign: delivery plans and over-limit settings refer to it.
    key                   smallint NOT NULL CHECK (key > 0),
    position              smallint NOT NULL DEFAULT 0,
    name                  text NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('points', 'coupon', 'goods', 'cash', 'thanks')),
    image                 text,
    points                integer NOT NULL DEFAULT 0 CHECK (points >= 0),
    -- Cost to the brand per unit in fen (the cash amount for cash-like prizes).
    value_fen             bigint NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
    -- NULL only for thanks-for-playing (no stock).
    quantity              integer CHECK (quantity >= 0),
    awarded               integer NOT NULL DEFAULT 0 CHECK (awarded >= 0),
    warning_value         integer CHECK (warning_value >= 0),
    -- Claim expiry: hours after the win, or a fixed time; neither: no expiry.
    claim_hours           integer CHECK (claim_hours > 0),
    claim_until           timestamptz,
    daily_cap             integer CHECK (daily_cap > 0),
    per_person_cap        integer CHECK (per_person_cap > 0),
    per_person_daily_cap  integer CHECK (per_person_daily_cap > 0),
    over_limit_key        smallint,
    -- Coupons: codes generated at the win, or taken from imported coupon_codes; validity.
    coupon_source         text CHECK (coupon_source IN ('generate', 'import')),
    coupon_valid_days     integer CHECK (coupon_valid_days > 0),
    coupon_valid_from     timestamptz,
    coupon_valid_to       timestamptz,
    -- When the warning (remaining ≤ warning value) was raised, so it is raised once per refill.
    warned_at             timestamptz,
    CONSTRAINT campaign_prizes_stock CHECK (quantity IS NULL OR awarded <= quantity),
    CONSTRAINT campaign_prizes_key_unique UNIQUE (campaign_id, key),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, campaign_id) REFERENCES campaigns(enterprise_id, id) ON DELETE CASCADE
);

-- Imported coupon codes; win_id is set when a win takes one (FOR UPDATE SKIP LOCKED).
CREATE TABLE coupon_codes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    prize_id       bigint NOT NULL,
    code           text NOT NULL,
    win_id         bigint,
    CONSTRAINT coupon_codes_unique UNIQUE (prize_id, code),
    FOREIGN KEY (enterprise_id, prize_id) REFERENCES campaign_prizes(enterprise_id, id) ON DELETE CASCADE
);
CREATE INDEX coupon_codes_free ON coupon_codes(prize_id, id) WHERE win_id IS NULL;

-- Every cap as a counter row: kind (domain::lottery::Counter), subject(s), day (1970-01-01 for
-- the whole campaign), count and last time. Moved only by a conditional upsert that refuses to
-- pass the cap, in the draw's transaction.
CREATE TABLE campaign_counters (
    enterprise_id  bigint NOT NULL,
    campaign_id    bigint NOT NULL,
    kind           smallint NOT NULL,
    subject        bigint NOT NULL,
    subject2       bigint NOT NULL DEFAULT 0,
    day            date NOT NULL,
    n              integer NOT NULL CHECK (n >= 0),
    last_at        timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, kind, subject, subject2, day),
    FOREIGN KEY (enterprise_id, campaign_id) REFERENCES campaigns(enterprise_id, id) ON DELETE CASCADE
);

-- 扫码 ------------------------------------------------------------------------------------
-- One row per scan of a genuine code (invalid strings belong to no enterprise and are only
-- counted by risk control).
CREATE TABLE scans (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    consumer_id    bigint NOT NULL,
    device_id      text NOT NULL CHECK (length(device_id) = 32),
    package_id     bigint NOT NULL,
    serial         integer NOT NULL,
    product_id     bigint,
    campaign_id    bigint,
    -- genuine (active), not_activated, scrapped
    verdict        text NOT NULL CHECK (verdict IN ('genuine', 'not_activated', 'scrapped')),
    province       text,
    city           text,
    region_source  text NOT NULL DEFAULT 'unknown' CHECK (region_source IN ('geo', 'profile', 'unknown')),
    ip             inet,
    scanned_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX scans_time ON scans(enterprise_id, scanned_at);
CREATE INDEX scans_consumer ON scans(enterprise_id, consumer_id, scanned_at);
CREATE INDEX scans_code ON scans(package_id, serial);
-- Led by the enterprise like the tenant filter every query carries: on (device, time) alone the
-- planner ANDed it with the enterprise's index and read every scan of the enterprise per scan.
CREATE INDEX scans_device ON scans(enterprise_id, device_id, scanned_at);
CREATE INDEX scans_campaign ON scans(campaign_id, scanned_at) WHERE campaign_id IS NOT NULL;

-- Per scanned code: the anti-counterfeit signal ("first scanned on … in …; scanned N times").
CREATE TABLE code_scan_stats (
    package_id        bigint NOT NULL,
    serial            integer NOT NULL,
    enterprise_id     bigint NOT NULL REFERENCES enterprises(id),
    scans             integer NOT NULL,
    consumers         integer NOT NULL DEFAULT 1,
    first_at          timestamptz NOT NULL,
    first_province    text,
    first_city        text,
    first_consumer_id bigint NOT NULL,
    last_at           timestamptz NOT NULL,
    PRIMARY KEY (package_id, serial)
);

-- 抽奖 ------------------------------------------------------------------------------------
-- A draw: at most one per scan and per (consumer, idempotency key); records the plan and the
-- random values used so that any result can be audited.
CREATE TABLE draws (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    bigint NOT NULL,
    campaign_id      bigint NOT NULL,
    consumer_id      bigint NOT NULL,
    scan_id          bigint NOT NULL,
    idempotency_key  text NOT NULL,
    plan_key         smallint NOT NULL,
    -- One value in [0, 1 000 000) per prize group, from the operating system's CSPRNG.
    randoms          integer[] NOT NULL,
    package_id       bigint NOT NULL,
    serial           integer NOT NULL,
    product_id       bigint,
    province         text,
    city             text,
    drawn_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT draws_scan_unique UNIQUE (scan_id),
    CONSTRAINT draws_idempotency_unique UNIQUE (enterprise_id, consumer_id, idempotency_key),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, campaign_id) REFERENCES campaigns(enterprise_id, id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id),
    FOREIGN KEY (enterprise_id, scan_id) REFERENCES scans(enterprise_id, id)
);
CREATE INDEX draws_campaign ON draws(campaign_id, drawn_at);
CREATE INDEX draws_consumer ON draws(enterprise_id, consumer_id, drawn_at);

-- A prize won in a draw (one per prize group that paid out). drawn_key is what the random value
-- picked; prize_id what was awarded (the over-limit prize when a cap or the stock refused it).
CREATE TABLE draw_wins (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    bigint NOT NULL,
    campaign_id      bigint NOT NULL,
    draw_id          bigint NOT NULL,
    consumer_id      bigint NOT NULL,
    group_index      smallint NOT NULL,
    prize_id         bigint NOT NULL,
    drawn_key        smallint NOT NULL,
    -- Why the drawn prize was replaced (domain::lottery::Refusal), if it was.
    over_limit       text,
    status           text NOT NULL DEFAULT 'unclaimed' CHECK (status IN ('unclaimed', 'claimed', 'expired')),
    claim_deadline   timestamptz,
    claimed_at       timestamptz,
    claim_key        text,
    coupon_code      text,
    coupon_valid_to  timestamptz,
    redeemed_at      timestamptz,
    -- Physical goods: the consumer's address (domain::play::Address: name, mobile, province, city, detail).
    address          jsonb,
    shipped_at       timestamptz,
    -- Cash-like prizes: paid by an external system, marked when exported for payout.
    payout_exported_at timestamptz,
    won_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT draw_wins_group_unique UNIQUE (draw_id, group_index),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, draw_id) REFERENCES draws(enterprise_id, id),
    FOREIGN KEY (enterprise_id, prize_id) REFERENCES campaign_prizes(enterprise_id, id),
    FOREIGN KEY (enterprise_id, consumer_id) REFERENCES consumers(enterprise_id, id)
);
CREATE INDEX draw_wins_consumer ON draw_wins(enterprise_id, consumer_id, won_at DESC);
CREATE INDEX draw_wins_campaign ON draw_wins(campaign_id, won_at);
CREATE INDEX draw_wins_prize ON draw_wins(prize_id);

ALTER TABLE points_ledger ADD FOREIGN KEY (enterprise_id, win_id) REFERENCES draw_wins(enterprise_id, id);

-- 营销风控 --------------------------------------------------------------------------------
CREATE TABLE blacklist (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    kind           text NOT NULL CHECK (kind IN ('consumer', 'device', 'ip', 'mobile')),
    value          text NOT NULL,
    reason         text NOT NULL DEFAULT '',
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blacklist_unique UNIQUE (enterprise_id, kind, value)
);

-- Sliding windows of risk control: requests per device / IP per minute, distinct codes per
-- device per hour … (domain::risk). One row per (key, window), moved by an upsert.
CREATE TABLE risk_windows (
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    key            text NOT NULL,
    window_start   timestamptz NOT NULL,
    n              integer NOT NULL,
    PRIMARY KEY (enterprise_id, key, window_start)
);

-- What risk control noticed (and whether it blocked), for the console's 营销风控 page.
CREATE TABLE risk_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    consumer_id    bigint,
    device_id      text,
    ip             inet,
    rule           text NOT NULL,
    blocked        boolean NOT NULL,
    detail         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_events_recent ON risk_events(enterprise_id, created_at DESC);
CREATE INDEX risk_events_consumer ON risk_events(enterprise_id, consumer_id, created_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['consumers', 'consumer_devices', 'consumer_mobile_codes', 'points_ledger', 'campaigns',
                             'campaign_prizes', 'coupon_codes', 'campaign_counters', 'scans', 'code_scan_stats',
                             'draws', 'draw_wins', 'blacklist', 'risk_windows', 'risk_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I TO tessera_app
                        USING (enterprise_id = tessera_enterprise())
                        WITH CHECK (enterprise_id = tessera_enterprise())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tessera_app', t);
    END LOOP;
END $$;

-- The enterprise of a scan or a win, for the consumer's draw and claim: their requests name
-- only the scan or the win, and the tenant transaction is opened with this in the same round
-- trip (server::db::Db::tenant_of).
CREATE FUNCTION tessera_scan_enterprise(scan bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT enterprise_id FROM scans WHERE id = scan $$;
CREATE FUNCTION tessera_win_enterprise(win bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT enterprise_id FROM draw_wins WHERE id = win $$;
REVOKE ALL ON FUNCTION tessera_scan_enterprise(bigint), tessera_win_enterprise(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tessera_scan_enterprise(bigint), tessera_win_enterprise(bigint) TO tessera_app;
