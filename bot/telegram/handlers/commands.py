"""Commands: /start and /help, /sources, /source N, /stats (admins), unknown commands, and
messages that are not text."""

from __future__ import annotations

import logging

from telegram import Update

from bot import messages
from bot.querylog.periods import PeriodError, parse_when
from bot.querylog.review import Period, read_summary
from bot.querylog.stats import stats_text
from bot.telegram import format as fmt
from bot.telegram.context import BotContext

log = logging.getLogger("bot.telegram")


def help_text(context: BotContext) -> str:
    """What /help says: the bot, how to ask, its sources and commands."""
    retriever = context.retriever
    return fmt.help_message(
        context.bot.username or "", retriever.corpus.documents, retriever.corpus.passage_count
    )


async def help_command(update: Update, context: BotContext) -> None:
    """/start and /help: what the bot does, how to ask, its sources and commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(help_text(context))


def number_argument(context: BotContext) -> int | str | None:
    """The command's first argument as a number (Arabic-Indic digits too), else as given."""
    if not context.args:
        return None
    try:
        return int(context.args[0])  # int() reads any Unicode decimal digits: "٣" is 3
    except ValueError:
        return context.args[0]


async def sources_command(update: Update, context: BotContext) -> None:
    """/sources [page]: the numbered list of documents."""
    message = update.effective_message
    if message is None:
        return
    documents = context.retriever.corpus.documents
    pages = fmt.sources_pages(documents)
    page = number_argument(context) or 1
    if not isinstance(page, int) or not 1 <= page <= pages:
        wrong = messages.NO_SOURCES_PAGE.format(value=fmt.echo(str(page)), count=pages)
        text = fmt.escape(wrong)
    else:
        text = fmt.sources_message(documents, page)
    await message.reply_text(text)


async def source_command(update: Update, context: BotContext) -> None:
    """/source N: one document's title, source, passage count and link."""
    message = update.effective_message
    if message is None:
        return
    documents = context.retriever.corpus.documents
    number = number_argument(context)
    if number is None:
        text = fmt.escape(messages.SOURCE_USAGE)
    elif not isinstance(number, int) or not 1 <= number <= len(documents):
        wrong = messages.NO_SOURCE.format(value=fmt.echo(str(number)), count=len(documents))
        text = fmt.escape(wrong)
    else:
        text = fmt.source_message(documents[number - 1], number)
    await message.reply_text(text)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command this bot does not have, in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = fmt.echo(message.text.split(maxsplit=1)[0])
    await message.reply_text(fmt.escape(messages.UNKNOWN_COMMAND.format(command=command)))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, sticker, voice note, file or location: only text questions are understood."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(fmt.escape(messages.NOT_TEXT))


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [since] (admins, in a private chat): the query-log summary."""
    message = update.effective_message
    if message is None:
        return
    period = Period()
    if context.args:
        try:
            period = Period(since=parse_when(context.args[0]))
        except (PeriodError, OverflowError):
            await message.reply_text(fmt.escape(messages.STATS_USAGE))
            return
    db = context.settings.db
    try:
        summary = await read_summary(db, period)
    except Exception:  # a damaged or unreadable file: say so, keep the details for the log
        log.warning("/stats: cannot read the query log %s", db, exc_info=True)
        await message.reply_text(fmt.escape(messages.STATS_UNAVAILABLE))
        return
    text = fmt.truncate_html(stats_text(summary, html=True), fmt.MAX_MESSAGE)
    await message.reply_text(text)
