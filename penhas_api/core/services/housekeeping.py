"""Trimming tables that would otherwise only grow."""
from penhas_api.core import clock
from penhas_api.core.models import GeoCache


def trim_geo_cache() -> int:
    """Delete geocoder cache rows past ``valid_until``: lookups already ignore them (§1.10: 30 days for a hit,
    1 hour for a miss), so they only take space."""
    return GeoCache.delete().where(GeoCache.valid_until < clock.now()).execute()
