"""Response JSON through orjson: the same compact bytes as Flask's encoder (UTF-8, keys in order, dates as HTTP
dates), several times faster on the large lists (a full center list is ~300 KB)."""
import orjson
from flask.json.provider import DefaultJSONProvider, _default

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps_bytes(obj) -> bytes:
    return orjson.dumps(obj, default=_default, option=_OPTIONS)


class OrjsonProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        if kwargs.get("indent") or self.sort_keys:
            return super().dumps(obj, **kwargs)
        return dumps_bytes(obj).decode()

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        body = dumps_bytes(self._prepare_response_obj(args, kwargs)) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)
