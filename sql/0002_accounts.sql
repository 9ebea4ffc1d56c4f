-- Accounts: login history and lockout, CPF verification, password reset codes, preferences, skills, badges,
-- in-app notifications, and the static texts the app shows.

-- One row per successful sign-up or login.
CREATE TABLE login_logs (
    id @PK@,
    remote_ip VARCHAR(200) NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    app_version VARCHAR(800),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_logs_cliente_idx ON login_logs (cliente_id);

-- One row per wrong password; the lockout counts them over the last hour.
CREATE TABLE login_erros (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    remote_ip VARCHAR(200) NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE
);
CREATE INDEX login_erros_cliente_created_idx ON login_erros (cliente_id, created_at);

-- Failed CPF/name/birth-date matches at sign-up (HTTP verifier), per IP, kept 24 h. cpf_hash is the keyed HMAC.
CREATE TABLE cpf_erros (
    id @PK@,
    cpf_hash VARCHAR(200) NOT NULL,
    cpf_start VARCHAR(200) NOT NULL,
    count BIGINT NOT NULL DEFAULT 1,
    reset_at TIMESTAMP NOT NULL,
    remote_ip VARCHAR(200) NOT NULL
);
CREATE INDEX cpf_erros_remote_ip_idx ON cpf_erros (remote_ip, reset_at);

-- Answers of the CPF registry, keyed by HMAC of the CPF; the holder's name is kept only as an HMAC too.
CREATE TABLE cpf_cache (
    id @PK@,
    cpf_hashed VARCHAR(200) NOT NULL,
    dt_nasc DATE NOT NULL,
    nome_hashed VARCHAR(200) NOT NULL,
    situacao VARCHAR(200),
    genero VARCHAR(200),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cpf_cache_key ON cpf_cache (cpf_hashed, dt_nasc);

-- Reset codes: `token` holds an HMAC of the 6 digits, never the digits; `attempts` counts wrong tries.
CREATE TABLE clientes_reset_password (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    token VARCHAR(200) NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    requested_by_remote_ip VARCHAR(200) NOT NULL,
    used_by_remote_ip VARCHAR(200),
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX clientes_reset_password_cliente_idx ON clientes_reset_password (cliente_id, created_at);

CREATE TABLE preferences (
    id @PK@,
    name VARCHAR(200) NOT NULL,
    label VARCHAR(200) NOT NULL,
    active BOOLEAN NOT NULL,
    initial_value VARCHAR(200) NOT NULL,
    sort BIGINT NOT NULL DEFAULT 1,
    admin_only BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX preferences_name_key ON preferences (name);

CREATE TABLE clientes_preferences (
    id @PK@,
    value VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    preference_id BIGINT NOT NULL REFERENCES preferences (id)
);
CREATE UNIQUE INDEX clientes_preferences_key ON clientes_preferences (cliente_id, preference_id);

CREATE TABLE skills (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    created_on TIMESTAMP,
    modified_on TIMESTAMP,
    skill VARCHAR(100) NOT NULL,
    sort INTEGER
);

CREATE TABLE cliente_skills (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skills (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX cliente_skills_key ON cliente_skills (cliente_id, skill_id);

-- Badges ("Círculo PenhaS") and who holds them until when.
CREATE TABLE badges (
    id @PK@,
    code VARCHAR(200) NOT NULL,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    image_url VARCHAR(1000) NOT NULL,
    image_url_black VARCHAR(1000) NOT NULL,
    linked_cep_cidade VARCHAR(200),
    created_on TIMESTAMP NOT NULL,
    modified_on TIMESTAMP
);

CREATE TABLE cliente_tag (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    badge_id BIGINT NOT NULL REFERENCES badges (id) ON DELETE CASCADE,
    valid_until TIMESTAMP NOT NULL,
    created_on TIMESTAMP NOT NULL
);
CREATE INDEX cliente_tag_cliente_idx ON cliente_tag (cliente_id);

-- In-app notifications (the app polls; there is no push). subject_id: the user who caused it, 0 anonymous,
-- -1 support, NULL a system or operator message.
CREATE TABLE notification_message (
    id @PK@,
    is_test BOOLEAN NOT NULL DEFAULT FALSE,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    subject_id BIGINT,
    icon BIGINT
);
CREATE INDEX notification_message_subject_idx ON notification_message (subject_id);

CREATE TABLE notification_log (
    id @PK@,
    created_at TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    notification_message_id BIGINT NOT NULL REFERENCES notification_message (id) ON DELETE CASCADE
);
CREATE INDEX notification_log_cliente_idx ON notification_log (cliente_id, id);
CREATE INDEX notification_log_message_idx ON notification_log (notification_message_id);

-- Everything up to read_until_id (the newest log row she listed) is read.
CREATE TABLE clientes_app_notifications (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    read_until TIMESTAMP NOT NULL,
    read_until_id BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX clientes_app_notifications_cliente_key ON clientes_app_notifications (cliente_id);

-- Static HTML the app and the web pages show (first row).
CREATE TABLE configuracoes (
    id @PK@,
    termos_de_uso TEXT NOT NULL,
    privacidade TEXT NOT NULL,
    texto_faq_index TEXT,
    texto_faq_contato TEXT,
    texto_conta_exclusao TEXT,
    texto_delete_me TEXT
);
