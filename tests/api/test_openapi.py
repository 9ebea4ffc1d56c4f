"""The OpenAPI document: valid OpenAPI 3.1, exactly the app's URL rules, and the app's golden fixtures validate."""
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from penhas_api.openapi import build_document, openapi_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"

# Each golden fixture and the answer it stands for (mobile-contract §3).
FIXTURE_ANSWERS = {
    "audios/audios_fetch.json": ("get", "/me/audios", 200),
    "authentication/cpf_form_field_error.json": ("post", "/signup", 400),
    "authentication/email_not_found.json": ("post", "/reset-password/request-new", 400),
    "authentication/invalid_token_error.json": ("post", "/reset-password/write-new", 400),
    "authentication/login_failure.json": ("post", "/login", 400),
    "authentication/login_success.json": ("post", "/login", 200),
    "authentication/login_success_deleted_scheduled.json": ("post", "/login", 200),
    "authentication/name_not_match.json": ("post", "/signup", 400),
    "authentication/registration_email_already_exists.json": ("post", "/signup", 400),
    "authentication/request_reset_password.json": ("post", "/reset-password/request-new", 200),
    "chat/chat_block_channel.json": ("post", "/me/manage-blocks", 200),
    "chat/chat_list_channel.json": ("get", "/me/chats", 200),
    "chat/chat_list_channel_empty.json": ("get", "/me/chats", 200),
    "chat/chat_open_channel.json": ("post", "/me/chats-session", 200),
    "chat/chat_read_channel.json": ("get", "/me/chats-messages", 200),
    "chat/chat_read_channel_empty.json": ("get", "/me/chats-messages", 200),
    "chat/chat_send_message_channel.json": ("post", "/me/chats-messages", 200),
    "escape_manual/escape_manual_broken_response.json": ("get", "/me/tarefas", 200),
    "escape_manual/escape_manual_latest_response.json": ("get", "/me/tarefas", 200),
    "escape_manual/escape_manual_response.json": ("get", "/me/tarefas", 200),
    "escape_manual/quiz_session_response.json": ("post", "/me/quiz", 200),
    "feed/retrieve_filters_tags.json": ("get", "/filter-tags", 200),
    "feed/retrieve_response.json": ("get", "/timeline", 200),
    "feed/retrieve_with_last_replay_response.json": ("get", "/timeline", 200),
    "feed/tweet_create_response.json": ("post", "/me/tweets", 200),
    "feed/tweet_current_response.json": ("get", "/timeline", 200),
    "feed/tweet_detail_empty_response.json": ("get", "/timeline", 200),
    "feed/tweet_like_response.json": ("post", "/timeline/{tweet_id}/like", 200),
    "feed/tweet_reply_response.json": ("post", "/timeline/{tweet_id}/comment", 200),
    "filters/filter_skills.json": ("get", "/filter-skills", 200),
    "help_center/guardian_alert_gps_error.json": ("post", "/me/guardioes/alert", 400),
    "help_center/guardian_alert_warning.json": ("post", "/me/guardioes/alert", 200),
    "help_center/guardian_bad_celular_number.json": ("post", "/me/guardioes", 400),
    "help_center/guardian_create_successful.json": ("post", "/me/guardioes", 200),
    "help_center/guardian_empty_list.json": ("get", "/me/guardioes", 200),
    "help_center/guardian_list.json": ("get", "/me/guardioes", 200),
    "help_center/guardian_update_name.json": ("put", "/me/guardioes/{guardian_id}", 200),
    "notification/notification_session.json": ("get", "/me/notifications", 200),
    "profile/about_with_quiz_session.json": ("get", "/me", 200),
    "profile/quiz_session_resonse_multiple_choices.json": ("get", "/me", 200),
    "profile/quiz_session_response.json": ("post", "/me/quiz", 200),
    "profile/quiz_session_response_button_fim.json": ("get", "/me", 200),
    "profile/quiz_session_response_stealth_mode.json": ("get", "/me", 200),
    "profile/quiz_session_response_with_previous_message.json": ("get", "/me", 200),
    "quiz/all-messages.json": ("post", "/me/quiz", 200),
    "quiz/quiz_start_response.json": ("post", "/me/quiz", 200),
    "support_center/alert_model_response.json": ("post", "/me/sugerir-pontos-de-apoio-completo", 200),
    "support_center/support_center_geocode.json": ("get", "/me/geocode", 200),
    "support_center/support_center_geocode_error.json": ("get", "/me/geocode", 400),
    "support_center/support_center_list_of_place.json": ("get", "/me/pontos-de-apoio", 200),
    "support_center/support_center_meta_data.json": ("get", "/pontos-de-apoio-dados-auxiliares", 200),
    "support_center/support_center_no_gps.json": ("get", "/me/pontos-de-apoio", 400),
    "support_center/support_center_place_detail.json": ("get", "/me/pontos-de-apoio/{ponto_apoio_id}", 200),
    "users/users_block_cliente_id_invalid.json": ("post", "/block-profile", 400),
    "users/users_detail.json": ("get", "/profile", 200),
    # The contract labels it 400; we answer it as a 404 (tests/api/test_people.py), the app shows `message` either way.
    "users/users_detail_cliente_id_invalid.json": ("get", "/profile", 404),
    "users/users_search.json": ("get", "/search-users", 200),
    "users/users_search_empty.json": ("get", "/search-users", 200),
}
# Fixtures that stand for no answer of ours: the app's generic error sample (its code is invented), and a report
# error whose key is literally "error " (mobile-contract §3.12: the app reads only `message`).
NOT_OUR_ANSWERS = {"feed/invalid_request.json", "users/users_report_cliente_id_not_found.json"}


@pytest.fixture(scope="module")
def document(app):
    return build_document(app)


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    try:
        validate_openapi(document)
    except OpenAPIValidationError as err:  # pragma: no cover - the message is the point
        pytest.fail(str(err))


def test_the_validator_catches_an_invalid_document(document):
    broken = json.loads(json.dumps(document))
    broken["paths"]["/health"]["get"]["responses"] = {"200": {"content": {}}}  # a response needs a description
    with pytest.raises(OpenAPIValidationError):
        validate_openapi(broken)


def test_every_url_rule_and_nothing_else(app, document):
    rules = {(openapi_path(r.rule), m.lower()) for r in app.url_map.iter_rules()
             for m in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == rules


def test_every_operation_declares_its_error_codes(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    codes = answer["content"]["application/json"]["schema"]["properties"]["error"]
                    assert codes.get("enum"), f"{method} {path} {status}"


def test_every_fixture_is_mapped():
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json")}
    assert on_disk == set(FIXTURE_ANSWERS) | NOT_OUR_ANSWERS


@pytest.mark.parametrize("fixture", sorted(FIXTURE_ANSWERS))
def test_golden_fixture_validates_against_its_answer(document, fixture):
    method, path, status = FIXTURE_ANSWERS[fixture]
    answer = document["paths"][path][method]["responses"][str(status)]
    schema = answer["content"]["application/json"]["schema"]
    body = json.loads((FIXTURES / fixture).read_text())
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '$'}: {e.message[:200]}"
              for e in Draft202012Validator(schema).iter_errors(body)]
    assert not errors, "\n".join(errors)


def test_served_at_openapi_json_with_an_etag(client, document):
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == json.loads(json.dumps(document))
    assert "max-age" in r.headers["Cache-Control"]
    again = client.get("/openapi.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_parameters_come_from_the_validator_declarations(document):
    login = document["paths"]["/login"]["post"]
    body = login["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert body["required"] == ["email", "senha"]
    assert body["properties"]["email"] == {"type": "string", "format": "email", "maxLength": 200, "minLength": 1}
    signup = {p["name"]: p for p in document["paths"]["/signup"]["post"]["parameters"]}
    assert signup["cpf"]["required"] is True and signup["cpf"]["in"] == "query"
    assert signup["senha"]["required"] is False and signup["senha"]["description"] == "required when dry=0"
    assert login["security"] == [] and document["paths"]["/me"]["get"]["security"][0] == {"apiKeyHeader": []}


def test_links_name_real_operations_and_their_parameters(document):
    ops = {op["operationId"]: op for ops in document["paths"].values() for op in ops.values()}
    links = [(op["operationId"], name, link) for op in ops.values() for answer in op["responses"].values()
             for name, link in answer.get("links", {}).items()]
    assert len(links) >= 10
    for source, name, link in links:
        target = ops[link["operationId"]]
        names = {p["name"] for p in target.get("parameters", [])}
        assert set(link.get("parameters", {})) <= names, f"{source} → {name}"
        form = target.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
        if link.get("requestBody"):
            assert set(link["requestBody"]) <= set(form["schema"]["properties"]), f"{source} → {name}"
