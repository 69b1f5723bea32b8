-- Crowds (消费者洞察 → 人群管理): consumer sets built from conditions, uploads or set operations
-- of other crowds, stored as serialized roaring bitmaps of consumer ids (docs/crowds.md).
--
-- The crowd engine keeps an in-memory index of every enterprise's consumers and behaviour
-- (server::crowd_index) and catches up with what changed since its last look: consumers by
-- updated_at, scans/draws/wins/claims/redemptions by their own time column. The indexes below
-- make each catch-up a range read.

ALTER TABLE consumers ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX consumers_updated ON consumers(enterprise_id, updated_at);
CREATE FUNCTION tessera_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER consumers_touch BEFORE UPDATE ON consumers FOR EACH ROW EXECUTE FUNCTION tessera_touch_updated_at();

CREATE INDEX draws_time ON draws(enterprise_id, drawn_at);
CREATE INDEX draw_wins_time ON draw_wins(enterprise_id, won_at);
CREATE INDEX draw_wins_claimed ON draw_wins(enterprise_id, claimed_at) WHERE claimed_at IS NOT NULL;
CREATE INDEX draw_wins_redeemed ON draw_wins(enterprise_id, redeemed_at) WHERE redeemed_at IS NOT NULL;

CREATE TABLE crowd_folders (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    name           text NOT NULL,
    CONSTRAINT crowd_folders_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE crowds (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    folder_id      bigint,
    name           text NOT NULL,
    remark         text NOT NULL DEFAULT '',
    source         text NOT NULL CHECK (source IN ('filter', 'upload', 'set_op')),
    -- domain::crowd::Definition (the tree, the set operation, or the upload's summary).
    definition     jsonb NOT NULL,
    portrait       boolean NOT NULL DEFAULT true,
    exclude_hunters boolean NOT NULL DEFAULT false,
    -- domain::crowd::Refresh
    refresh        jsonb NOT NULL,
    refresh_mode   text NOT NULL DEFAULT 'manual' CHECK (refresh_mode IN ('manual', 'daily', 'hourly')),
    next_refresh_at timestamptz,
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'computing', 'computed', 'failed')),
    failure        text,
    -- Serialized roaring bitmap of consumer ids (NULL until first computed).
    members        bytea,
    size           bigint,
    insightable    bigint,
    computed_at    timestamptz,
    -- Bumped by every computation: caches of the members key on it.
    generation     integer NOT NULL DEFAULT 0,
    created_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    CONSTRAINT crowds_name_unique UNIQUE (enterprise_id, name),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, folder_id) REFERENCES crowd_folders(enterprise_id, id)
);
CREATE INDEX crowds_list ON crowds(enterprise_id, created_at DESC);
CREATE INDEX crowds_due ON crowds(next_refresh_at) WHERE next_refresh_at IS NOT NULL;

-- What a crowd reads: other crowds (set operations, "member of") — deleting a referenced crowd
-- is refused with the names of its dependants.
CREATE TABLE crowd_refs (
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    crowd_id       bigint NOT NULL,
    ref_crowd_id   bigint NOT NULL,
    PRIMARY KEY (enterprise_id, crowd_id, ref_crowd_id),
    FOREIGN KEY (enterprise_id, crowd_id) REFERENCES crowds(enterprise_id, id) ON DELETE CASCADE,
    FOREIGN KEY (enterprise_id, ref_crowd_id) REFERENCES crowds(enterprise_id, id)
);
CREATE INDEX crowd_refs_ref ON crowd_refs(enterprise_id, ref_crowd_id);

-- Archived on a manual refresh: `<name>_<timestamp>`; usable in set operations.
CREATE TABLE crowd_snapshots (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  bigint NOT NULL REFERENCES enterprises(id),
    crowd_id       bigint NOT NULL,
    name           text NOT NULL,
    members        bytea NOT NULL,
    size           bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, crowd_id) REFERENCES crowds(enterprise_id, id) ON DELETE CASCADE
);
CREATE INDEX crowd_snapshots_crowd ON crowd_snapshots(enterprise_id, crowd_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['crowd_folders', 'crowds', 'crowd_refs', 'crowd_snapshots']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I TO tessera_app
                        USING (enterprise_id = tessera_enterprise())
                        WITH CHECK (enterprise_id = tessera_enterprise())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tessera_app', t);
    END LOOP;
END $$;
