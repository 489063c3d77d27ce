"""The one exception type for user mistakes, so the CLI and the web can show one clear line."""


class UserError(Exception):
    """A mistake in what the user asked for; the message is one line naming the problem and the fix."""  # noqa: E501
