"""Support centers for tests, built through the real models (the PostgreSQL trigger fills `geog`)."""
import itertools

from penhas_api.core import clock
from penhas_api.core.models import Center, CenterProjectLink
from penhas_api.core.services.centers import refresh_search_text

_seq = itertools.count(1)


def make_center(latitude=-23.55, longitude=-46.63, projects=(1,), **overrides) -> Center:
    n = next(_seq)
    now = clock.now()
    values = dict(status="active", created_on=now, updated_at=now, nome=f"Centro {n}", natureza="publico",
                  categoria=5, abrangencia="Local", tipo_logradouro="Rua", nome_logradouro="Augusta", numero=100,
                  bairro="Consolação", municipio="São Paulo", uf="SP", cep="01305000", latitude=latitude,
                  longitude=longitude)
    values.update(overrides)
    center = Center(**values)
    refresh_search_text(center)
    center.save(force_insert=True)
    for project in projects:
        CenterProjectLink.insert(center=center.id, project=project).execute()
    return center
