-- Operations: the record of backup work (read by `penhas health` and `penhas backup list`) and the claims that
-- let several job consumers agree on who runs each periodic job for each scheduled period.

CREATE TABLE backup_runs (
    id @PK@,
    kind VARCHAR(20) NOT NULL,
    backup_id VARCHAR(100),
    location VARCHAR(500) NOT NULL,
    status VARCHAR(20) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    error TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX backup_runs_kind_started_idx ON backup_runs (kind, started_at);
CREATE INDEX backup_runs_backup_id_idx ON backup_runs (backup_id);

-- One row per job and period: the unique index is the claim, so a second consumer's copy of the same
-- scheduled run fails to insert and skips. Manual runs (`penhas jobs run`) have no period.
CREATE TABLE periodic_runs (
    id @PK@,
    name VARCHAR(100) NOT NULL,
    period_start TIMESTAMP,
    source VARCHAR(20) NOT NULL,
    consumer VARCHAR(200) NOT NULL,
    status VARCHAR(20) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    error TEXT
);
CREATE UNIQUE INDEX periodic_runs_name_period_key ON periodic_runs (name, period_start);
CREATE INDEX periodic_runs_started_at_idx ON periodic_runs (started_at);
