"""Documents admins add from Telegram (in a private chat): a file sent is checked (type and
size before any download), downloaded with getFile, inspected in a separate process, kept in
the corpus's uploads/ folder and indexed; /documents lists them, /remove N removes one after
a confirmation button. Every addition and removal goes to the query log."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Document as TelegramDocument
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import messages
from bot.bidi import isolate, isolate_runs
from bot.events import UploadRecord
from bot.telegram import format as fmt
from bot.telegram.background import run_in_background
from bot.telegram.context import BotContext
from bot.telegram.handlers.commands import number_argument
from bot.telegram.handlers.shared import hand_to_log
from bot.telegram.reload import FAILED, IndexKeeper, Reload
from bot.telegram.uploads import (
    MEGABYTE,
    Stored,
    UploadFolder,
    accepted,
    file_suffix,
    sha256_of,
)
from retrieval import Document, readable_suffixes

log = logging.getLogger("bot.telegram")

INSPECT_SECONDS = 120.0  # a file whose text cannot be read in this time is refused
REMOVE_PATTERN = re.compile(r"del:([0-9a-f]{12}|-)")
REASON_CHARS = 200


def _megabytes(size: int | float) -> str:
    return isolate(f"{size / MEGABYTE:.1f} MB")


def _suffixes() -> str:
    return isolate(" ".join(readable_suffixes()))


def change_index(
    keeper: IndexKeeper, reason: str, then: Callable[[Reload], Awaitable[object]]
) -> asyncio.Task:
    """Put the corpus as it is now (a document added or removed) into the index the bot
    answers from, in the keeper's task: `marjaa index` in a background process, which
    updates the saved index (a new segment, removed passages marked) rather than rebuilding
    it (retrieval/index/update.py)."""
    return keeper.request(reason, build=True, then=then)


# --- a file sent by an admin ------------------------------------------------------------


def _refusal(context: BotContext, file_name: str | None, size: int | None) -> str | None:
    """Why the file is refused before anything is downloaded, or None."""
    suffix = file_suffix(file_name)
    if not suffix:
        return messages.UPLOAD_NO_NAME.format(suffixes=_suffixes())
    if not accepted(suffix):
        return messages.UPLOAD_UNSUPPORTED.format(
            suffix=isolate(fmt.echo(suffix, 16)), suffixes=_suffixes()
        )
    limit = context.settings.upload_max_mb * MEGABYTE
    if size is not None and size > limit:
        return messages.UPLOAD_TOO_BIG.format(size=_megabytes(size), limit=_megabytes(limit))
    return None


async def upload_document(update: Update, context: BotContext) -> None:
    """A document from an admin in a private chat: into the corpus, or a clear reason."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    document = message.document
    uploads = context.keeper.uploads
    if not uploads.available:
        await message.reply_text(fmt.escape(messages.UPLOAD_NO_FOLDER))
        return
    refused = _refusal(context, document.file_name, document.file_size)
    if refused is not None:
        await message.reply_text(fmt.escape(refused))
        return
    status = await message.reply_text(fmt.escape(messages.UPLOAD_RECEIVED))
    suffix = file_suffix(document.file_name)
    incoming = uploads.incoming(suffix)
    try:
        text = await _receive(context, document, uploads, incoming, suffix, message, status)
    finally:
        incoming.unlink(missing_ok=True)
    if text is not None:
        await status.edit_text(fmt.escape(text))


async def _receive(
    context: BotContext,
    document: TelegramDocument,
    uploads: UploadFolder,
    incoming: Path,
    suffix: str,
    message: Message,
    status: Message,
) -> str | None:
    """Download, check and keep the file; returns the reply, or None when indexing (which
    replies when done) has started."""
    limit = context.settings.upload_max_mb * MEGABYTE
    try:
        remote = await document.get_file()
        if remote.file_size is not None and remote.file_size > limit:
            return _refusal(context, document.file_name, remote.file_size)
        await remote.download_to_drive(incoming)
    except TelegramError as exc:  # the reason may carry the file URL (the token): log only
        log.warning("upload: cannot download the file: %s", exc)
        return messages.UPLOAD_DOWNLOAD_FAILED
    size = incoming.stat().st_size
    if size > limit:  # Telegram said less than it sent: the limit holds all the same
        return _refusal(context, document.file_name, size)
    digest = await asyncio.to_thread(sha256_of, incoming)
    checked = await _inspect(context, incoming)
    if isinstance(checked, str):
        return checked
    async with uploads.lock:
        if (earlier := uploads.find(digest)) is not None:
            number = uploads.stored().index(earlier) + 1
            title = _title(earlier.documents(context.retriever.corpus.documents), checked)
            return messages.UPLOAD_DUPLICATE.format(number=number, title=title)
        stored = uploads.keep(incoming, digest, suffix)
    user = message.from_user.id if message.from_user else None
    passages = sum(int(d["passages"]) for d in checked)
    title = _title([], checked)
    record = UploadRecord("add", user, digest, size, title, stored.path.name, passages)
    hand_to_log(context.sink.log_upload, record)  # now: the file is in the corpus
    log.info("upload: %s kept as %s (%s bytes); indexing", suffix, stored.label, size)

    async def report(done: Reload) -> None:
        documents = stored.documents(context.retriever.corpus.documents)
        title = _title(documents, checked)
        await status.edit_text(fmt.escape(_added_text(done, documents, title)))

    change_index(context.keeper, "document added", then=report)
    return None


async def _inspect(context: BotContext, path: Path) -> list[dict] | str:
    """The file's documents (title, passages) read in a separate process, or the reply
    refusing it: no usable text (with the reader's reason) or a file it could not read."""
    done = await run_in_background(
        "inspect", str(path), data_dir=context.settings.data_dir, timeout=INSPECT_SECONDS
    )
    if done.status != 0:
        log.warning("upload: inspecting the file failed: %s", done.last_error)
        reason = "time limit" if done.status is None else "the reader stopped"
        return messages.UPLOAD_BROKEN.format(reason=isolate(reason))
    found = _parse(done.out)
    if found is None:
        return messages.UPLOAD_BROKEN.format(reason=isolate("no result"))
    documents = [d for d in found["documents"] if d.get("passages")]
    if documents:
        return documents
    # the reader's own words, without the temporary name it was given ("<name>: why")
    reasons = [w.split(": ", 1)[-1] for w in found.get("warnings") or []]
    reason = "; ".join(dict.fromkeys(reasons)) or found.get("error") or "empty"
    return messages.UPLOAD_NO_TEXT.format(reason=isolate(fmt.echo(reason, REASON_CHARS)))


def _parse(out: str) -> dict | None:
    try:
        found = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("documents"), list) else None


def shown_title(title: str, limit: int = 120) -> str:
    """A document's title quoted in a reply: short, printable, Latin runs isolated."""
    return isolate_runs(fmt.echo(title, limit))


def _title(documents: list[Document], checked: list[dict]) -> str:
    if documents:
        return shown_title(documents[0].title)
    return shown_title(str(checked[0].get("title") or "?"))


def _added_text(done: Reload, documents: list[Document], title: str) -> str:
    if done.outcome == FAILED:
        return messages.UPLOAD_INDEX_FAILED.format(reason=isolate(fmt.echo(done.detail, 300)))
    passages = sum(d.passage_count for d in documents)
    if not passages:
        return messages.UPLOAD_NOTHING_NEW.format(title=title)
    if len(documents) > 1:
        return messages.UPLOAD_ADDED_MANY.format(
            documents=len(documents), passages=passages, title=title
        )
    return messages.UPLOAD_ADDED.format(title=title, passages=passages)


# --- /documents, /remove N and its button -------------------------------------------------


def documents_text(stored: list[Stored], documents: list[Document]) -> str:
    """The numbered list of uploaded files: title, passages, when, size (HTML)."""
    if not stored:
        return fmt.escape(messages.DOCUMENTS_NONE.format(suffixes=_suffixes()))
    lines = [f"📚 <b>{fmt.escape(messages.DOCUMENTS_TITLE)}</b> ({len(stored)})"]
    for number, upload in enumerate(stored, start=1):
        found = upload.documents(documents)
        if found:
            what = f"«{fmt.escape(shown_title(found[0].title, 80))}» — "
            what += f"{sum(d.passage_count for d in found)} {messages.PASSAGES_LABEL}"
        else:
            what = fmt.escape(messages.DOCUMENT_NOT_INDEXED)
        when = fmt.escape(isolate(upload.uploaded))
        lines.append(f"{number}. {what} · {when} · {fmt.escape(_megabytes(upload.size))}")
    return fmt.truncate_html("\n".join(lines), fmt.MAX_MESSAGE)


async def documents_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        stored = context.keeper.uploads.stored()
        documents = list(context.retriever.corpus.documents)
        await message.reply_text(documents_text(stored, documents))


async def remove_command(update: Update, context: BotContext) -> None:
    """/remove N: asks to confirm, with the document's title, before anything is removed."""
    message = update.effective_message
    if message is None:
        return
    stored = context.keeper.uploads.stored()
    number = number_argument(context)
    if number is None:
        await message.reply_text(fmt.escape(messages.REMOVE_USAGE))
        return
    if not isinstance(number, int) or not 1 <= number <= len(stored):
        wrong = messages.NO_DOCUMENT.format(value=fmt.echo(str(number)), count=len(stored))
        await message.reply_text(fmt.escape(wrong))
        return
    upload = stored[number - 1]
    found = upload.documents(context.retriever.corpus.documents)
    title = shown_title(found[0].title) if found else isolate(upload.path.name)
    question = messages.REMOVE_CONFIRM.format(title=title, name=isolate(upload.label))
    buttons = InlineKeyboardMarkup(
        [[
            InlineKeyboardButton(messages.REMOVE_YES, callback_data=f"del:{upload.digest}"),
            InlineKeyboardButton(messages.REMOVE_NO, callback_data="del:-"),
        ]]
    )  # fmt: skip
    await message.reply_text(fmt.escape(question), reply_markup=buttons)


async def remove_button(update: Update, context: BotContext) -> None:
    """«نعم، احذفها» or «إلغاء» under a /remove question; admins only, once."""
    callback = update.callback_query
    assert callback is not None
    if callback.from_user.id not in context.settings.admin_user_ids:
        await callback.answer(messages.ADMINS_ONLY)
        return
    match = REMOVE_PATTERN.fullmatch(callback.data or "")
    shown = callback.message if isinstance(callback.message, Message) else None
    if match is None or shown is None:
        await callback.answer(messages.INVALID_BUTTON)
        return
    if match[1] == "-":
        await callback.answer()
        await shown.edit_text(fmt.escape(messages.REMOVE_CANCELLED))
        return
    uploads = context.keeper.uploads
    async with uploads.lock:  # a double tap finds the file gone
        upload = uploads.find(match[1])
        if upload is None:
            await callback.answer(messages.REMOVE_GONE)
            return
        digest = await asyncio.to_thread(sha256_of, upload.path)
        upload.path.unlink(missing_ok=True)
    found = upload.documents(context.retriever.corpus.documents)
    title = shown_title(found[0].title) if found else isolate(upload.path.name)
    passages = sum(d.passage_count for d in found)
    record = UploadRecord(
        "remove", callback.from_user.id, digest, upload.size, title, upload.path.name, passages
    )
    hand_to_log(context.sink.log_upload, record)  # now: the file has left the corpus
    log.info("upload: %s removed; indexing", upload.label)
    await callback.answer()
    await shown.edit_text(fmt.escape(messages.REMOVING.format(title=title)))

    async def report(done: Reload) -> None:
        if done.outcome == FAILED:
            text = messages.RELOAD_FAILED.format(reason=isolate(fmt.echo(done.detail, 300)))
        else:
            retriever = context.retriever
            text = messages.REMOVED.format(
                title=title,
                documents=len(retriever.corpus.documents),
                passages=retriever.corpus.passage_count,
            )
        await shown.edit_text(fmt.escape(text))

    change_index(context.keeper, "document removed", then=report)
