"""Rate limits that hold (issue 11, items 3 and 4): counted per server whatever the number of worker processes,
and IPv6 clients keyed by their /64."""
import ipaddress
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from penhas_api.limits import client_key
from tests.embedded_server import embedded_server
from tests.helpers import assert_error

UA = "Android 12/penhas/3.6.0/test"
STRONG = "Nao#Existe123"


def login(client, email, addr):
    return client.post("/login", query_string={"app_version": UA}, data={"email": email, "senha": STRONG},
                       environ_base={"REMOTE_ADDR": addr})


def random_in(network: str) -> str:
    net = ipaddress.ip_network(network)
    return str(net[random.randrange(1, net.num_addresses - 1)])


def test_ipv6_clients_of_one_64_share_a_bucket(client, rate_limits):
    addresses = [random_in("2804:d59:a1:c0::/64") for _ in range(8)]
    statuses = [login(client, "ninguem@example.com", a).status_code for a in addresses]
    assert statuses[:3] == [400, 400, 400] and set(statuses[3:]) == {429}
    # Another /64 of the same carrier is another phone.
    assert login(client, "ninguem@example.com", random_in("2804:d59:a1:c1::/64")).status_code == 400


def test_ipv4_clients_are_keyed_by_their_address(client, rate_limits):
    for _ in range(3):
        assert login(client, "ninguem@example.com", "203.0.113.7").status_code == 400
    assert_error(login(client, "ninguem@example.com", "203.0.113.7"), 429, "too_many_requests")
    assert login(client, "ninguem@example.com", "203.0.113.8").status_code == 400


@pytest.mark.parametrize(("addr", "key"), [
    ("2804:14c:5b80:1234:aaaa:bbbb:cccc:dddd", "2804:14c:5b80:1234::/64"),
    ("2804:14C:5B80:1234::1", "2804:14c:5b80:1234::/64"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
    ("203.0.113.9", "203.0.113.9"),
    ("not an address", "not an address"),
])
def test_client_key(addr, key):
    assert client_key(addr) == key


@pytest.mark.slow
def test_limits_hold_across_worker_processes(tmp_path):
    """The review's attack: 24 logins against 3/minute on the embedded default with 2 gunicorn workers."""
    with embedded_server(tmp_path, "--workers", "2") as url:
        def attempt(_):
            # A new connection each time, so the two workers take turns.
            return requests.post(f"{url}/login", params={"app_version": UA},
                                 data={"email": "ninguem@example.com", "senha": STRONG}, timeout=30).status_code

        with ThreadPoolExecutor(8) as pool:  # parallel attempts must not slip between check and count
            statuses = list(pool.map(attempt, range(24)))
    assert statuses.count(429) == 21, statuses
