"""Shared by the timeline tests: post through the real API, list, and check item shapes against the app's
fixtures by item type (a timeline page mixes tweets and news groups)."""
from tests.api.test_app_contract import golden, shape_problems

UA_CURRENT = "Android 14/Google Pixel 7/3.7.4"


def post(client, headers, content="oi", **extra):
    r = client.post("/me/tweets", headers=headers, data={"content": content, **extra})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def comment(client, headers, tweet_id, content="comentário"):
    r = client.post(f"/timeline/{tweet_id}/comment", headers=headers, data={"content": content})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def timeline(client, headers, **params):
    r = client.get("/timeline", headers={**headers, "User-Agent": UA_CURRENT}, query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def typed_shape_problems(fixture: str, body: dict) -> list[str]:
    """Compare each item of ``tweets`` with the fixture's first item of the same type, the rest as usual."""
    gold = golden(fixture)
    by_type = {}
    for item in gold.get("tweets") or []:
        by_type.setdefault(item["type"], item)
    problems = shape_problems({k: v for k, v in gold.items() if k != "tweets"}, body)
    for item in body.get("tweets") or []:
        if item.get("type") in by_type:
            problems += shape_problems(by_type[item["type"]], item, f"$.tweets[{item['type']}]")
    return problems
