-- "Sobre o PenhaS" FAQ shown by the WebView pages /web/faq (backend-rules §1.11, §2.7). Edited by the team.

CREATE TABLE faq_tela_sobre_categoria (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    sort BIGINT NOT NULL DEFAULT 0,
    title VARCHAR(200) NOT NULL,
    is_test BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE faq_tela_sobre (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    sort BIGINT NOT NULL DEFAULT 0,
    title VARCHAR(300) NOT NULL,
    content_html TEXT NOT NULL,
    fts_categoria_id BIGINT NOT NULL REFERENCES faq_tela_sobre_categoria (id) ON DELETE RESTRICT,
    exibir_titulo_inline BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX faq_tela_sobre_categoria_idx ON faq_tela_sobre (fts_categoria_id);
