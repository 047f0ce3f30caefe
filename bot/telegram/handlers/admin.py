"""/reload (admins, in a private chat): answer from the index of the corpus as it is now."""

from __future__ import annotations

from telegram import Update

from bot import messages
from bot.telegram import format as fmt
from bot.telegram.context import BotContext
from bot.telegram.reload import FAILED, RELOADED, Reload


def reload_text(done: Reload) -> str:
    """What an admin is told of a reload."""
    if done.outcome == FAILED:
        return fmt.escape(messages.RELOAD_FAILED.format(reason=fmt.echo(done.detail, 300)))
    template = messages.RELOADED if done.outcome == RELOADED else messages.RELOAD_UNCHANGED
    return fmt.escape(template.format(documents=done.documents, passages=done.passages))


async def reload_command(update: Update, context: BotContext) -> None:
    """Say it started, reload in the keeper's own task (a build may take minutes), then say
    how it went in the same message."""
    message = update.effective_message
    if message is None:
        return
    status = await message.reply_text(fmt.escape(messages.RELOADING))

    async def report(done: Reload) -> None:
        await status.edit_text(reload_text(done))

    context.keeper.request("/reload", build=True, then=report)
