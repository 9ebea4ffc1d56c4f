-- Foundation: users and their sessions, operator audit trail, deletion tombstones, mail outbox.

-- [postgres]
CREATE EXTENSION IF NOT EXISTS postgis;
-- [end]

CREATE TABLE clientes (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'setup',
    created_on TIMESTAMP NOT NULL,
    cpf_hash VARCHAR(200) NOT NULL,
    cpf_prefix VARCHAR(200) NOT NULL,
    dt_nasc DATE NOT NULL,
    email VARCHAR(200) NOT NULL,
    cep VARCHAR(8) NOT NULL,
    cep_cidade VARCHAR(200),
    cep_estado VARCHAR(200),
    cep_ibge VARCHAR(10),
    genero VARCHAR(100) NOT NULL,
    raca VARCHAR(100),
    minibio VARCHAR(2200),
    nome_completo VARCHAR(200) NOT NULL,
    login_status VARCHAR(20) NOT NULL DEFAULT 'OK',
    login_status_last_blocked_at TIMESTAMP,
    ja_foi_vitima_de_violencia BOOLEAN,
    ja_foi_vitima_de_violencia_atualizado_em TIMESTAMP,
    senha_hash VARCHAR(300) NOT NULL,
    modo_camuflado_ativo BOOLEAN NOT NULL DEFAULT FALSE,
    modo_camuflado_atualizado_em TIMESTAMP,
    modo_anonimo_ativo BOOLEAN NOT NULL DEFAULT FALSE,
    modo_anonimo_atualizado_em TIMESTAMP,
    qtde_login_senha_normal BIGINT NOT NULL DEFAULT 1,
    apelido VARCHAR(200) NOT NULL,
    nome_social VARCHAR(200),
    avatar_url VARCHAR(200),
    genero_outro VARCHAR(200),
    upload_status VARCHAR(20) NOT NULL DEFAULT 'ok',
    qtde_ligar_para_policia BIGINT NOT NULL DEFAULT 0,
    qtde_guardioes_ativos BIGINT NOT NULL DEFAULT 0,
    qtde_login_offline BIGINT NOT NULL DEFAULT 0,
    salt_key VARCHAR(20) NOT NULL,
    skills_cached TEXT,
    perform_delete_at TIMESTAMP,
    deleted_scheduled_meta TEXT,
    deletion_started_at TIMESTAMP,
    eh_admin BOOLEAN NOT NULL DEFAULT FALSE,
    last_activity_at TIMESTAMP
);
CREATE UNIQUE INDEX clientes_cpf_hash_key ON clientes (cpf_hash);
CREATE UNIQUE INDEX clientes_email_key ON clientes (email);
CREATE INDEX clientes_created_on_idx ON clientes (created_on);
CREATE INDEX clientes_perform_delete_at_idx ON clientes (perform_delete_at) WHERE perform_delete_at IS NOT NULL;
CREATE INDEX clientes_apelido_idx ON clientes (apelido);

-- A session token names one of these rows; deleting the row revokes the token at once.
CREATE TABLE clientes_active_sessions (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP
);
CREATE INDEX clientes_active_sessions_cliente_idx ON clientes_active_sessions (cliente_id);
CREATE INDEX clientes_active_sessions_expires_idx ON clientes_active_sessions (expires_at);

-- Operator actions (who, what, when); never personal data in `detail`.
CREATE TABLE audit_log (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    actor VARCHAR(200) NOT NULL,
    action VARCHAR(100) NOT NULL,
    target_type VARCHAR(50),
    target_id VARCHAR(100),
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);

-- Tombstone of a hard-deleted account: proves the deletion happened, holds nothing personal.
CREATE TABLE delete_log (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL,
    reason VARCHAR(50) NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

-- Mail adapter's embedded backend (and a record of what the SMTP backend sent, without bodies of secrets).
CREATE TABLE email_outbox (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    to_address VARCHAR(200) NOT NULL,
    subject VARCHAR(300) NOT NULL,
    body TEXT NOT NULL,
    backend VARCHAR(20) NOT NULL,
    sent_at TIMESTAMP,
    cliente_id BIGINT REFERENCES clientes (id) ON DELETE CASCADE
);
CREATE INDEX email_outbox_cliente_idx ON email_outbox (cliente_id);
