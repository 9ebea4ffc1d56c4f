-- Quiz engine, questionnaires, Manual de Fuga (escape plan) and her task list (backend-rules §1.7, §9).

-- Her quiz and escape-plan outcomes on her account row.
ALTER TABLE clientes ADD COLUMN ja_completou_mf BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clientes ADD COLUMN quiz_detectou_violencia BOOLEAN;
ALTER TABLE clientes ADD COLUMN quiz_detectou_violencia_atualizado_em TIMESTAMP;
ALTER TABLE clientes ADD COLUMN primeiro_quiz_detectou_violencia BOOLEAN;
ALTER TABLE clientes ADD COLUMN primeiro_quiz_detectou_violencia_atualizado_em TIMESTAMP;
ALTER TABLE clientes ADD COLUMN quiz_assistant_yes_count INTEGER NOT NULL DEFAULT 0;

-- content_version is bumped by the triggers below whenever the questionnaire's questions change: compiled
-- questionnaires are cached under (id, content_version).
CREATE TABLE questionnaires (
    id @PK@,
    created_on TIMESTAMP NOT NULL,
    modified_on TIMESTAMP NOT NULL,
    content_version BIGINT NOT NULL DEFAULT 1,
    active BOOLEAN NOT NULL DEFAULT FALSE,
    name VARCHAR(200) NOT NULL UNIQUE,
    condition VARCHAR(2000) NOT NULL DEFAULT '0',
    end_screen VARCHAR(200) NOT NULL DEFAULT '/mainboard?page=feed',
    penhas_start_automatically BOOLEAN NOT NULL DEFAULT TRUE,
    penhas_cliente_required BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE quiz_config (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    sort BIGINT NOT NULL DEFAULT 0,
    modified_on TIMESTAMP NOT NULL,
    type VARCHAR(100) NOT NULL,
    code VARCHAR(200) NOT NULL,
    question VARCHAR(800) NOT NULL,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    yesnogroup TEXT NOT NULL DEFAULT '[]',
    intro TEXT NOT NULL DEFAULT '[]',
    relevance VARCHAR(2000) NOT NULL DEFAULT '1',
    button_label VARCHAR(200),
    options TEXT,
    change_to_questionnaire_id BIGINT REFERENCES questionnaires (id) ON DELETE SET NULL,
    tarefas TEXT NOT NULL DEFAULT '[]',
    tag TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX quiz_config_questionnaire_idx ON quiz_config (questionnaire_id, sort, id);

-- [postgres]
CREATE FUNCTION quiz_config_bump_questionnaire() RETURNS trigger AS $$
BEGIN
    UPDATE questionnaires SET content_version = content_version + 1
     WHERE id = NEW.questionnaire_id OR id = OLD.questionnaire_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER quiz_config_bump_trigger
    AFTER INSERT OR UPDATE OR DELETE ON quiz_config
    FOR EACH ROW EXECUTE FUNCTION quiz_config_bump_questionnaire();
-- [end]
-- [sqlite]
CREATE TRIGGER quiz_config_bump_insert AFTER INSERT ON quiz_config BEGIN
    UPDATE questionnaires SET content_version = content_version + 1 WHERE id = NEW.questionnaire_id;
END;
CREATE TRIGGER quiz_config_bump_update AFTER UPDATE ON quiz_config BEGIN
    UPDATE questionnaires SET content_version = content_version + 1
     WHERE id IN (NEW.questionnaire_id, OLD.questionnaire_id);
END;
CREATE TRIGGER quiz_config_bump_delete AFTER DELETE ON quiz_config BEGIN
    UPDATE questionnaires SET content_version = content_version + 1 WHERE id = OLD.questionnaire_id;
END;
-- [end]

-- stash: the engine's state (pending/current/previous messages); responses: her answers keyed by question code.
CREATE TABLE clientes_quiz_session (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    questionnaire_id BIGINT REFERENCES questionnaires (id) ON DELETE SET NULL,
    finished_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    stash TEXT NOT NULL DEFAULT '{}',
    responses TEXT NOT NULL DEFAULT '{}',
    deleted_at TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX clientes_quiz_session_cliente_idx ON clientes_quiz_session (cliente_id, questionnaire_id);

-- Sessions of the anonymous questionnaire API; `token` is the unguessable id only their creator holds.
CREATE TABLE anonymous_quiz_session (
    id @PK@,
    token VARCHAR(64) NOT NULL UNIQUE,
    remote_id VARCHAR(100) NOT NULL,
    questionnaire_id BIGINT REFERENCES questionnaires (id) ON DELETE SET NULL,
    finished_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    stash TEXT NOT NULL DEFAULT '{}',
    responses TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX anonymous_quiz_session_created_idx ON anonymous_quiz_session (created_at);

CREATE TABLE twitter_bot_config (
    id @PK@,
    config TEXT NOT NULL DEFAULT '{}'
);

-- completed_questionnaires_id: JSON array of questionnaire ids, in the order she finished them.
CREATE TABLE cliente_mf_session_control (
    cliente_id BIGINT PRIMARY KEY REFERENCES clientes (id) ON DELETE CASCADE,
    status VARCHAR(20) NOT NULL DEFAULT 'onboarding',
    current_clientes_quiz_session BIGINT REFERENCES clientes_quiz_session (id) ON DELETE SET NULL,
    completed_questionnaires_id TEXT NOT NULL DEFAULT '[]',
    started_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);
CREATE INDEX cliente_mf_session_control_status_idx ON cliente_mf_session_control (status, started_at);

CREATE TABLE mf_questionnaire_order (
    id @PK@,
    sort INTEGER NOT NULL DEFAULT 0,
    outstanding_order BOOLEAN NOT NULL DEFAULT FALSE,
    is_last BOOLEAN NOT NULL DEFAULT FALSE,
    published VARCHAR(20) NOT NULL DEFAULT 'testing',
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE
);

CREATE TABLE mf_questionnaire_remove_tarefa (
    id @PK@,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    codigo_tarefa VARCHAR(200) NOT NULL
);

CREATE TABLE mf_tarefa (
    id @PK@,
    titulo VARCHAR(512) NOT NULL DEFAULT '',
    descricao VARCHAR(4000) NOT NULL,
    tipo VARCHAR(40) NOT NULL DEFAULT 'checkbox',
    codigo VARCHAR(200),
    agrupador VARCHAR(120) NOT NULL DEFAULT 'Outros',
    criado_em TIMESTAMP NOT NULL,
    eh_customizada BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX mf_tarefa_codigo_idx ON mf_tarefa (codigo) WHERE codigo <> '';

-- Her task list; removido_em marks a task she (or a "clean my list" answer) removed.
CREATE TABLE mf_cliente_tarefa (
    id @PK@,
    mf_tarefa_id BIGINT NOT NULL REFERENCES mf_tarefa (id) ON DELETE CASCADE,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    checkbox_feito BOOLEAN NOT NULL DEFAULT FALSE,
    checkbox_feito_checked_first_updated_at TIMESTAMP,
    checkbox_feito_checked_last_updated_at TIMESTAMP,
    checkbox_feito_unchecked_first_updated_at TIMESTAMP,
    checkbox_feito_unchecked_last_updated_at TIMESTAMP,
    criado_em TIMESTAMP NOT NULL,
    removido_em TIMESTAMP,
    atualizado_em TIMESTAMP NOT NULL,
    campo_livre TEXT
);
CREATE INDEX mf_cliente_tarefa_cliente_idx ON mf_cliente_tarefa (cliente_id, atualizado_em);

CREATE TABLE mf_tag (
    id @PK@,
    code VARCHAR(200) NOT NULL UNIQUE,
    description VARCHAR(2000),
    created_on TIMESTAMP NOT NULL
);

-- The MF profiling tags her answers set (the original kept them in cliente_tag next to badges).
CREATE TABLE cliente_mf_tag (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    mf_tag_id BIGINT NOT NULL REFERENCES mf_tag (id) ON DELETE CASCADE,
    created_on TIMESTAMP NOT NULL,
    UNIQUE (cliente_id, mf_tag_id)
);
