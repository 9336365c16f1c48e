"""Sending what the bot says on its own: the outbox rows, composing them at send time, pacing
to each platform's limits, and the dispatcher that claims, sends, retries and marks them."""
