-- Hot path: state the most frequent requests read without counting or rebuilding anything.
--
-- clientes.unread_notif_count is the unread badge (GET /me/unread-notif-count): kept by triggers on
-- notification_log (a row newer than her read marker adds one, deleting such a row takes one away, cascades
-- included) and on clientes_app_notifications (moving the marker recounts what is left after it). It lives on
-- the account row because every authenticated request already reads that row, so the poll costs no query.
ALTER TABLE clientes ADD COLUMN unread_notif_count BIGINT NOT NULL DEFAULT 0;
UPDATE clientes SET unread_notif_count = (
    SELECT COUNT(*) FROM notification_log l
    WHERE l.cliente_id = clientes.id
      AND l.id > COALESCE((SELECT a.read_until_id FROM clientes_app_notifications a
                           WHERE a.cliente_id = clientes.id), 0));

-- centers_version.version changes with every write to the data the app's center list shows (centers, their
-- projects, categories, projects): the cached full list of a (project, filters) is good while it is unchanged,
-- whichever process (API worker, CLI import, geocoding task) made the change.
CREATE TABLE centers_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO centers_version (id, version) VALUES (1, 1);

-- [postgres]
CREATE FUNCTION notification_log_unread() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE clientes SET unread_notif_count = unread_notif_count + 1
        WHERE id = NEW.cliente_id
          AND NEW.id > COALESCE((SELECT read_until_id FROM clientes_app_notifications
                                 WHERE cliente_id = NEW.cliente_id), 0);
        RETURN NEW;
    END IF;
    UPDATE clientes SET unread_notif_count = unread_notif_count - 1
    WHERE id = OLD.cliente_id AND unread_notif_count > 0
      AND OLD.id > COALESCE((SELECT read_until_id FROM clientes_app_notifications
                             WHERE cliente_id = OLD.cliente_id), 0);
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER notification_log_unread_trigger
    AFTER INSERT OR DELETE ON notification_log
    FOR EACH ROW EXECUTE FUNCTION notification_log_unread();

CREATE FUNCTION notification_marker_unread() RETURNS trigger AS $$
BEGIN
    UPDATE clientes SET unread_notif_count = (
        SELECT COUNT(*) FROM notification_log WHERE cliente_id = NEW.cliente_id AND id > NEW.read_until_id)
    WHERE id = NEW.cliente_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER notification_marker_unread_trigger
    AFTER INSERT OR UPDATE OF read_until_id ON clientes_app_notifications
    FOR EACH ROW EXECUTE FUNCTION notification_marker_unread();

-- Statement-level: an import of 100 000 centers bumps the version once per statement, not once per row.
CREATE FUNCTION centers_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE centers_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ponto_apoio_version_trigger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ponto_apoio
    FOR EACH STATEMENT EXECUTE FUNCTION centers_version_bump();
CREATE TRIGGER ponto_apoio2projetos_version_trigger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ponto_apoio2projetos
    FOR EACH STATEMENT EXECUTE FUNCTION centers_version_bump();
CREATE TRIGGER ponto_apoio_categoria_version_trigger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ponto_apoio_categoria
    FOR EACH STATEMENT EXECUTE FUNCTION centers_version_bump();
CREATE TRIGGER ponto_apoio_projeto_version_trigger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ponto_apoio_projeto
    FOR EACH STATEMENT EXECUTE FUNCTION centers_version_bump();
-- [end]

-- [sqlite]
CREATE TRIGGER notification_log_unread_insert AFTER INSERT ON notification_log
BEGIN
    UPDATE clientes SET unread_notif_count = unread_notif_count + 1
    WHERE id = NEW.cliente_id
      AND NEW.id > COALESCE((SELECT read_until_id FROM clientes_app_notifications
                             WHERE cliente_id = NEW.cliente_id), 0);
END;

CREATE TRIGGER notification_log_unread_delete AFTER DELETE ON notification_log
BEGIN
    UPDATE clientes SET unread_notif_count = unread_notif_count - 1
    WHERE id = OLD.cliente_id AND unread_notif_count > 0
      AND OLD.id > COALESCE((SELECT read_until_id FROM clientes_app_notifications
                             WHERE cliente_id = OLD.cliente_id), 0);
END;

CREATE TRIGGER notification_marker_unread_insert AFTER INSERT ON clientes_app_notifications
BEGIN
    UPDATE clientes SET unread_notif_count = (
        SELECT COUNT(*) FROM notification_log WHERE cliente_id = NEW.cliente_id AND id > NEW.read_until_id)
    WHERE id = NEW.cliente_id;
END;

CREATE TRIGGER notification_marker_unread_update AFTER UPDATE OF read_until_id ON clientes_app_notifications
BEGIN
    UPDATE clientes SET unread_notif_count = (
        SELECT COUNT(*) FROM notification_log WHERE cliente_id = NEW.cliente_id AND id > NEW.read_until_id)
    WHERE id = NEW.cliente_id;
END;

-- SQLite triggers are per row only; one small update per changed row is cheap in the embedded setup.
CREATE TRIGGER ponto_apoio_version_insert AFTER INSERT ON ponto_apoio
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_version_update AFTER UPDATE ON ponto_apoio
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_version_delete AFTER DELETE ON ponto_apoio
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio2projetos_version_insert AFTER INSERT ON ponto_apoio2projetos
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio2projetos_version_update AFTER UPDATE ON ponto_apoio2projetos
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio2projetos_version_delete AFTER DELETE ON ponto_apoio2projetos
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_categoria_version_insert AFTER INSERT ON ponto_apoio_categoria
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_categoria_version_update AFTER UPDATE ON ponto_apoio_categoria
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_categoria_version_delete AFTER DELETE ON ponto_apoio_categoria
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_projeto_version_insert AFTER INSERT ON ponto_apoio_projeto
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_projeto_version_update AFTER UPDATE ON ponto_apoio_projeto
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER ponto_apoio_projeto_version_delete AFTER DELETE ON ponto_apoio_projeto
BEGIN UPDATE centers_version SET version = version + 1 WHERE id = 1; END;
-- [end]
