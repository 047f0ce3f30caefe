"""Documents added from Telegram, end to end: the real Application against the fake Bot API
(getFile and its file URL), files inspected and indexed in background processes, the
answers, /documents and /remove with its button, and the query log's uploads table."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bot import messages
from bot.querylog import QueryLog, UserKeys
from bot.telegram.uploads import MEGABYTE, UPLOADS
from retrieval import RetrievalConfig, open_retriever, readable_suffixes
from tests.support.harness import button_data, buttons, shown, start_bot, stop_bot, write_corpus
from tests.support.paths import ROOT
from tests.support.querylog import rows

ADMIN, STRANGER = 5550001, 918273645
LIBRARY = (
    "# مكتبة الإسكندرية الجديدة\n\n"
    "افتتحت مكتبة الإسكندرية الجديدة عام 2002 على شاطئ البحر المتوسط، "
    "ويتسع مبناها المستدير لملايين الكتب وقاعات القراءة الواسعة.\n\n"
    "وتضم المكتبة متاحف للآثار والمخطوطات وقبة سماوية يزورها الطلاب كل يوم.\n"
)
LIBRARY_QUESTION = "متى افتتحت مكتبة الإسكندرية الجديدة؟"
INDEXED = 60.0  # seconds for a background build on a busy 2-core machine (usually ~3)


@pytest.fixture
async def uploading(tmp_path, api):
    """The bot over a corpus folder's saved index, with a real query log, ADMIN an admin."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_corpus(folder)
    data = tmp_path / "data"
    retriever = open_retriever(folder, data, RetrievalConfig())
    sink = QueryLog(data / "queries.sqlite3", UserKeys(b"test-salt"))
    bot = await start_bot(
        api, retriever, sink=sink, data_dir=data, admin_user_ids=frozenset({ADMIN}),
        upload_max_mb=1.0,
    )  # fmt: skip
    yield bot, folder, data
    await stop_bot(bot)


async def send_file(bot, content: bytes, name: str | None, user: int = ADMIN, **options):
    """Send a file; the bot's first reply to it (a refusal, or "received" then edited)."""
    before = len(bot.api.called("sendMessage", ok=True, chat_id=user))
    bot.api.send_document(content, name, user_id=user, **options)
    found = await bot.api.wait_for("sendMessage", before + 1, ok=True, chat_id=user, timeout=30)
    return found[-1]


async def outcome(bot, status, timeout: float = INDEXED) -> str:
    """The text the "received…" message ends up with once checking and indexing are done."""
    message_id = status.params["_result"]["message_id"]
    edits = await bot.api.wait_for(
        "editMessageText", 1, ok=True, message_id=message_id, timeout=timeout
    )
    return edits[-1].params["_result"]["text"]


async def test_admin_adds_a_document_and_it_answers_from_it_then_removes_it(uploading):
    bot, folder, data = uploading
    assert "المكتبة" not in shown(await bot.ask(LIBRARY_QUESTION, user_id=STRANGER))
    status = await send_file(bot, LIBRARY.encode(), "الإسكندرية/../../etc/passwd.md")
    assert shown(status) == messages.UPLOAD_RECEIVED
    added = await outcome(bot, status)
    assert added.startswith("✅") and "مكتبة الإسكندرية الجديدة" in added and "2 فقرة" in added
    # kept under a generated name in the corpus's uploads/, nothing at the name sent
    (kept,) = (folder / UPLOADS).iterdir()
    assert kept.suffix == ".md" and kept.read_bytes() == LIBRARY.encode()
    assert "passwd" not in kept.name and not (folder.parent / "etc").exists()
    answer = shown(await bot.ask(LIBRARY_QUESTION, user_id=STRANGER))
    assert "عام 2002" in answer and kept.name in answer  # cited by its stored name
    assert bot.api.downloads == ["documents/file_1.md"]

    # the same bytes again: said, not added twice
    again = await send_file(bot, LIBRARY.encode(), "نسخة.md")
    assert "مضاف من قبل" in await outcome(bot, again)
    assert len(list((folder / UPLOADS).iterdir())) == 1

    listing = shown(await bot.ask("/documents", user_id=ADMIN))
    assert "1. «مكتبة الإسكندرية الجديدة» — 2 الفقرات" in listing

    # /remove asks first; «إلغاء» keeps it, a stranger's press is refused
    ask = await bot.ask("/remove 1", user_id=ADMIN)
    assert "مكتبة الإسكندرية الجديدة" in shown(ask)
    assert [label for label, _ in buttons(ask)[0]] == [messages.REMOVE_YES, messages.REMOVE_NO]
    bot.api.press(ask, button_data(ask, messages.REMOVE_YES), user_id=STRANGER)
    (refused,) = await bot.api.wait_for("answerCallbackQuery", 1, timeout=15)
    assert refused.params["text"] == messages.ADMINS_ONLY and kept.exists()
    bot.api.press(ask, button_data(ask, messages.REMOVE_NO), user_id=ADMIN)
    await bot.api.wait_for("editMessageText", 3, ok=True, timeout=15)
    assert shown(bot.api.called("editMessageText", ok=True)[-1]) == messages.REMOVE_CANCELLED
    assert kept.exists()

    ask = await bot.ask("/remove ١", user_id=ADMIN)  # Arabic-Indic digits too
    edits = len(bot.api.called("editMessageText", ok=True))
    bot.api.press(ask, button_data(ask, messages.REMOVE_YES), user_id=ADMIN)
    bot.api.press(ask, button_data(ask, messages.REMOVE_YES), user_id=ADMIN)  # a double tap
    done = await bot.api.wait_for("editMessageText", edits + 2, ok=True, timeout=INDEXED)
    assert shown(done[-1]).startswith("🗑 حُذفت الوثيقة «مكتبة الإسكندرية الجديدة»")
    assert not kept.exists()
    taps = [c.params.get("text") for c in bot.api.called("answerCallbackQuery")]
    assert taps.count(messages.REMOVE_GONE) == 1
    assert "عام 2002" not in shown(await bot.ask(LIBRARY_QUESTION, user_id=STRANGER))
    none_left = shown(await bot.ask("/documents", user_id=ADMIN))
    assert none_left.startswith(messages.DOCUMENTS_NONE.split(".")[0])

    await stop_bot(bot)  # flushes the query log
    logged = rows(data / "queries.sqlite3", "uploads")
    assert [(r["action"], r["title"], r["passages"]) for r in logged] == [
        ("add", "مكتبة الإسكندرية الجديدة", 2), ("remove", "مكتبة الإسكندرية الجديدة", 2)
    ]  # fmt: skip
    assert {r["stored_as"] for r in logged} == {kept.name}
    assert {r["size"] for r in logged} == {len(LIBRARY.encode())}
    assert len({r["sha256"] for r in logged}) == 1 and len(logged[0]["sha256"]) == 64
    assert {r["user_key"] for r in logged} == {UserKeys(b"test-salt").key(ADMIN)}
    stored = (data / "queries.sqlite3").read_bytes()
    assert str(ADMIN).encode() not in stored


async def test_files_refused_before_any_download_and_broken_ones_after(uploading):
    bot, folder, _ = uploading
    # anyone else's file: the usual note, and no getFile
    note = await send_file(bot, LIBRARY.encode(), "a.txt", user=STRANGER)
    assert shown(note) == messages.NOT_TEXT
    # a type no reader is registered for; a name with no extension; over the limit
    exe = shown(await send_file(bot, b"MZ\x90\x00", "setup.exe"))
    assert "(\u2068.exe\u2069)" in exe and ".txt" in exe and ".md" in exe
    assert "بلا امتداد" in shown(await send_file(bot, LIBRARY.encode(), "README"))
    big = shown(await send_file(bot, b"x", "big.txt", declared_size=3 * MEGABYTE))
    assert big.startswith("الملف أكبر من الحد") and "3.0 MB" in big and "1.0 MB" in big
    assert not bot.api.called("getFile") and bot.api.downloads == []
    # Telegram said small, the file is big: refused once it is seen, and not kept
    lying = await send_file(bot, b"a" * (MEGABYTE + 10), "lies.txt", declared_size=10)
    assert "أكبر من الحد" in await outcome(bot, lying)
    # no usable text: a binary file named .txt, an empty one; the reader says why
    binary = await send_file(bot, b"\x00\x01\x02PK" * 100, "binary.txt")
    assert "binary" in await outcome(bot, binary)
    empty = await send_file(bot, b"   \n", "empty.md")
    assert "empty" in await outcome(bot, empty)
    jsonl = await send_file(bot, b'{"text": 5}\n{"oops"\n', "bad.jsonl")
    assert "لم أجد في الملف نصاً" in await outcome(bot, jsonl)
    assert list((folder / UPLOADS).iterdir()) == []  # nothing kept, no download left over
    assert not bot.api.called("sendMessage", chat_id=STRANGER, ok=False)[1:]  # one note only


# A PDF and a saved web page from tests/data/formats (tools/make_test_documents.py), with
# the article each was made from (tools/sample_articles.py) for its question and answer.
FORMATS = ROOT / "tests" / "data" / "formats"
ARTICLES = {"noor_report.pdf": "NOOR", "aqaba.html": "AQABA"}


@pytest.mark.parametrize("name", sorted(ARTICLES))
async def test_a_pdf_and_a_saved_web_page_are_added_and_answered_from(uploading, name):
    suffix = Path(name).suffix
    assert suffix in readable_suffixes() and (FORMATS / name).is_file()
    article = getattr(importlib.import_module("tools.sample_articles"), ARTICLES[name])
    bot, folder, _ = uploading
    assert article.answer not in shown(await bot.ask(article.question, user_id=STRANGER))
    content = (FORMATS / name).read_bytes()
    added = await outcome(bot, await send_file(bot, content, f"ملف {name}"))
    assert added.startswith("✅") and article.title[:40] in added
    (kept,) = (folder / UPLOADS).iterdir()
    assert kept.suffix == suffix and kept.read_bytes() == content
    assert article.answer in shown(await bot.ask(article.question, user_id=STRANGER + 1))
