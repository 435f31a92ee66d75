"""Try Trust Builder without accounts: play both partners on a simulated Echo and phone.

    python -m console                      # interactive (readline history beside the database)
    python -m console --script demo.txt    # print the transcript of a script (a couple's first day)
    python -m console --fresh --start "2026-11-23 09:00"

The console builds the real app in-process over its own SQLite file (var/console.db) with development
settings: Alexa requests are signed by a local test CA and verified, texts are signed like Twilio's and
validated, and nothing leaves this machine (texts go to the outbox table).
"""
import argparse
import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from console.build import DEFAULT_DB, open_world, parse_start
from console.commands import QUIT, ConsoleError, execute, substitute
from console.session import Console, Reply

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=_script, help="run the commands in this file and print the transcript")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--fresh", action="store_true", help="delete the database first and start over")
    parser.add_argument("--start", type=_start, help="simulated start, local time: 'YYYY-MM-DD HH:MM' "
                                                     "(default: where the database left off, else today 09:00)")
    parser.add_argument("--verbose", action="store_true", help="show the app's own log lines")
    return parser.parse_args(argv)


def _script(text: str) -> Path:
    """--script must name a readable file."""
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return Path(text)


def _start(text: str) -> str:
    """Check --start's form at once (argparse turns the error into a usage message)."""
    try:
        parse_start(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, environ: dict | None = None) -> int:
    """Build the console's app and run a script or the interactive prompt; 0 when every line worked."""
    args = parse_args(argv)
    with _quiet_logs(args.verbose):
        try:
            world = open_world(args.db, args.fresh, args.start, environ)
        except ValueError as error:
            print(f"python -m console: {error}", file=sys.stderr)
            return 2
        try:
            logging.getLogger().setLevel(_level(args.verbose))  # create_app set the app's level; quiet again
            console = Console(world)
            _banner(console, args, out)
            if args.script:
                return run_script(console, args.script.read_text(encoding="utf-8").splitlines(), out)
            return interactive(console, out, args.db.parent / "console_history")
        finally:
            world.close()


def run_script(console: Console, lines: list[str], out: TextIO) -> int:
    """Echo each line with who said it where, then the answer; 1 if any line failed."""
    failed, noting = False, False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            print(line if noting else f"\n{line}", file=out)
            noting = True
            continue
        noting = False
        if line.lower() in QUIT:
            break
        at, reply = step(console, line)
        print(f"[{at}] {reply.who} > {_shown(line, console.variables)}", file=out)
        failed |= _show(reply, out)
    return 1 if failed else 0


def step(console: Console, line: str) -> tuple[str, Reply]:
    """(the time before the line, its reply); a console error becomes a reply that says so."""
    at = console.now_line()
    try:
        return at, execute(console, line)
    except ConsoleError as error:
        return at, Reply("console", [f"ERROR: {error}"])


def _shown(line: str, variables: dict[str, str]) -> str:
    """The line as it was run, with $variables filled in where they are known."""
    try:
        return substitute(line, variables)
    except ConsoleError:
        return line


def interactive(console: Console, out: TextIO, history: Path) -> int:
    """The prompt loop, with readline history when the platform has it."""
    _load_history(history)
    print("Type 'help' for commands, 'quit' to leave.", file=out)
    while True:
        try:
            line = input(f"[{console.now_line()}] {console.player.name}> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            break
        if line.lower() in QUIT:
            break
        if line and not line.startswith("#"):
            _show(step(console, line)[1], out)
    _save_history(history)
    return 0


def _show(reply: Reply, out: TextIO) -> bool:
    """Print a reply's lines indented; True when one of them is an error."""
    for text in reply.lines:
        print(f"    {text}", file=out)
    return any(text.startswith("ERROR") for text in reply.lines)


def _banner(console: Console, args: argparse.Namespace, out: TextIO) -> None:
    """Say what this run is, once."""
    settings = console.world.settings
    print(f"Trust Builder console: database {args.db}, time zone {settings.default_timezone}, "
          f"clock {console.now_line()}. Texts go to the outbox (nothing is sent); Alexa requests are signed "
          f"by a local test CA and verified.", file=out)


@contextmanager
def _quiet_logs(verbose: bool):
    """The console prints what matters itself; the app's log lines only with --verbose. Restored after."""
    root, quiet = logging.getLogger(), logging.NullHandler()
    level = root.level
    root.setLevel(_level(verbose))
    root.addHandler(quiet)  # without any handler, warnings would reach stderr through logging's last resort
    try:
        yield
    finally:
        root.removeHandler(quiet)
        root.setLevel(level)


def _level(verbose: bool) -> int:
    """The root log level for this run."""
    return logging.INFO if verbose else logging.CRITICAL


def _load_history(history: Path) -> None:
    """Readline history from earlier runs (absent readline, e.g. on Windows, means none)."""
    try:
        import readline
        readline.read_history_file(history)
    except (ImportError, OSError):
        pass


def _save_history(history: Path) -> None:
    """Keep this run's lines for the next one."""
    try:
        import readline
        readline.set_history_length(1000)
        readline.write_history_file(history)
    except (ImportError, OSError):
        pass


if __name__ == "__main__":
    sys.exit(main())
