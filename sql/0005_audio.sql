-- Audio evidence: stored media (encrypted objects), recorded segments, and recording sessions (events).

-- One stored object. `s3_path` is a random, non-guessable storage key; the object is AES-GCM ciphertext whose
-- data key is kept here wrapped by the master key named `enc_key_id` (master-key rotation re-wraps this column only).
CREATE TABLE media_upload (
    id VARCHAR(200) PRIMARY KEY,
    file_info TEXT NOT NULL DEFAULT '{}',
    file_sha1 VARCHAR(200) NOT NULL,
    file_size BIGINT NOT NULL,
    s3_path TEXT NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    intention VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    enc_key_id VARCHAR(64) NOT NULL,
    enc_wrapped_key TEXT NOT NULL
);
CREATE INDEX media_upload_cliente_idx ON media_upload (cliente_id);
CREATE UNIQUE INDEX media_upload_s3_path_key ON media_upload (s3_path);

-- A recording session; event_id = '<cliente_id>:<uuid sent by the app>'.
CREATE TABLE clientes_audios_eventos (
    event_id VARCHAR(200) PRIMARY KEY,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    audio_duration NUMERIC(10, 5) NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'free_access',
    requested_by_user BOOLEAN NOT NULL DEFAULT FALSE,
    total_bytes BIGINT NOT NULL DEFAULT 0,
    last_cliente_created_at TIMESTAMP NOT NULL,
    requested_by_user_at TIMESTAMP,
    deleted_at TIMESTAMP,
    estava_em_situacao_risco BOOLEAN NOT NULL
);
CREATE INDEX clientes_audios_eventos_cliente_idx ON clientes_audios_eventos (cliente_id, last_cliente_created_at);
CREATE INDEX clientes_audios_eventos_status_idx ON clientes_audios_eventos (status, created_at);

-- One uploaded segment. A re-upload of the same (event_id, event_sequence) flags the older row
-- duplicated_upload, so at most one current row exists per segment (partial unique index).
CREATE TABLE clientes_audios (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    played_count BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    cliente_created_at TIMESTAMP NOT NULL,
    media_upload_id VARCHAR(200) NOT NULL REFERENCES media_upload (id) ON DELETE CASCADE,
    event_id VARCHAR(200) NOT NULL REFERENCES clientes_audios_eventos (event_id) ON DELETE CASCADE,
    event_sequence INTEGER NOT NULL,
    waveform_base64 TEXT,
    audio_duration DOUBLE PRECISION NOT NULL,
    duplicated_upload BOOLEAN NOT NULL DEFAULT FALSE,
    first_downloaded_at TIMESTAMP
);
CREATE INDEX clientes_audios_cliente_idx ON clientes_audios (cliente_id);
CREATE INDEX clientes_audios_media_upload_idx ON clientes_audios (media_upload_id);
CREATE UNIQUE INDEX clientes_audios_current_segment_key
    ON clientes_audios (event_id, event_sequence) WHERE NOT duplicated_upload;
