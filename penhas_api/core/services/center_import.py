"""Support-center datasets (backend-rules §12): CSV import with full validation, CSV/GeoJSON export, geocoding.

Three layouts are read, told apart by their header: the 2020 police-station survey (``;``-separated), the 2022
mapping (``,``-separated) and our own export (``centers export --format csv``, so an export re-imports). Every row
is validated before anything is written; a problem is reported with the line it starts on and its column.

A row is identified by its source id where the file has one (2022 ``id_estabelecimento``; the export's ``ID``
names our own center), otherwise by what tells two places apart: name and street address in a town
(``import_key``). Not the CEP: small towns have one town-wide CEP shared by different units. Importing a file
again updates the centers it created instead of adding copies; an operator's status change is kept.
"""
import csv
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.models import Center, CenterCategory, CenterProject, CenterProjectLink
from penhas_api.core.municipalities import lookup as lookup_municipality
from penhas_api.core.services.centers import DIAS_FUNCIONAMENTO, build_search_text, normalize_text

NATUREZAS = {"público": "publico", "publico": "publico", "ong": "ong", "privado_coletivo": "privado_coletivo",
             "privado_ong": "privado_ong"}
TIPOS_LOGRADOURO = ["Rodovia", "Rua", "Avenida", "Estrada", "Alameda", "Viela", "Via", "Travessa", "Quadra", "Praça",
                    "Área Especial", "Área", "Conjunto", "Vila", "Sítio", "Trecho", "Setor", "Entrequadra"]
_TIPOS = {t.lower(): t for t in TIPOS_LOGRADOURO} | {"villa": "Vila"}
# Labels as the datasets write them, codes as our export writes them.
_DIAS = {label.lower(): code for code, label in DIAS_FUNCIONAMENTO.items()} | {code: code for code in DIAS_FUNCIONAMENTO}
ABRANGENCIAS = {"local": "Local", "regional": "Regional", "regional?": "Regional", "nacional": "Nacional"}
PROJECTS = {"mapa_delegacia": "Mapa Delegacia", "mapa_delegacias": "Mapa Delegacia", "penhas": "Penhas"}
_EMAIL = re.compile(r"^[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}$", re.I)
SKIP_NATUREZA = "tirar"

# file column → center column, per layout (None = read but not stored)
LAYOUT_2020 = {
    "nome": "nome", "sigla": "sigla", "natureza": "natureza", "categoria": "categoria", "projeto": "projeto",
    "tipo_logradouro": "tipo_logradouro", "nome_logradouro": "nome_logradouro", "numero": "numero",
    "complemento": "complemento", "bairro": "bairro", "municipio": "municipio", "uf": "uf", "cep": "cep",
    "ddd": "ddd", "telefone1": "telefone1", "telefone2": "telefone2", "e-mail": "email", "24horas": "eh_24h",
    "horario_inicio": "horario_inicio", "horario_fim": "horario_fim", "dias_funcionamento": "dias_funcionamento",
    "presencial": "eh_presencial", "online": "eh_online", "funcionamento_pandemia": "funcionamento_pandemia",
    "obs_pandemia": "observacao_pandemia", "latitude": "latitude", "longitude": "longitude",
    "verificado": "ja_passou_por_moderacao", "existe_delegacia": "existe_delegacia",
    "delegacia_mulher": "delegacia_mulher", "endereco_correto": "endereco_correto",
    "horario_correto": "horario_correto", "telefone_correto": "telefone_correto", "observacao": "observacao",
}
LAYOUT_2022 = {
    "id_estabelecimento": "source_id", "projeto": "projeto", "fonte": "fonte", "nome": "nome", "sigla": "sigla",
    "natureza": "natureza", "categoria": "categoria", "abrangencia": "abrangencia", "descricao": "descricao",
    "tipo_logradouro": "tipo_logradouro", "nome_logradouro": "nome_logradouro", "numero": "numero",
    "numero_sem_numero": None, "complemento": "complemento", "bairro": "bairro", "municipio": "municipio",
    "cod_ibge": "cod_ibge", "uf": "uf", "cep": "cep", "ddd": "ddd", "telefone1": "telefone1", "ramal1": "ramal1",
    "telefone 2": "telefone2", "ramal2": "ramal2", "whatsapp": "eh_whatsapp", "e-mail": "email",
    "24horas": "eh_24h", "horario_inicio": "horario_inicio", "horario_fim": "horario_fim",
    "dias_funcionamento": "dias_funcionamento", "presencial": "eh_presencial", "online": "eh_online",
    "funcionamento_pandemia": "funcionamento_pandemia", "obs_pandemia": "observacao_pandemia",
    "latitude": "latitude", "longitude": "longitude", "observacao": "observacao",
}
# (header, column) of our export, i.e. the public CSV download of backend-rules §7; the header is its identity.
EXPORT_COLUMNS = [
    ("Nome", "nome"), ("Sigla", "sigla"), ("Natureza", "natureza"), ("Categoria", "categoria"),
    ("Tipo logradouro", "tipo_logradouro"), ("Nome logradouro", "nome_logradouro"), ("Número", "numero"),
    ("Complemento", "complemento"), ("Bairro", "bairro"), ("Município", "municipio"), ("UF", "uf"), ("cep", "cep"),
    ("ddd", "ddd"), ("telefone1", "telefone1"), ("telefone2", "telefone2"), ("ramal1", "ramal1"),
    ("ramal2", "ramal2"), ("e-mail", "email"), ("24horas", "eh_24h"), ("Horário início", "horario_inicio"),
    ("Horário fim", "horario_fim"), ("Dias funcionamento", "dias_funcionamento"), ("Presencial", "eh_presencial"),
    ("Online", "eh_online"), ("Funcionamento pandemia", "funcionamento_pandemia"),
    ("Observação pandemia", "observacao_pandemia"), ("Latitude", "latitude"), ("Longitude", "longitude"),
    ("Verificado", None), ("Existe delegacia", "existe_delegacia"), ("Delegacia Mulher", "delegacia_mulher"),
    ("Endereço correto", "endereco_correto"), ("Horário correto", "horario_correto"),
    ("Telefone correto", "telefone_correto"), ("Observação", "observacao"), ("Whatsapp", "eh_whatsapp"),
    ("Abrangencia", "abrangencia"), ("cod_ibge", "cod_ibge"), ("ID", "id"),
]
LAYOUT_EXPORT = {header.lower(): (None if column == "id" else column) for header, column in EXPORT_COLUMNS} | {
    "id": "center_id"}
LAYOUTS = {"2020": (";", LAYOUT_2020), "2022": (",", LAYOUT_2022), "export": (",", LAYOUT_EXPORT)}
IDENTITY_COLUMNS = ("source_id", "center_id")
REQUIRED = ("nome", "natureza", "categoria", "municipio", "uf")
NOT_NULL_TEXT = ("tipo_logradouro", "nome_logradouro", "bairro", "cep")
TALLY_COLUMNS = ("natureza", "categoria", "projeto", "abrangencia", "uf", "tipo_logradouro", "dias_funcionamento",
                 "eh_24h", "eh_presencial", "eh_online", "eh_whatsapp", "ja_passou_por_moderacao")


class ImportFileError(Exception):
    """The file cannot be read at all (unknown header, not UTF-8...)."""


# -- value converters (raise ValueError with the reason) ---------------------------------------------------------
def to_text(v: str):
    return v or None


def to_upper(v: str):
    return v.upper() or None


def to_bool(v: str):
    low = v.lower()
    if low == "":
        return None
    if low == "sim":
        return True
    if low in ("não", "nao"):
        return False
    raise ValueError("expected Sim or Não")


def to_int(v: str):
    if v == "":
        return None
    if not v.isdigit():
        raise ValueError("expected digits only")
    return int(v)


def to_phone(v: str):
    # The 2022 file writes numbers as "9806-4474".
    return to_int(re.sub(r"[\s.-]", "", v))


def to_coord(v: str):
    if v == "":
        return None
    if not re.fullmatch(r"-?\d+([,.]\d+)?", v):
        raise ValueError("expected a decimal number such as -23,5505")
    return round(float(v.replace(",", ".")), 7)


def to_time(v: str):
    if v == "":
        return None
    m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?", v)
    if not m:
        raise ValueError("expected HH:MM")
    return f"{m.group(1)}:{m.group(2)}"


def to_email(v: str):
    if v == "":
        return None
    if not _EMAIL.match(v):
        raise ValueError("not an e-mail address")
    return v


def to_cep(v: str):
    if v == "":
        return None
    if not re.fullmatch(r"\d{5}-?\d{3}", v):
        raise ValueError("expected a CEP such as 01310-100")
    return v.replace("-", "")


def _lookup(table: dict, what: str):
    def convert(v: str):
        if v == "":
            return None
        found = table.get(v.lower())
        if found is None:
            raise ValueError(f"unknown {what}")
        return found

    return convert


def to_projects(v: str):
    out = []
    for part in (p.strip().lower() for p in v.split(",")):
        if not part:
            continue
        if part not in PROJECTS:
            raise ValueError("unknown project")
        out.append(PROJECTS[part])
    return out


CONVERTERS = {
    "nome": to_text, "sigla": to_upper, "natureza": _lookup(NATUREZAS, "natureza"), "projeto": to_projects,
    "fonte": to_text, "abrangencia": _lookup(ABRANGENCIAS, "abrangência"), "descricao": to_text,
    "tipo_logradouro": _lookup(_TIPOS, "street type"), "nome_logradouro": to_text, "complemento": to_text,
    "bairro": to_text, "municipio": to_text, "uf": to_upper, "cep": to_cep, "cod_ibge": to_int, "ddd": to_int,
    "telefone1": to_phone, "telefone2": to_phone, "ramal1": to_int, "ramal2": to_int, "eh_whatsapp": to_bool,
    "email": to_email, "eh_24h": to_bool, "horario_inicio": to_time, "horario_fim": to_time,
    "dias_funcionamento": _lookup(_DIAS, "opening days"), "eh_presencial": to_bool, "eh_online": to_bool,
    "funcionamento_pandemia": to_bool, "observacao_pandemia": to_text, "latitude": to_coord, "longitude": to_coord,
    "ja_passou_por_moderacao": to_bool, "existe_delegacia": to_bool, "delegacia_mulher": to_bool,
    "endereco_correto": to_bool, "horario_correto": to_bool, "telefone_correto": to_bool, "observacao": to_text,
    "source_id": to_text, "center_id": to_int,
}


def category_ids() -> dict[str, int]:
    return {c.label.lower(): c.id for c in CenterCategory.select()}


def convert_numero(v: str) -> tuple[int | None, bool]:
    rest = re.sub(r"s/n", "", v, flags=re.I).strip()
    if rest and not rest.isdigit():
        raise ValueError("expected a number or s/n")
    return (int(rest) if rest else None), not rest


# -- parsing -----------------------------------------------------------------------------------------------------
@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str


@dataclass
class ParsedRow:
    line: int
    values: dict
    projects: list[str] | None  # None: the layout has no projeto column, the center keeps the projects it has
    import_key: str
    legacy_key: str  # the identity before source ids (nome + CEP + town): centers imported then are still found
    center_id: int | None = None  # our own id, from an export
    source_id: str | None = None  # the dataset's own id


@dataclass
class ParsedFile:
    layout: str
    source: str | None = None  # the file's name, for the audit trail
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    invalid_lines: set = field(default_factory=set)

    def tallies(self) -> dict[str, Counter]:
        out = {c: Counter() for c in TALLY_COLUMNS}
        cats = {c.id: c.label for c in CenterCategory.select()}
        for row in self.rows:
            for col in TALLY_COLUMNS:
                if col == "projeto":
                    for p in (row.projects if row.projects is not None else ["(unchanged)"]) or ["(none)"]:
                        out[col][p] += 1
                    continue
                value = row.values.get(col)
                if col == "categoria":
                    value = cats.get(value, value)
                if isinstance(value, bool):
                    value = "Sim" if value else "Não"
                out[col]["(empty)" if value is None else str(value)] += 1
        return out


def detect_layout(header_line: str) -> str:
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    names = {h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter))}
    for name, (delim, columns) in LAYOUTS.items():
        if delim == delimiter and set(columns) <= names:
            return name
    raise ImportFileError("unknown header: expected the 2020 (';') or the 2022 (',') support-center layout")


def _norm(value) -> str:
    return " ".join(normalize_text(str(value) if value is not None else "").split())


def _hash(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()[:40]


def place_key(values: dict) -> str:
    """Name and street address in a town: what tells two centers apart when the file gives no id."""
    numero = "s/n" if values.get("numero") is None else str(values["numero"])
    return _hash("|".join(["place", _norm(values.get("nome")), _norm(values.get("tipo_logradouro")),
                           _norm(values.get("nome_logradouro")), numero, _norm(values.get("municipio")),
                           values.get("uf") or ""]))


def import_key(values: dict, source_id: str | None = None) -> str:
    return _hash(f"source|{source_id}") if source_id else place_key(values)


def legacy_import_key(values: dict) -> str:
    return _hash("|".join([_norm(values.get("nome")), values.get("cep") or "", _norm(values.get("municipio")),
                           values.get("uf") or ""]))


def parse_file(path: Path | str) -> ParsedFile:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("the file is not UTF-8 text") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read the file: {exc.strerror}") from None
    if not text.strip():
        raise ImportFileError("the file is empty: expected a header line and one row per center")
    first_line = text.split("\n", 1)[0]
    layout = detect_layout(first_line)
    delimiter, columns = LAYOUTS[layout]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    while header and header[-1] == "":  # a trailing delimiter on the header line
        header.pop()
    parsed = ParsedFile(layout, source=Path(path).name)
    cats = category_ids()
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        extra = record[len(header):]
        if len(record) < len(header) or any(cell.strip() for cell in extra):
            parsed.errors.append(RowError(start, "(row)", "", f"{len(record)} fields, the header has {len(header)}"))
            parsed.invalid_lines.add(start)
            continue
        raw = {name: record[i].strip() for i, name in enumerate(header)}
        row = _convert_row(start, raw, columns, cats, parsed)
        if row is None:
            continue
        if row.import_key in seen:
            what = "source id" if row.source_id else "name and street address"
            parsed.errors.append(RowError(start, "nome", row.values["nome"],
                                          f"same center ({what}) as line {seen[row.import_key]}"))
            parsed.invalid_lines.add(start)
            continue
        seen[row.import_key] = start
        parsed.rows.append(row)
    if not parsed.rows and not parsed.errors and not parsed.skipped:
        raise ImportFileError("the file has a header but no rows")
    return parsed


def _convert_row(line: int, raw: dict, columns: dict, cats: dict, parsed: ParsedFile) -> ParsedRow | None:
    if raw.get("natureza", "").lower() == SKIP_NATUREZA:
        parsed.skipped.append((line, "natureza 'tirar'"))
        return None
    values, projects, problems = {}, (None if "projeto" not in columns else []), []
    for file_col, column in columns.items():
        if column is None:
            continue
        value = raw.get(file_col, "")
        try:
            if column == "numero":
                values["numero"], values["numero_sem_numero"] = convert_numero(value)
            elif column == "categoria":
                values["categoria"] = to_category(value, cats)
            elif column == "projeto":
                projects = CONVERTERS["projeto"](value)
            else:
                values[column] = CONVERTERS[column](value)
        except ValueError as exc:
            problems.append(RowError(line, file_col, value, str(exc)))
    if not values.get("municipio") and not any(p.column in ("municipio", "cod_ibge") for p in problems):
        town = lookup_municipality(values.get("cod_ibge"))
        if town and (values.get("uf") in (None, town[1])):
            values["municipio"] = town[0]
    for column in REQUIRED:
        if column in values and values[column] is None and not any(p.column == column for p in problems):
            problems.append(RowError(line, column, "", "required"))
    if values.get("latitude") is not None and not -90 <= values["latitude"] <= 90:
        problems.append(RowError(line, "latitude", raw.get("latitude", ""), "out of range"))
    if values.get("longitude") is not None and not -180 <= values["longitude"] <= 180:
        problems.append(RowError(line, "longitude", raw.get("longitude", ""), "out of range"))
    if problems:
        parsed.errors.extend(problems)
        parsed.invalid_lines.add(line)
        return None
    for column in NOT_NULL_TEXT:
        values[column] = values.get(column) or ""
    values.setdefault("abrangencia", "Local")
    values["abrangencia"] = values["abrangencia"] or "Local"
    for column in ("ja_passou_por_moderacao", "eh_whatsapp"):
        if column in columns.values():
            values[column] = bool(values.get(column))
    source_id, center_id = values.pop("source_id", None), values.pop("center_id", None)
    return ParsedRow(line, values, projects, import_key(values, source_id), legacy_import_key(values),
                     center_id, source_id)


def to_category(value: str, cats: dict) -> int:
    if value == "":
        return None
    if value.isdigit() and int(value) in cats.values():
        return int(value)
    found = cats.get(value.lower())
    if found is None:
        raise ValueError("unknown category")
    return found


# -- writing -----------------------------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _project_ids() -> dict[str, int]:
    return {p.label: p.id for p in CenterProject.select()}


def _find_existing(rows: list[ParsedRow]) -> tuple[dict, dict]:
    by_key, by_id = {}, {}
    keys = [k for r in rows for k in (r.import_key, r.legacy_key)]
    for i in range(0, len(keys), 500):
        for center in Center.select().where(Center.import_key.in_(keys[i:i + 500])):
            by_key[center.import_key] = center
    ids = [r.center_id for r in rows if r.center_id is not None]
    for i in range(0, len(ids), 500):
        for center in Center.select().where(Center.id.in_(ids[i:i + 500])):
            by_id[center.id] = center
    return by_key, by_id


def _match(row: ParsedRow, by_key: dict, by_id: dict, claimed: set) -> Center | None:
    """The stored center this row describes: our own id (from an export) when that center is the same place,
    else its key, else the key it was imported under before source ids; each center is matched once."""
    candidates = []
    center = by_id.get(row.center_id)
    if center is not None and place_key(center.__data__) == place_key(row.values):
        candidates.append(center)
    candidates += [by_key.get(row.import_key), by_key.get(row.legacy_key)]
    for center in candidates:
        if center is not None and center.id not in claimed:
            claimed.add(center.id)
            return center
    return None


def _link_projects(center_id: int, wanted: set) -> None:
    CenterProjectLink.delete().where(CenterProjectLink.center == center_id).execute()
    for pid in sorted(wanted):
        CenterProjectLink.insert(center=center_id, project=pid).execute()


def apply_import(parsed: ParsedFile, progress=None, extra_projects: tuple[int, ...] = (),
                 actor: str | None = None) -> ImportSummary:
    """Insert new centers, update changed ones, leave the rest alone; one transaction (audited).

    ``extra_projects`` (project ids) are linked to every row on top of the file's own ``projeto`` column: the file
    and this list together define each imported center's projects, so importing again without them unlinks them.
    A layout without a ``projeto`` column (our export) keeps each center's projects and only adds these.
    """
    summary = ImportSummary()
    labels = {c.id: c.label for c in CenterCategory.select()}
    projects = _project_ids()
    now = clock.now()
    with database.atomic():
        by_key, by_id = _find_existing(parsed.rows)
        claimed: set[int] = set()
        for row in parsed.rows:
            center = _match(row, by_key, by_id, claimed)
            if center is None:
                center = Center(**row.values, status="active", eh_importacao=True, import_key=row.import_key,
                                created_on=now, updated_at=now)
                center.search_text = build_search_text(center, labels[center.categoria_id])
                center.save(force_insert=True)
                claimed.add(center.id)
                _link_projects(center.id, {projects[p] for p in row.projects or []} | set(extra_projects))
                summary.inserted += 1
            else:
                changed = [k for k, v in row.values.items() if getattr(center, _attr(k)) != v]
                current = {pid for (pid,) in CenterProjectLink.select(CenterProjectLink.project).where(
                    CenterProjectLink.center == center.id).tuples()}
                wanted = ({projects[p] for p in row.projects} if row.projects is not None else current) | set(
                    extra_projects)
                if changed or (center.import_key != row.import_key and row.center_id is None):
                    for k in changed:
                        setattr(center, _attr(k), row.values[k])
                    if row.center_id is None:  # carry a center found by its old key over to the new one
                        center.import_key = row.import_key
                    center.updated_at = now if changed else center.updated_at
                    center.search_text = build_search_text(center, labels[center.categoria_id])
                    center.save()
                if current != wanted:
                    _link_projects(center.id, wanted)
                if changed or current != wanted:
                    summary.updated += 1
                else:
                    summary.unchanged += 1
            if progress:
                progress()
    audit("centers.import", "file", parsed.source, actor=actor, layout=parsed.layout, inserted=summary.inserted,
          updated=summary.updated, unchanged=summary.unchanged, invalid=len(parsed.invalid_lines),
          added_projects=list(extra_projects))
    return summary


def _attr(column: str) -> str:
    return "categoria_id" if column == "categoria" else column


# -- export ------------------------------------------------------------------------------------------------------
_BOOL_COLUMNS = {"eh_24h", "eh_presencial", "eh_online", "funcionamento_pandemia", "existe_delegacia",
                 "delegacia_mulher", "endereco_correto", "horario_correto", "telefone_correto", "eh_whatsapp"}


def export_query(only_active: bool = True):
    query = Center.select().order_by(Center.id)
    if only_active:
        query = query.where((Center.status == "active") & (Center.test_status == "prod"))
    return query


def _export_value(center: Center, column: str | None, labels: dict):
    if column is None:
        return ""
    value = getattr(center, _attr(column))
    if column == "categoria":
        return labels.get(value, "")
    if column in _BOOL_COLUMNS:
        return "" if value is None else ("Sim" if value else "Não")
    return "" if value is None else value


def export_csv(out, query=None) -> int:
    labels = {c.id: c.label for c in CenterCategory.select()}
    writer = csv.writer(out)
    writer.writerow([h for h, _ in EXPORT_COLUMNS])
    n = 0
    for center in (query if query is not None else export_query()):
        writer.writerow([_export_value(center, col, labels) for _, col in EXPORT_COLUMNS])
        n += 1
    return n


def export_geojson(out, query=None) -> int:
    labels = {c.id: c.label for c in CenterCategory.select()}
    features = []
    for center in (query if query is not None else export_query()):
        props = {col: _export_value(center, col, labels) for _, col in EXPORT_COLUMNS if col}
        geometry = (None if center.latitude is None or center.longitude is None
                    else {"type": "Point", "coordinates": [center.longitude, center.latitude]})
        features.append({"type": "Feature", "id": center.id, "geometry": geometry, "properties": props})
    json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
    return len(features)


# -- geocoding ---------------------------------------------------------------------------------------------------
def center_address(center: Center) -> str:
    numero = "" if center.numero_sem_numero or center.numero is None else f" {center.numero}"
    street = f"{center.tipo_logradouro} {center.nome_logradouro}{numero}".strip()
    cep = f"{center.cep[:5]}-{center.cep[5:]}" if len(center.cep or "") == 8 else ""
    return ", ".join(p for p in (street, center.bairro, f"{center.municipio} - {center.uf}", cep, "Brasil") if p)


@dataclass
class GeocodeSummary:
    geocoded: int = 0
    not_found: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def centers_to_geocode(missing_only: bool = True, limit: int | None = None):
    query = Center.select().order_by(Center.id)
    if missing_only:
        query = query.where(Center.latitude.is_null() | Center.longitude.is_null())
    if limit:
        query = query.limit(limit)
    return list(query)


def geocode_centers(centers: list[Center], progress=None, actor: str | None = None) -> GeocodeSummary:
    """Fill coordinates through the geocoder (cache first); a failure leaves the center as it was (audited)."""
    from penhas_api.core.adapters.geocoder import GeocoderUnavailable, get_geocoder

    geocoder = get_geocoder()
    summary = GeocodeSummary()
    for center in centers:
        address = center_address(center)
        try:
            result = geocoder.geocode(address)
        except GeocoderUnavailable as exc:
            summary.failed.append((center.id, center.nome, str(exc)))
            result = None
        else:
            if result is None:
                summary.not_found.append((center.id, center.nome, address))
        if result is not None:
            Center.update(latitude=round(result.latitude, 7), longitude=round(result.longitude, 7),
                          updated_at=clock.now()).where(Center.id == center.id).execute()
            summary.geocoded += 1
        if progress:
            progress()
    audit("centers.geocode", "ponto_apoio", None, actor=actor, geocoded=summary.geocoded,
          not_found=len(summary.not_found), failed=len(summary.failed))
    return summary
