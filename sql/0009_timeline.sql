-- Community: the timeline block list and profile reports (backend-rules §1.1, §2.3, §8.2). Both sides of every
-- row reference clientes ON DELETE CASCADE: the original's non-cascading keys blocked account deletion (§15).

-- Active timeline blocks only: unblocking deletes the row (no history of whom she once blocked is kept).
CREATE TABLE timeline_clientes_bloqueados (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    block_cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX timeline_clientes_bloqueados_key ON timeline_clientes_bloqueados (cliente_id, block_cliente_id);
CREATE INDEX timeline_clientes_bloqueados_blocked_idx ON timeline_clientes_bloqueados (block_cliente_id);

CREATE TABLE clientes_reports (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    reported_cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    reason VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX clientes_reports_cliente_idx ON clientes_reports (cliente_id);
CREATE INDEX clientes_reports_reported_idx ON clientes_reports (reported_cliente_id, created_at);
