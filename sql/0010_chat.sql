-- Chat: private rooms between two women, the support room of each user, chat blocks, and the debounce rows of
-- "new chat message" notifications. Message text is never stored in clear: `message` is AES-GCM ciphertext whose
-- data key is kept beside it wrapped by the master key named `enc_key_id` (outside the database; rotation
-- re-wraps these two columns only, `penhas chat rewrap`).

-- A private room. The pair is stored ordered (cliente_id < other_cliente_id), so there is one room per pair
-- whoever opens it; deleting either woman deletes the room and every message in it.
CREATE TABLE chat_session (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    other_cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    session_started_by BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_message_at TIMESTAMP NOT NULL,
    last_message_by BIGINT NOT NULL,
    has_message BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX chat_session_pair_key ON chat_session (cliente_id, other_cliente_id);
CREATE INDEX chat_session_other_idx ON chat_session (other_cliente_id);

-- One message of a private room; cliente_id is the sender.
CREATE TABLE chat_message (
    id @PK@,
    chat_session_id BIGINT NOT NULL REFERENCES chat_session (id) ON DELETE CASCADE,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    message @BLOB@ NOT NULL,
    enc_key_id VARCHAR(64) NOT NULL,
    enc_wrapped_key TEXT NOT NULL
);
CREATE INDEX chat_message_session_idx ON chat_message (chat_session_id, id);
CREATE INDEX chat_message_cliente_idx ON chat_message (cliente_id);
CREATE INDEX chat_message_key_idx ON chat_message (enc_key_id);

-- Chat blocks (independent of the timeline block list): cliente_id stopped messaging with blocked_cliente_id.
CREATE TABLE cliente_bloqueios (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    blocked_cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cliente_bloqueios_pair_key ON cliente_bloqueios (cliente_id, blocked_cliente_id);
CREATE INDEX cliente_bloqueios_blocked_idx ON cliente_bloqueios (blocked_cliente_id);

-- The support room of one user (created with her first message). last_msg_by names the operator who wrote the
-- last message, NULL when it was hers; no preview is stored (it would be message text).
CREATE TABLE chat_support (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_msg_at TIMESTAMP,
    last_msg_is_support BOOLEAN NOT NULL DEFAULT FALSE,
    last_msg_by VARCHAR(200)
);
CREATE UNIQUE INDEX chat_support_cliente_key ON chat_support (cliente_id);
CREATE INDEX chat_support_last_msg_idx ON chat_support (last_msg_at);

-- One message of a support room; admin_name is the operator who wrote it, NULL when she did.
CREATE TABLE chat_support_message (
    id @PK@,
    chat_support_id BIGINT NOT NULL REFERENCES chat_support (id) ON DELETE CASCADE,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    admin_name VARCHAR(200),
    message @BLOB@ NOT NULL,
    enc_key_id VARCHAR(64) NOT NULL,
    enc_wrapped_key TEXT NOT NULL
);
CREATE INDEX chat_support_message_room_idx ON chat_support_message (chat_support_id, id);
CREATE INDEX chat_support_message_cliente_idx ON chat_support_message (cliente_id);
CREATE INDEX chat_support_message_key_idx ON chat_support_message (enc_key_id);

-- "You have a new chat message": one pending row per (recipient, sender); the periodic job turns rows older
-- than 5 minutes into one in-app notification, reading the room removes the row, rows older than a day go.
-- pending_message_cliente_id is the sender, -1 for the support team.
CREATE TABLE chat_clientes_notifications (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    pending_message_cliente_id BIGINT NOT NULL,
    messaged_at TIMESTAMP NOT NULL,
    notification_created BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX chat_clientes_notifications_key ON chat_clientes_notifications (cliente_id, pending_message_cliente_id);
CREATE INDEX chat_clientes_notifications_due_idx ON chat_clientes_notifications (notification_created, messaged_at);
CREATE INDEX chat_clientes_notifications_sender_idx ON chat_clientes_notifications (pending_message_cliente_id);
