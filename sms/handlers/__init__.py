"""SMS command handlers, one function per command: `handler(turn, command) -> reply text or None`.

A handler parses nothing and decides little: it calls a core service and picks the words from
core.words.texts. Domain errors are left to rise; sms.conversation rolls the handler's writes back and turns the
error's reason into a friendly reply. None means "no reply at all" (an empty TwiML <Response/>).
"""
