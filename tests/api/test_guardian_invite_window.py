"""Guardian invitations cannot be cycled (issue 11, item 6): invite, delete, invite another number is counted
against a rolling window of invitations sent, deleted ones included, so SMS cost and harassment are bounded."""
from penhas_api.core.models import SentSms
from penhas_api.core.services import guardians
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.sms_helpers import random_mobile


def invite(client, headers, celular):
    return client.post("/me/guardioes", query_string={"nome": "Fulano", "celular": celular}, headers=headers)


def test_invite_delete_invite_is_bounded(client, app, frozen_clock):
    user = make_user()
    headers = auth_headers(app, user)
    answers = []
    for _ in range(15):  # the review: 15 SMS in a minute from one account
        r = invite(client, headers, random_mobile())
        answers.append(r)
        if r.status_code == 200:
            gid = r.get_json()["data"]["id"]
            assert client.delete(f"/me/guardioes/{gid}", headers=headers).status_code == 200
    sent = SentSms.select().where(SentSms.kind == "invite", SentSms.cliente == user.id).count()
    assert sent == guardians.INVITES_PER_HOUR
    body = assert_error(answers[-1], 400, "too_many_invites")
    assert "convites" in body["message"]

    # The window rolls: an hour later she may invite again, up to the daily cap.
    for _ in range(4):
        frozen_clock.advance(hours=1, minutes=1)
        for _ in range(guardians.INVITES_PER_HOUR):
            r = invite(client, headers, random_mobile())
            if r.status_code == 200:
                client.delete(f"/me/guardioes/{r.get_json()['data']['id']}", headers=headers)
    sent = SentSms.select().where(SentSms.kind == "invite", SentSms.cliente == user.id).count()
    assert sent == guardians.INVITES_PER_DAY


def test_another_account_has_its_own_window(client, app):
    first, second = auth_headers(app, make_user()), auth_headers(app, make_user())
    for _ in range(guardians.INVITES_PER_HOUR):
        r = invite(client, first, random_mobile())
        client.delete(f"/me/guardioes/{r.get_json()['data']['id']}", headers=first)
    assert_error(invite(client, first, random_mobile()), 400, "too_many_invites")
    assert invite(client, second, random_mobile()).status_code == 200
