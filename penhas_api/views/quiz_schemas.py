"""The ``quiz_session`` object (mobile-contract §2.3.1): POST /me/quiz, the anonymous questionnaires, the chat
assistant tile (GET /me/chats) and the escape-manual card (GET /me/tarefas)."""
from penhas_api.schemas import ANY, BOOL01, STR, arr, nullable, obj

QUIZ_MESSAGE = obj({
    "type": STR,
    "content?": nullable(STR),
    "ref?": STR,  # the answer parameter's name
    "style?": STR,
    "action?": STR,
    "label?": STR,
    "options?": arr(obj({"display": STR, "index": ANY})),
    "display_response?": STR,
    "ending_action_text?": STR,
    "ending_cancel_text?": STR,
})

QUIZ_SESSION = obj({
    # The app reads it as "${session_id ?? ''}": numeric ids, "A…"/"MF…" assistant ids and null all parse.
    "session_id": {"type": ["string", "integer", "null"]},
    "current_msgs?": arr(QUIZ_MESSAGE),
    "prev_msgs?": nullable(arr(QUIZ_MESSAGE)),
    "finished?": BOOL01,
    "end_screen?": STR,
})

QUIZ_REPLY = obj({"quiz_session": QUIZ_SESSION})
