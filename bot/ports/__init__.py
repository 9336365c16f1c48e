"""The contract between the core and a chat platform: everything a platform package may use of
Kipinä besides the shared plumbing, i18n and logs. Nothing here reads storage or runs a use case."""
from bot.ports.env import ConfigError, Env
from bot.ports.messages import (Attachment, Block, Button, Choice, Field, Form, Message, Response, aligned, facts,
                                file_as_text, message, spelled_out, table)
from bot.ports.contract import (Limits, PermanentFailure, Platform, RateLimited, Runtime, SendError, Sent,
                                TemporaryFailure, Target, Unanswered, Unreachable)
from bot.ports.requests import (ActionRequest, Actor, CommandRequest, DeleteRequest, EditRequest, FormRequest,
                                MessageRequest, Place, Profile, Request)
from bot.ports.spec import PlatformSpec

__all__ = [
    "ActionRequest", "Actor", "Attachment", "Block", "Button", "Choice", "CommandRequest", "ConfigError",
    "DeleteRequest", "EditRequest",
    "Env", "Field", "Form", "FormRequest", "Limits", "Message", "MessageRequest", "PermanentFailure", "Place",
    "Platform", "PlatformSpec", "Profile", "Request", "RateLimited", "Response", "Runtime", "SendError", "Sent", "TemporaryFailure",
    "Target", "Unanswered", "Unreachable", "aligned", "facts", "file_as_text", "message", "spelled_out", "table",
]
