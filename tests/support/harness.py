"""The end-to-end tests' corpus and questions, with the harness of tools/bot_harness.py."""

from __future__ import annotations

import json
from pathlib import Path

from tools.bot_harness import (
    FLUSH_USER,
    TOKEN,
    USER,
    RecordingSink,
    RunningBot,
    button_data,
    buttons,
    query_id_of,
    shown,
    start_bot,
    stop_bot,
)

__all__ = [
    "CAFE_QUESTION",
    "CARAVAN_QUESTION",
    "CORPUS",
    "FLUSH_USER",
    "SPICE_QUESTION",
    "TOKEN",
    "UNANSWERABLE",
    "USER",
    "RecordingSink",
    "RunningBot",
    "button_data",
    "buttons",
    "query_id_of",
    "shown",
    "start_bot",
    "stop_bot",
    "write_corpus",
]

# A small corpus made for the bot: markup characters in titles, texts and urls, an emoji,
# a link Telegram must not get, a long passage, and nine documents sharing their words.
_TRIPS = [f"عبرت القافلة رقم {n} الصحراء الواسعة محملة بالبضائع والتوابل." for n in range(40)]
CORPUS = [
    {
        "title": 'وصفة <الزعفران> & "الهيل"',
        "url": "https://example.org/spice?a=1&b=<2>",
        "text": "يضاف الزعفران إلى القهوة العربية مع الهيل <b>غير</b> المطحون & السكر. "
        "وهذا سر النكهة 🌿 الأصيلة في الضيافة.\n\n"
        "تحمّص حبوب القهوة على نار هادئة حتى يصبح لونها ذهبياً.",
    },
    {
        "title": "رابط غير آمن",
        "url": "javascript:alert(1)",
        "text": "تنتشر زراعة النخيل في واحات الأحساء منذ قرون طويلة، ويعد التمر غذاء أساسياً.",
    },
    {
        "title": "طريق القوافل",
        "text": " ".join(_TRIPS[:6])
        + " وفي منتصف الطريق كانت القوافل تتوقف عند بئر الياقوت لتسقي الإبل. "
        + " ".join(_TRIPS[6:]),
    },
] + [
    {
        "title": f"مقهى رقم {n}",
        "text": f"يقدم المقهى رقم {n} القهوة العربية والتمر لضيوفه كل صباح، "
        f"ويشتهر بالبخور في الحي القديم رقم {n}.",
    }
    for n in range(1, 10)
]
SPICE_QUESTION = "ما سر نكهة الزعفران في القهوة؟"
CAFE_QUESTION = "أين يقدم المقهى القهوة والتمر والبخور؟"
CARAVAN_QUESTION = "أين تتوقف القوافل لتسقي الإبل؟"
UNANSWERABLE = "ما عاصمة اليابان؟"


def write_corpus(folder: Path) -> Path:
    path = folder / "corpus.jsonl"
    lines = [json.dumps(doc, ensure_ascii=False) for doc in CORPUS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
