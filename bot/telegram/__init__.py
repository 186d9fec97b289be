"""The Telegram bot: python-telegram-bot handlers around the question answering, and the bot's state."""
