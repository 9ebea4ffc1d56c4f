-- Guardians and panic alerts: invitations, alert and police-call records, the SMS log, failed jobs, the
-- guardian page FAQ. Everything a user owns references clientes(id) ON DELETE CASCADE.

-- A guardian invitation; `token` is the capability in the SMS link (random part + HMAC with the server secret).
CREATE TABLE clientes_guardioes (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    celular_e164 VARCHAR(25) NOT NULL,
    nome VARCHAR(200) NOT NULL,
    token VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_meta TEXT NOT NULL DEFAULT '{}',
    celular_formatted_as_national VARCHAR(25) NOT NULL,
    refused_at TIMESTAMP,
    deleted_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    estava_em_situacao_risco BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX clientes_guardioes_token_key ON clientes_guardioes (token);
CREATE INDEX clientes_guardioes_cliente_celular_idx ON clientes_guardioes (cliente_id, celular_e164);

-- One row per panic-button press, written before the limits are applied (status says whether it was sent).
CREATE TABLE cliente_ativacoes_panico (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'accepted',
    alert_sent_to TEXT NOT NULL DEFAULT '{}',
    gps_lat VARCHAR(25),
    gps_long VARCHAR(25),
    meta TEXT NOT NULL DEFAULT '{}',
    sms_enviados BIGINT NOT NULL DEFAULT 0,
    estava_em_situacao_risco BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX cliente_ativacoes_panico_cliente_created_idx ON cliente_ativacoes_panico (cliente_id, created_at);

-- One row per "call the police" press.
CREATE TABLE cliente_ativacoes_policia (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    estava_em_situacao_risco BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX cliente_ativacoes_policia_cliente_idx ON cliente_ativacoes_policia (cliente_id);

-- Every SMS, written before the provider is called; `status` moves queued → sending → sent, or to retrying /
-- failed (retries exhausted: an operator retries it with `penhas jobs retry`). A `sent` row is never sent again.
CREATE TABLE sent_sms_log (
    id @PK@,
    phonenumber VARCHAR(200) NOT NULL,
    message VARCHAR(2000) NOT NULL,
    notes TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    sns_message_id VARCHAR(200),
    kind VARCHAR(20) NOT NULL,
    priority INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR(500),
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    cliente_id BIGINT REFERENCES clientes (id) ON DELETE CASCADE,
    guardiao_id BIGINT REFERENCES clientes_guardioes (id) ON DELETE SET NULL,
    alert_id BIGINT REFERENCES cliente_ativacoes_panico (id) ON DELETE CASCADE
);
CREATE INDEX sent_sms_log_status_idx ON sent_sms_log (status, updated_at);
CREATE INDEX sent_sms_log_phonenumber_idx ON sent_sms_log (phonenumber);
CREATE INDEX sent_sms_log_cliente_idx ON sent_sms_log (cliente_id);
CREATE INDEX sent_sms_log_guardiao_idx ON sent_sms_log (guardiao_id);
CREATE INDEX sent_sms_log_alert_idx ON sent_sms_log (alert_id);

-- Jobs that exhausted their retries (any Huey task, any queue storage), kept until an operator retries them.
-- `args`/`kwargs` hold ids only, never personal data.
CREATE TABLE failed_jobs (
    id @PK@,
    name VARCHAR(200) NOT NULL,
    args TEXT NOT NULL DEFAULT '[]',
    kwargs TEXT NOT NULL DEFAULT '{}',
    priority INTEGER,
    error VARCHAR(2000) NOT NULL,
    failed_at TIMESTAMP NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'failed',
    retried_at TIMESTAMP
);
CREATE INDEX failed_jobs_status_idx ON failed_jobs (status, id);

-- FAQ shown on the guardian's web page (seeded from fixtures/400_faq_tela_guardiao.json).
CREATE TABLE faq_tela_guardiao (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'published',
    sort INTEGER NOT NULL DEFAULT 0,
    title VARCHAR(500) NOT NULL,
    content_html TEXT NOT NULL
);
