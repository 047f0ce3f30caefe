"""A fake Telegram Bot API server for the end-to-end tests, and for trying the bot by hand.

It speaks the protocol python-telegram-bot speaks: ``POST /bot<token>/<method>`` with a form,
multipart or JSON body, answered with ``{"ok": true, "result": ...}`` shaped as the Bot API
documents (https://core.telegram.org/bots/api), and serves the files users send (getFile,
then ``GET /file/bot<token>/<file_path>``). It checks what Telegram checks where the bot
could get it wrong (HTML that does not parse, texts over 4096 characters, button data over
64 bytes), records every call, lets a test push updates and can inject errors (429 with
retry_after, 500), slow answers and connection resets.

Updates reach the bot as Telegram delivers them: by getUpdates (long polling; an update is
kept until a later getUpdates confirms it with its offset) or, once setWebhook is called, by
POSTing each one to the webhook (with the secret token header, up to ``max_connections`` at
once), again and again until the bot answers 2xx; getUpdates is refused (409) meanwhile, and
an http:// webhook URL is refused as Telegram refuses it. ``webhook_target`` plays the reverse
proxy in front of the bot: the registered https URL's path is posted there.

By hand (see docs/telegram.md):

    python tools/fake_bot_api.py --port 8081
    TELEGRAM_BOT_TOKEN=123456:fake TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot marjaa bot

then type questions in the first terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import html
import itertools
import json
import re
import socket
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

BOT_ID = 777000111
BOT_USERNAME = "marjaa_test_bot"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_POLL_SECONDS = 30.0
MAX_GET_FILE = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")

# Form fields python-telegram-bot sends as plain strings; every other field is JSON-encoded.
TEXT_FIELDS = {
    "text", "caption", "parse_mode", "action", "callback_query_id", "inline_query_id", "url",
    "secret_token", "query", "next_offset", "description", "short_description", "name",
    "language_code", "chat_id_str",
}  # fmt: skip

# Telegram's HTML: these tags (with their attributes) and four named entities.
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip
_HTML_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z-]*)(?P<attrs>[^<>]*)>"
    r"|&(?P<entity>#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
    r"|(?P<bad>[<&])"
    r"|(?P<text>[^<&]+)"
)
_HREF = re.compile(r"""\s*href\s*=\s*(?:"([^"]*)"|'([^']*)')\s*""")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")
_CALLBACK_IDS = itertools.count(1)
UPDATE_KINDS = {"message", "edited_message", "callback_query", "inline_query",
                "chosen_inline_result"}  # fmt: skip


class ApiError(Exception):
    """An error answer: HTTP status, description and optional response parameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for an HTML message; ApiError(400) where it would."""
    plain: list[str] = []
    open_tags: list[str] = []
    for match in _HTML_TOKEN.finditer(text):
        if match["bad"]:
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped {match['bad']!r}")
        if match["text"] is not None:
            plain.append(match["text"])
        elif match["entity"]:
            plain.append(html.unescape(f"&{match['entity']};"))
        else:
            tag = match["tag"].lower()
            if tag not in HTML_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag}")
            if match["close"]:
                if not open_tags or open_tags[-1] != tag:
                    raise ApiError(400, f"Bad Request: can't parse entities: unmatched </{tag}>")
                open_tags.pop()
                continue
            if tag == "a" and not _HREF.fullmatch(match["attrs"]):
                raise ApiError(400, "Bad Request: can't parse entities: <a> needs one href")
            open_tags.append(tag)
    if open_tags:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{open_tags[-1]}>")
    return "".join(plain)


def message_text(text: Any, parse_mode: Any) -> str:
    """Check a message text as sendMessage does; return the text as shown."""
    if not isinstance(text, str):
        raise ApiError(400, "Bad Request: message text is empty")
    shown = parse_html(text) if str(parse_mode).upper() == "HTML" else text
    if not shown.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(shown) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return shown


def check_keyboard(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise ApiError(400, "Bad Request: unsupported reply_markup")
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: button text is empty")


def entities_for(text: str, extra: list[dict] | None = None) -> list[dict]:
    """The entities a Telegram client attaches: a leading /command and @mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        offset = utf16_len(text[: mention.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention[0])})
    return entities + (extra or [])


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict
    token: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """An error (or delay) to inject into the next ``times`` calls of a method."""

    status: int = 0
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    reset: bool = False  # close the connection (TCP reset) instead of answering
    processed: bool = False  # with reset: carry out the request first (only the answer is lost)


class FakeBotApi:
    """The server: ``await start()``, push updates, inspect ``calls``, ``await stop()``."""

    def __init__(self, token: str | None = None, username: str = BOT_USERNAME) -> None:
        self.token = token  # None: any token is accepted
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "مرجع",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.webhook: dict = {}
        self.on_call: Callable[[Call], None] | None = None
        self.long_polls = True  # False: getUpdates answers at once (for a quick shutdown)
        self._updates: list[dict] = []
        self._arrived = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._chats: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._file_ids = itertools.count(1)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.downloads: list[str] = []  # file_paths the bot fetched, in order
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Webhook delivery (setWebhook): where the "reverse proxy" in front of the bot listens
        # (the registered https URL's path is appended), and what was delivered.
        self.webhook_target: str | None = None
        self.webhook_retry_seconds = 0.2
        self.deliveries: list[tuple[int, int | str]] = []  # (update_id, HTTP status or error)
        self._deliverer: asyncio.Task | None = None
        self._in_flight: set[int] = set()

    # --- running -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: any free port); returns the base_url for the bot."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_post("/_fake/updates", self._push_over_http)
        app.router.add_post("/_fake/document", self._document_over_http)
        app.router.add_get("/_fake/calls", self._calls_over_http)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def waiting(self) -> int:
        """Updates Telegram still holds: not yet confirmed (polling) or not yet taken (webhook)."""
        return len(self._updates)

    def end_long_polls(self) -> None:
        """Answer waiting and future getUpdates at once, so a polling bot stops quickly."""
        self.long_polls = False
        self._arrived.set()

    async def stop(self) -> None:
        await self._stop_delivering()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the bot sent ---------------------------------------------------------------

    def called(self, method: str, ok: bool = False, **where: Any) -> list[Call]:
        """The calls of ``method`` whose parameters include ``where`` (``ok``: answered)."""
        return [
            c
            for c in self.calls
            if c.method == method
            and all(c.params.get(k) == v for k, v in where.items())
            and (not ok or "_result" in c.params)
        ]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, ok: bool = False, **where: Any
    ) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (matching ``where``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.called(method, ok, **where)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"{method} x{count} not called within {timeout}s: {seen}")
            await asyncio.sleep(0.01)

    def fail(
        self, method: str, status: int, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status``."""
        self.faults.setdefault(method, []).append(Fault(status, retry_after, times=times))

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds``."""
        self.faults.setdefault(method, []).append(Fault(delay=seconds, times=times))

    def reset(self, method: str, processed: bool = False, times: int = 1) -> None:
        """Reset the connection of the next ``times`` calls of ``method``, with no HTTP answer.

        ``processed``: the request is carried out first (a message is sent), as when Telegram
        did the work and the connection broke before its answer reached the bot.
        """
        fault = Fault(reset=True, processed=processed, times=times)
        self.faults.setdefault(method, []).append(fault)

    # --- updates -------------------------------------------------------------------------

    def push(self, **update: Any) -> dict:
        """Queue an update (``message=...``, ``callback_query=...``); update_id is added."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._arrived.set()
        return update

    def user(self, user_id: int = 1001, name: str = "سارة") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "ar"}

    def chat(self, chat_id: int, chat_type: str = "private", title: str = "مجموعة") -> dict:
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"title": title} if chat_type != "private" else {"first_name": "سارة"})
        self._chats[chat_id] = chat
        return chat

    def message(
        self,
        text: str | None = None,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict | None = None,
        entities: list[dict] | None = None,
        **content: Any,
    ) -> dict:
        """A message from a user as Telegram delivers it (commands and mentions marked)."""
        chat_id = chat_id if chat_id is not None else user_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id),
            **content,
        }
        if text is not None:
            message["text"] = text
            found = entities_for(text, entities)
            if found:
                message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def send_text(self, text: str, **options: Any) -> dict:
        """Push a text message; returns the message."""
        message = self.message(text, **options)
        self.push(message=message)
        return message

    def edit_text(self, message: dict, text: str) -> dict:
        """Push an edited_message update for an earlier message."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        found = entities_for(text)
        if found:
            edited["entities"] = found
        self.push(edited_message=edited)
        return edited

    def document(
        self,
        content: bytes,
        file_name: str | None,
        mime_type: str = "application/octet-stream",
        declared_size: int | None = None,
    ) -> dict:
        """A file a user sent, kept for getFile: the message's ``document`` field.

        ``declared_size``: the file_size Telegram states (default: the real size)."""
        number = next(self._file_ids)
        file_id = f"BQACAgQAAxkBAAI{number:06d}"
        suffix = re.sub(r"[^.\w]", "", PurePath(file_name or "").suffix)[:10]
        self.files[file_id] = (f"documents/file_{number}{suffix}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:06d}",
            "mime_type": mime_type,
            "file_size": len(content) if declared_size is None else declared_size,
        }
        if file_name is not None:
            document["file_name"] = file_name
        return document

    def send_document(
        self, content: bytes, file_name: str | None, caption: str | None = None, **options: Any
    ) -> dict:
        """Push a message carrying a file (``options`` as message(): user_id, chat_id...)."""
        document = self.document(
            content,
            file_name,
            options.pop("mime_type", "application/octet-stream"),
            options.pop("declared_size", None),
        )
        extra = {"caption": caption} if caption else {}
        message = self.message(document=document, **extra, **options)
        self.push(message=message)
        return message

    def press(self, sent: Call, data: str, user_id: int = 1001) -> str:
        """Push a callback query: ``user_id`` pressed a button carrying ``data`` on ``sent``."""
        callback_id = str(next(_CALLBACK_IDS) * 1000 + 7)
        self.push(
            callback_query={
                "id": callback_id,
                "from": self.user(user_id),
                "message": sent.params["_result"],
                "chat_instance": "42",
                "data": data,
            }
        )
        return callback_id

    def inline(self, query: str, user_id: int = 1001) -> str:
        query_id = str(next(_CALLBACK_IDS) * 1000 + 9)
        self.push(
            inline_query={
                "id": query_id,
                "from": self.user(user_id),
                "query": query,
                "offset": "",
                "chat_type": "private",
            }
        )
        return query_id

    def choose_inline(self, result_id: str, query: str, user_id: int = 1001) -> None:
        self.push(
            chosen_inline_result={
                "result_id": result_id,
                "from": self.user(user_id),
                "query": query,
            }
        )

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = params.get("offset")
        if offset is not None:
            self._updates = [u for u in self._updates if u["update_id"] >= int(offset)]
        wanted = params.get("allowed_updates") or None
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        while True:
            self._arrived.clear()
            ready = [u for u in self._updates if wanted is None or _kind(u) in wanted]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or not self.long_polls:
                return ready[:limit]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    # --- webhook delivery ------------------------------------------------------------------

    async def _stop_delivering(self) -> None:
        task, self._deliverer = self._deliverer, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self) -> None:
        """POST pending updates to the webhook as Telegram does: in order, up to
        ``max_connections`` at once, each until the bot answers 2xx (then it is gone)."""
        hook = dict(self.webhook)
        wanted = hook.get("allowed_updates") or None
        connections = int(hook.get("max_connections") or 40)
        path = urlsplit(hook["url"]).path or "/"
        target = (self.webhook_target or hook["url"]).rstrip("/") + (
            path if self.webhook_target else ""
        )
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        slots = asyncio.Semaphore(connections)
        tasks: set[asyncio.Task] = set()
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while True:
                    self._arrived.clear()
                    ready = [
                        u for u in self._updates
                        if u["update_id"] not in self._in_flight
                        and (wanted is None or _kind(u) in wanted)
                    ]  # fmt: skip
                    for update in ready:
                        await slots.acquire()
                        self._in_flight.add(update["update_id"])
                        task = asyncio.ensure_future(
                            self._post_update(session, target, headers, update, slots)
                        )
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    if not ready:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._arrived.wait(), 0.5)
            finally:
                for task in tasks:
                    task.cancel()
                self._in_flight.clear()

    async def _post_update(
        self,
        session: aiohttp.ClientSession,
        target: str,
        headers: dict,
        update: dict,
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            while True:
                try:
                    async with session.post(target, data=json.dumps(update), headers=headers) as r:
                        status: int | str = r.status
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    status = type(exc).__name__
                self.deliveries.append((update["update_id"], status))
                if isinstance(status, int) and 200 <= status < 300:
                    self._updates = [u for u in self._updates if u is not update]
                    return
                await asyncio.sleep(self.webhook_retry_seconds)
        finally:
            self._in_flight.discard(update["update_id"])
            slots.release()
            self._arrived.set()

    # --- the protocol --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            params = await _read_params(request)
        except (ConnectionError, aiohttp.ClientPayloadError, ValueError):
            # the bot was killed while sending: nothing arrived (Telegram would not act either)
            return web.Response(status=400)
        call = Call(method, params, token)
        self.calls.append(call)
        try:
            if self.token is not None and token != self.token:
                raise ApiError(401, "Unauthorized")
            fault = await self._inject(method)
            if fault is not None and fault.reset:
                if fault.processed:
                    params["_result"] = await self._answer(method, params)
                params["_reset"] = True
                _reset_connection(request)
                return web.Response()  # never reaches the bot: the connection is gone
            result = await self._answer(method, params)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            params["_error"] = exc.description
            return web.json_response(body, status=exc.status)
        finally:
            if self.on_call:
                self.on_call(call)
        params["_result"] = result
        return web.json_response({"ok": True, "result": result})

    async def _inject(self, method: str) -> Fault | None:
        faults = self.faults.get(method)
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status == 429:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after or 1},
            )
        if fault.status:
            raise ApiError(fault.status, "Internal Server Error")
        return fault

    def _sent_message(self, params: dict, text: str) -> dict:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self.bot_user,
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        return message

    async def _answer(self, method: str, params: dict) -> Any:
        name = method.lower()
        if name == "getme":
            return self.bot_user
        if name == "getupdates":
            if self.webhook.get("url"):
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            return await self._get_updates(params)
        if name in ("deletewebhook", "logout", "close"):
            self.webhook = {}
            await self._stop_delivering()
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True
        if name == "setwebhook":
            url = params.get("url", "")
            if url and urlsplit(url).scheme != "https":
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
            await self._stop_delivering()
            self.webhook = {"url": url, **params}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if url:
                self._deliverer = asyncio.ensure_future(self._deliver())
            return True
        if name == "getwebhookinfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}  # fmt: skip
        if name == "setmycommands":
            for command in params.get("commands") or []:
                if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                    raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
                if not 1 <= len(command.get("description", "")) <= 256:
                    raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            return True
        if name == "getfile":
            found = self.files.get(str(params.get("file_id", "")))
            if found is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            if len(found[1]) > MAX_GET_FILE:
                raise ApiError(400, "Bad Request: file is too big")
            file_id = str(params["file_id"])
            return {"file_id": file_id, "file_unique_id": "AgAD" + file_id[-6:],
                    "file_size": len(found[1]), "file_path": found[0]}  # fmt: skip
        if name == "sendchataction":
            if params.get("action") not in ("typing", "upload_document", "find_location"):
                raise ApiError(400, "Bad Request: wrong parameter action in request")
            return True
        if name == "sendmessage":
            if params.get("chat_id") is None:
                raise ApiError(400, "Bad Request: chat_id is empty")
            shown = message_text(params.get("text"), params.get("parse_mode"))
            check_keyboard(params.get("reply_markup"))
            return self._sent_message(params, shown)
        if name in ("editmessagetext", "editmessagereplymarkup"):
            key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
            message = self._messages.get(key)
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if name == "editmessagetext":
                message["text"] = message_text(params.get("text"), params.get("parse_mode"))
            check_keyboard(params.get("reply_markup"))
            message["reply_markup"] = params.get("reply_markup") or {"inline_keyboard": []}
            return message
        if name == "answercallbackquery":
            if len(params.get("text") or "") > 200:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            return True
        if name == "answerinlinequery":
            results = params.get("results") or []
            if len(results) > 50 or len({r.get("id") for r in results}) != len(results):
                raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH or duplicate ids")
            for result in results:
                if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                    raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
                content = result.get("input_message_content") or {}
                message_text(content.get("message_text"), content.get("parse_mode"))
            return True
        raise ApiError(404, "Not Found: method not found")

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes of a file getFile described."""
        token, path = request.match_info["token"], request.match_info["path"]
        self.calls.append(Call("_download", {"file_path": path}, token))
        if self.token is not None and token != self.token:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        found = next((content for p, content in self.files.values() if p == path), None)
        if found is None:
            return web.json_response({"ok": False, "error_code": 404}, status=404)
        self.downloads.append(path)
        return web.Response(body=found, content_type="application/octet-stream")

    # --- control over HTTP (for the bot run by hand or in a subprocess) -----------------

    async def _document_over_http(self, request: web.Request) -> web.Response:
        # {"content_base64": ..., "file_name": ..., "user_id": ..., "declared_size": ...}
        body = await request.json()
        content = base64.b64decode(body.pop("content_base64"))
        return web.json_response(self.send_document(content, body.pop("file_name", None), **body))

    async def _push_over_http(self, request: web.Request) -> web.Response:
        body = await request.json()
        if isinstance(body, list):  # several updates at once (a load test's burst)
            return web.json_response([self._push_one(item) for item in body])
        return web.json_response(self._push_one(body))

    def _push_one(self, body: dict) -> dict:
        # A whole update ({"message": {...}}), or the short form {"text": ..., "user_id": ...}.
        kinds = set(body) & UPDATE_KINDS
        if kinds:
            return self.push(**{kind: body[kind] for kind in kinds})
        return self.push(message=self.message(**body))

    async def _calls_over_http(self, request: web.Request) -> web.Response:
        # "at" is time.monotonic(): comparable across processes of one machine (Linux)
        calls = [{"method": c.method, "params": c.params, "at": c.at} for c in self.calls]
        return web.json_response(json.loads(json.dumps(calls, default=str)))


def _reset_connection(request: web.Request) -> None:
    """Drop the connection with a TCP reset (SO_LINGER 0), as a broken network would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _kind(update: dict) -> str:
    return next(k for k in update if k != "update_id")


def _decode(key: str, value: str) -> Any:
    if key in TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> dict:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = {k: _decode(k, v) for k, v in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            params[key] = _decode(key, value) if isinstance(value, str) else value
    return params


# --- by hand --------------------------------------------------------------------------


def _describe(call: Call) -> str | None:
    params = call.params
    if call.method in ("sendMessage", "editMessageText"):
        text = params.get("text")
        buttons = [
            b["text"] for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]  # fmt: skip
        shown = f"\n[{' | '.join(buttons)}]" if buttons else ""
        return f"--- {call.method} to {params.get('chat_id')}:\n{text}{shown}"
    if call.method == "answerCallbackQuery":
        return f"--- {call.method}: {params.get('text', '')}"
    if call.method == "answerInlineQuery":
        return f"--- {call.method}: {[r.get('title') for r in params.get('results', [])]}"
    return None


async def _console(server: FakeBotApi) -> None:
    """Type a question to send it as a private message; !photo, !group TEXT, !press TEXT."""
    loop = asyncio.get_running_loop()
    print(__doc__.split("\n\n")[0], "\nType a question (or !photo, !group TEXT, !press BUTTON):")
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        line = line.strip()
        if line == "!photo":
            photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
            server.push(message=server.message(photo=photo))
        elif line.startswith("!group "):
            server.send_text(line[7:], chat_id=-1001234, chat_type="supergroup")
        elif line.startswith("!press "):
            _press_by_label(server, line[7:].strip())
        elif line:
            server.send_text(line)


def _press_by_label(server: FakeBotApi, label: str) -> None:
    for call in reversed(server.called("sendMessage")):
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button["text"] == label and "_result" in call.params:
                    server.press(call, button["callback_data"])
                    return
    print(f"no button {label!r} on the bot's messages")


async def _serve(port: int, token: str | None) -> None:
    server = FakeBotApi(token)
    server.on_call = lambda call: (line := _describe(call)) and print(line, flush=True)
    await server.start(port=port)
    print(f"fake Bot API on {server.base_url} (TELEGRAM_API_BASE_URL)")
    try:
        await _console(server)
        await asyncio.Event().wait()  # stdin closed: keep serving until Ctrl-C
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server for marjaa.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", help="accept only this bot token (default: any)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token))


if __name__ == "__main__":
    main()
