"""Whether the bot may post in a chat: one rule for the start-up check, /announce and `doctor`.

Kept apart from the announcement handlers so that `doctor` reads the rule without importing any handler.
"""

from __future__ import annotations

from telegram import ChatMember
from telegram.constants import ChatMemberStatus, ChatType


def can_post(chat_type: str, member: ChatMember) -> bool:
    """Whether the Bot API lets the bot post in a chat: in a channel only its owner or an administrator with
    can_post_messages; in a group any member that may send messages (the field is absent there)."""
    if member.status == ChatMemberStatus.OWNER:
        return True
    if chat_type == ChatType.CHANNEL:
        return member.status == ChatMemberStatus.ADMINISTRATOR and bool(getattr(member, "can_post_messages", False))
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER) or (
        member.status == ChatMemberStatus.RESTRICTED and bool(getattr(member, "is_member", False))
        and bool(getattr(member, "can_send_messages", False)))
