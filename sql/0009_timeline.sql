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

-- Timeline posts and comments (backend-rules §1.4, §7). Ids are 'YYMMDDTHHMMSS' + a 4-digit sequence.
CREATE TABLE tweets (
    id VARCHAR(20) PRIMARY KEY,
    status VARCHAR(20) NOT NULL DEFAULT 'published',
    content TEXT NOT NULL,
    parent_id VARCHAR(20) REFERENCES tweets (id) ON DELETE CASCADE,
    original_parent_id VARCHAR(20),
    anonimo BOOLEAN NOT NULL DEFAULT FALSE,
    qtde_reportado BIGINT NOT NULL DEFAULT 0,
    qtde_likes BIGINT NOT NULL DEFAULT 0,
    qtde_comentarios BIGINT NOT NULL DEFAULT 0,
    escondido BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    ultimo_comentario_id VARCHAR(20),
    media_ids TEXT NOT NULL DEFAULT '[]',
    disable_escape BOOLEAN NOT NULL DEFAULT FALSE,
    tags_index VARCHAR(5000) NOT NULL DEFAULT ',,',
    tweet_depth SMALLINT NOT NULL DEFAULT 1,
    use_penhas_avatar BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX tweets_parent_idx ON tweets (parent_id, id);
CREATE INDEX tweets_cliente_idx ON tweets (cliente_id, id);
CREATE INDEX tweets_root_idx ON tweets (status, id) WHERE parent_id IS NULL;

CREATE TABLE tweets_likes (
    id @PK@,
    created_on TIMESTAMP NOT NULL,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    tweet_id VARCHAR(20) NOT NULL REFERENCES tweets (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX tweets_likes_key ON tweets_likes (cliente_id, tweet_id);
CREATE INDEX tweets_likes_tweet_idx ON tweets_likes (tweet_id);

-- resolved_at: when an operator acted on the post (hid, unhid, deleted it); open reports have none.
CREATE TABLE tweets_reports (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    reported_id VARCHAR(20) NOT NULL REFERENCES tweets (id) ON DELETE CASCADE,
    reason VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
CREATE INDEX tweets_reports_tweet_idx ON tweets_reports (reported_id);
CREATE INDEX tweets_reports_cliente_idx ON tweets_reports (cliente_id);

-- The per-second sequence of tweet ids when there is no Redis: one atomic upsert per id, safe across processes.
CREATE TABLE tweet_id_seq (
    base VARCHAR(13) PRIMARY KEY,
    seq BIGINT NOT NULL
);

CREATE TABLE tags (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    title VARCHAR(200) NOT NULL,
    is_topic BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    show_on_filters BOOLEAN NOT NULL DEFAULT FALSE,
    topic_order BIGINT NOT NULL DEFAULT 0
);

-- Words (pipe-separated) or a regular expression highlighted in posts, with news of the tag shown after (§7.6).
CREATE TABLE tags_highlight (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    "match" VARCHAR(200) NOT NULL,
    is_regexp BOOLEAN NOT NULL DEFAULT FALSE,
    error_msg VARCHAR(200) NOT NULL DEFAULT ''
);

-- Auto-tagging of news (§10.2): every non-empty *_match must match and no *_not_match may.
CREATE TABLE tag_indexing_config (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    description TEXT,
    page_title_match TEXT,
    page_title_not_match TEXT,
    url_match TEXT,
    url_not_match TEXT,
    rss_feed_tags_match TEXT,
    rss_feed_tags_not_match TEXT,
    rss_feed_content_match TEXT,
    rss_feed_content_not_match TEXT,
    regexp BOOLEAN NOT NULL DEFAULT TRUE,
    error_msg TEXT NOT NULL DEFAULT '',
    modified_on TIMESTAMP
);

-- RSS/Atom sources. failures drives the per-feed backoff; etag/last_modified the conditional requests.
CREATE TABLE rss_feeds (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    url VARCHAR(2000) NOT NULL,
    fonte VARCHAR(200),
    autocapitalize BOOLEAN NOT NULL DEFAULT FALSE,
    next_tick TIMESTAMP,
    last_run TIMESTAMP,
    last_error_message TEXT,
    etag VARCHAR(500),
    last_modified VARCHAR(200),
    failures BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rss_feeds_url_key ON rss_feeds (url);

CREATE TABLE rss_feeds_tags (
    id @PK@,
    tags_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    rss_feeds_id BIGINT NOT NULL REFERENCES rss_feeds (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX rss_feeds_tags_key ON rss_feeds_tags (rss_feeds_id, tags_id);

CREATE TABLE noticias (
    id @PK@,
    title VARCHAR(2000) NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    display_created_time TIMESTAMP NOT NULL,
    hyperlink VARCHAR(2000) NOT NULL,
    rss_feed_id BIGINT REFERENCES rss_feeds (id) ON DELETE SET NULL,
    author VARCHAR(200),
    fonte VARCHAR(200),
    published VARCHAR(20) NOT NULL DEFAULT 'hidden',
    image_hyperlink VARCHAR(2000),
    tags_index VARCHAR(2000) NOT NULL DEFAULT ',,',
    has_topic_tags BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX noticias_hyperlink_key ON noticias (hyperlink);
CREATE INDEX noticias_display_idx ON noticias (published, display_created_time);

-- The showcase ("vitrine"): ordered groups of news with a header, shown between posts (§7.5).
CREATE TABLE noticias_vitrine (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    noticias TEXT NOT NULL DEFAULT '[]',
    "order" BIGINT NOT NULL DEFAULT 0,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);

-- Openings of news through the signed /news-redirect.
CREATE TABLE noticias_aberturas (
    id @PK@,
    noticias_id BIGINT REFERENCES noticias (id) ON DELETE CASCADE,
    cliente_id BIGINT REFERENCES clientes (id) ON DELETE CASCADE,
    track_id VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX noticias_aberturas_cliente_idx ON noticias_aberturas (cliente_id);

-- Círculo PenhaS invitations an operator sent (§11 item 10); accepting grants the badge.
CREATE TABLE badge_invite (
    id @PK@,
    badge_id BIGINT NOT NULL REFERENCES badges (id) ON DELETE CASCADE,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    created_on TIMESTAMP NOT NULL,
    modified_on TIMESTAMP,
    accepted BOOLEAN NOT NULL DEFAULT FALSE,
    accepted_on TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_on TIMESTAMP
);
CREATE INDEX badge_invite_cliente_idx ON badge_invite (cliente_id);
