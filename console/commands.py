"""Console commands: one typed line -> the Console method that answers it."""
import re

from console.session import Console, Reply

HELP = """Commands (anything else you type is said to the Echo):
  say <words>         speak to the Echo as the current partner, e.g. say open trust builder
  text <message>      text the Trust Builder number from the current partner's phone, e.g. text JOIN Alex
  as <name> [phone]   switch player: alex or sam (one shared Echo, a voice profile and a phone each);
                      stranger (a phone nobody invited, a voice the Echo does not know); anyone the
                      database knows by name (e.g. a partner Alex invited); or a new player with a phone
                      of their own, e.g. as jo +1 415 555 0103
  outbox [N]          the last N texts the service queued or would have sent (default 20)
  clock [when]        show the time, or move it and run the scheduler: +3h, +30m, +1d, 18:30, tomorrow 19:00,
                      fri 18:45 or mon 09:00 (the next such weekday at that time; today if still to come)
  help                this list;  quit  leave (the database stays; --fresh starts over)
$code in a line is the last link code Alexa spoke (e.g. text LINK $code). Lines starting with # are notes.
With no Alexa session open, a plain sentence is a one-shot "Alexa, ask Trust Builder <sentence>"."""
VARIABLE = re.compile(r"\$(\w+)")
QUIT = {"quit", "exit", ":q"}


class ConsoleError(Exception):
    """A line the console cannot act on; the message says what to type instead."""


def substitute(line: str, variables: dict[str, str]) -> str:
    """Replace $name with its value; an unknown name is an error that says where values come from."""
    def value(match: re.Match) -> str:
        """One variable's value."""
        if match[1] not in variables:
            raise ConsoleError(f"${match[1]} is not set yet (ask the Echo to 'link my phone' to hear a code).")
        return variables[match[1]]
    return VARIABLE.sub(value, line)


def execute(console: Console, line: str) -> Reply:
    """Run one line (already stripped, not a comment, not quit); a line that is no command is said."""
    word, _, rest = line.partition(" ")
    command = COMMANDS.get(word.lower())
    if command is None:
        return console.say(substitute(line, console.variables))
    return command(console, substitute(rest.strip(), console.variables))


def _words(command: str, rest: str) -> str:
    """The words after say/text, which must be there."""
    if not rest:
        raise ConsoleError(f"'{command}' needs words after it, e.g. '{command} {_EXAMPLES[command]}'.")
    return rest


def _count(rest: str) -> int:
    """The N of "outbox N"."""
    if not rest:
        return 20
    if not rest.isdigit() or int(rest) < 1:
        raise ConsoleError("'outbox' takes a number of texts to show, e.g. 'outbox 5'.")
    return int(rest)


def _help(console: Console, rest: str) -> Reply:
    """This list; "help me" and the like are for Alexa."""
    return console.say(f"help {rest}") if rest else Reply("console", HELP.splitlines())


def _clock(console: Console, rest: str) -> Reply:
    """Show the time, or move it."""
    return console.advance(rest) if rest else Reply("console", [f"It is {console.now_line()}."])


_EXAMPLES = {"say": "what's today's question", "text": "JOIN Alex", "sms": "KEPT"}
COMMANDS = {
    "say": lambda console, rest: console.say(_words("say", rest)),
    "text": lambda console, rest: console.text(_words("text", rest)),
    "sms": lambda console, rest: console.text(_words("sms", rest)),
    "as": lambda console, rest: console.switch(rest),
    "outbox": lambda console, rest: console.show_outbox(_count(rest)),
    "clock": _clock,
    "help": _help,
}
