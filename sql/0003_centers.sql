-- Support centers (pontos de apoio): categories, projects, centers, ratings, suggestions, keyword log, geo cache.

CREATE TABLE ponto_apoio_categoria (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    created_on TIMESTAMP NOT NULL,
    label VARCHAR(200) NOT NULL,
    color VARCHAR(7) NOT NULL DEFAULT '#000000'
);

CREATE TABLE ponto_apoio_projeto (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'prod',
    created_on TIMESTAMP NOT NULL,
    label VARCHAR(200) NOT NULL
);

CREATE TABLE ponto_apoio (
    id @PK@,
    status VARCHAR(20) NOT NULL DEFAULT 'disabled',
    created_on TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    nome VARCHAR(255) NOT NULL,
    sigla VARCHAR(10),
    natureza VARCHAR(20) NOT NULL,
    categoria BIGINT NOT NULL REFERENCES ponto_apoio_categoria (id) ON DELETE RESTRICT,
    abrangencia VARCHAR(20) NOT NULL DEFAULT 'Local',
    descricao TEXT,
    tipo_logradouro VARCHAR(20) NOT NULL,
    nome_logradouro VARCHAR(255) NOT NULL,
    numero BIGINT,
    numero_sem_numero BOOLEAN NOT NULL DEFAULT FALSE,
    complemento VARCHAR(255),
    bairro VARCHAR(255) NOT NULL,
    municipio VARCHAR(255) NOT NULL,
    uf VARCHAR(2) NOT NULL,
    cep VARCHAR(8) NOT NULL,
    cod_ibge BIGINT,
    ddd BIGINT,
    telefone1 BIGINT,
    ramal1 BIGINT,
    telefone2 BIGINT,
    ramal2 BIGINT,
    eh_whatsapp BOOLEAN NOT NULL DEFAULT FALSE,
    email VARCHAR(255),
    eh_24h BOOLEAN,
    horario_inicio VARCHAR(5),
    horario_fim VARCHAR(5),
    dias_funcionamento VARCHAR(25),
    eh_presencial BOOLEAN,
    eh_online BOOLEAN,
    funcionamento_pandemia BOOLEAN,
    observacao_pandemia TEXT,
    observacao TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    ja_passou_por_moderacao BOOLEAN NOT NULL DEFAULT FALSE,
    avaliacao DOUBLE PRECISION NOT NULL DEFAULT 0,
    qtde_avaliacao BIGINT NOT NULL DEFAULT 0,
    test_status VARCHAR(20) NOT NULL DEFAULT 'prod',
    -- The suggesting user: the center is public data and stays when she deletes her account.
    cliente_id BIGINT REFERENCES clientes (id) ON DELETE SET NULL,
    horario_correto BOOLEAN,
    delegacia_mulher BOOLEAN,
    endereco_correto BOOLEAN,
    telefone_correto BOOLEAN,
    existe_delegacia BOOLEAN,
    eh_importacao BOOLEAN NOT NULL DEFAULT FALSE,
    fonte VARCHAR(100),
    -- Lower-cased, unaccented words searched by `keywords` (rebuilt whenever the center is saved).
    search_text TEXT,
    -- Identity of an imported row (nome + cep + municipio + uf), so re-importing a file updates instead of duplicating.
    import_key VARCHAR(64)
);
CREATE INDEX ponto_apoio_categoria_idx ON ponto_apoio (categoria);
CREATE INDEX ponto_apoio_abrangencia_idx ON ponto_apoio (abrangencia, cod_ibge);
CREATE UNIQUE INDEX ponto_apoio_import_key_idx ON ponto_apoio (import_key);
CREATE INDEX ponto_apoio_cliente_idx ON ponto_apoio (cliente_id);

-- [postgres]
-- `geog` mirrors latitude/longitude for PostGIS (ST_DWithin/ST_Distance with the GiST index below).
ALTER TABLE ponto_apoio ADD COLUMN geog geography(Point, 4326);
CREATE INDEX ponto_apoio_geog_idx ON ponto_apoio USING GIST (geog);

CREATE FUNCTION ponto_apoio_sync_geog() RETURNS trigger AS $$
BEGIN
    IF NEW.latitude IS NULL OR NEW.longitude IS NULL THEN
        NEW.geog := NULL;
    ELSE
        NEW.geog := ST_SetSRID(ST_MakePoint(NEW.longitude, NEW.latitude), 4326)::geography;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ponto_apoio_geog_trigger
    BEFORE INSERT OR UPDATE OF latitude, longitude ON ponto_apoio
    FOR EACH ROW EXECUTE FUNCTION ponto_apoio_sync_geog();
-- [end]

-- [sqlite]
-- SQLite has no spatial index: searches scan this index over a bounding box, then compute exact distances.
CREATE INDEX ponto_apoio_latlng_idx ON ponto_apoio (latitude, longitude);
-- [end]

CREATE TABLE ponto_apoio2projetos (
    ponto_apoio_id BIGINT NOT NULL REFERENCES ponto_apoio (id) ON DELETE CASCADE,
    ponto_apoio_projeto_id BIGINT NOT NULL REFERENCES ponto_apoio_projeto (id) ON DELETE CASCADE,
    PRIMARY KEY (ponto_apoio_id, ponto_apoio_projeto_id)
);
CREATE INDEX ponto_apoio2projetos_projeto_idx ON ponto_apoio2projetos (ponto_apoio_projeto_id);

CREATE TABLE cliente_ponto_apoio_avaliacao (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    ponto_apoio_id BIGINT NOT NULL REFERENCES ponto_apoio (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    avaliacao BIGINT NOT NULL
);
CREATE UNIQUE INDEX cliente_ponto_apoio_avaliacao_key ON cliente_ponto_apoio_avaliacao (cliente_id, ponto_apoio_id);
CREATE INDEX cliente_ponto_apoio_avaliacao_ponto_idx ON cliente_ponto_apoio_avaliacao (ponto_apoio_id);

CREATE TABLE ponto_apoio_sugestoes_v2 (
    id @PK@,
    cliente_id BIGINT NOT NULL REFERENCES clientes (id) ON DELETE CASCADE,
    status VARCHAR(30) NOT NULL DEFAULT 'awaiting-moderation',
    created_at TIMESTAMP NOT NULL,
    updated_by_admin_at TIMESTAMP,
    created_ponto_apoio_id BIGINT REFERENCES ponto_apoio (id) ON DELETE SET NULL,
    nome VARCHAR(255) NOT NULL,
    categoria BIGINT NOT NULL,
    nome_logradouro VARCHAR(255) NOT NULL,
    cep VARCHAR(8),
    abrangencia VARCHAR(55) NOT NULL,
    complemento VARCHAR(255),
    numero VARCHAR(255),
    bairro VARCHAR(255),
    municipio VARCHAR(255) NOT NULL,
    uf VARCHAR(2) NOT NULL,
    email VARCHAR(255),
    horario VARCHAR(255),
    ddd1 BIGINT,
    telefone1 BIGINT,
    ddd2 BIGINT,
    telefone2 BIGINT,
    eh_24h BOOLEAN,
    has_whatsapp BOOLEAN,
    observacao TEXT,
    metainfo TEXT NOT NULL DEFAULT '{}',
    saved_form TEXT
);
CREATE INDEX ponto_apoio_sugestoes_v2_status_idx ON ponto_apoio_sugestoes_v2 (status, created_at);
CREATE INDEX ponto_apoio_sugestoes_v2_cliente_idx ON ponto_apoio_sugestoes_v2 (cliente_id);

-- Search analytics: what people look for (kept with the user, erased with her).
CREATE TABLE ponto_apoio_keywords_log (
    id @PK@,
    created_on TIMESTAMP NOT NULL,
    cliente_id BIGINT REFERENCES clientes (id) ON DELETE CASCADE,
    keywords VARCHAR(200) NOT NULL
);
CREATE INDEX ponto_apoio_keywords_log_cliente_idx ON ponto_apoio_keywords_log (cliente_id);

-- Geocoder answers (value is JSON; '' is a negative answer kept for a shorter time).
CREATE TABLE geo_cache (
    id @PK@,
    key VARCHAR(200) NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX geo_cache_key_idx ON geo_cache (key);
CREATE INDEX geo_cache_valid_until_idx ON geo_cache (valid_until);
