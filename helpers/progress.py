"""The flashcard deck's progress file: your ratings, read, checked, merged and saved without ever
losing one. Used by the deck of 10_review (helpers/flashcards.py, whose `Deck` saves after every rating).

The file is ~/.digits_under_the_hood/flashcards.json, or wherever $DIGITS_FLASHCARDS_FILE points. A
missing, empty or damaged file starts a fresh deck; a damaged one is kept as flashcards.json.bad
(then .2.bad, .3.bad, ...: an earlier copy is never overwritten) before anything is written over
it. Saving takes a lock (flashcards.json.lock, with fcntl.flock where there is one), re-reads the
file, merges it with the new ratings card by card and replaces the file atomically, so two kernels
saving at the same moment never lose a rating.
"""
import contextlib, json, math, os, tempfile
from pathlib import Path
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # Windows: no flock; saving still merges, only without the lock
    fcntl = None

ENV_VAR = "DIGITS_FLASHCARDS_FILE"
DEFAULT_FILE = Path("~/.digits_under_the_hood/flashcards.json")
FORMAT, VERSION = "digits-under-the-hood flashcards", 1


def progress_path():
    "Where ratings are saved: $DIGITS_FLASHCARDS_FILE if set, else ~/.digits_under_the_hood/flashcards.json."
    return Path(os.environ.get(ENV_VAR) or DEFAULT_FILE).expanduser()


def shown_path(path):
    "The path as a person reads it, with ~ for the home folder."
    path, home = Path(path), Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


def valid_entry(entry):
    "Whether one saved entry is {'rating': a whole number from 1 to 5, 'time': seconds since 1970}."
    if not isinstance(entry, dict):
        return False
    rating, when = entry.get("rating"), entry.get("time")
    return (type(rating) is int and 1 <= rating <= 5 and type(when) in (int, float)
            and math.isfinite(when) and when >= 0)


class Progress(NamedTuple):
    "What read_progress found: the valid entries, what kind of file it was, and one line for people."
    entries: dict    # card id -> {"rating": 1..5, "time": seconds}, for known and unknown ids alike
    status: str      # "ok", "missing", "empty", "corrupt", "old" or "unreadable"
    message: str     # one line
    skipped: int = 0  # entries dropped because they were not valid


def read_progress(path, known=None):
    """Read a progress file, never raising: a missing, empty, unreadable, corrupt or older-format file
    gives no entries and says so in one line; a bad entry is dropped on its own and the others kept.
    `known` (card ids) is only used to count, in the message, the ratings of cards that exist."""
    path, shown = Path(path), shown_path(path)
    keep = f"the old file will be kept as {bad_copy(path).name} when you rate a card"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress({}, "missing", f"No saved progress yet: a fresh deck. Your ratings will be saved in {shown}.")
    except UnicodeDecodeError:
        return Progress({}, "corrupt", f"{shown} is damaged (not UTF-8 text): starting a fresh deck; {keep}.")
    except OSError as e:
        why = e.strerror or type(e).__name__
        also = f"; {keep}" if path.is_file() else ""
        return Progress({}, "unreadable", f"Could not read {shown} ({why}): starting a fresh deck{also}.")
    if not text.strip():
        return Progress({}, "empty", f"{shown} is empty: starting a fresh deck.")
    try:
        data = json.loads(text)
    except ValueError:
        return Progress({}, "corrupt", f"{shown} is damaged (not valid JSON): starting a fresh deck; {keep}.")
    if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT:
        return Progress({}, "corrupt", f"{shown} is not a flashcards file: starting a fresh deck; {keep}.")
    version = data.get("version", 0)
    if type(version) is not int:
        return Progress({}, "corrupt", f"{shown} has no usable format version: starting a fresh deck; {keep}.")
    if version != VERSION:
        age = "an older" if version < VERSION else "a newer"
        return Progress({}, "old", f"{shown} is in {age} format (version {version}; this deck reads version "
                                   f"{VERSION}): starting a fresh deck; {keep}.")
    cards = data.get("cards")
    if not isinstance(cards, dict):
        return Progress({}, "corrupt", f"{shown} has no list of cards: starting a fresh deck; {keep}.")
    entries = {cid: {"rating": e["rating"], "time": e["time"]} for cid, e in cards.items() if valid_entry(e)}
    skipped = len(cards) - len(entries)
    n = len(entries) if known is None else len(set(entries) & set(known))
    message = f"Restored your ratings of {n} card{'s' * (n != 1)} from {shown}."
    if skipped:
        message += f" Skipped {skipped} entr{'ies' if skipped > 1 else 'y'} that could not be read."
    return Progress(entries, "ok", message, skipped)


def merge(*sources):
    "Per card, the newest rating among the sources (by time; on a tie, the later source wins)."
    out = {}
    for source in sources:
        for cid, entry in source.items():
            if cid not in out or entry["time"] >= out[cid]["time"]:
                out[cid] = entry
    return out


def write_atomically(path, data):
    "Write `data` as JSON to `path` through a temporary file in the same folder and os.replace."
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush(); os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bad_copy(path) -> Path:
    "Where a damaged progress file is kept: NAME.bad, or NAME.2.bad, NAME.3.bad, ... (the first free one)."
    path, n = Path(path), 1
    bad = path.with_name(path.name + ".bad")
    while bad.exists() or bad.is_symlink():
        n += 1
        bad = path.with_name(f"{path.name}.{n}.bad")
    return bad


@contextlib.contextmanager
def locked(path):
    "Hold an exclusive lock on NAME.lock beside `path` (a side file: the progress file itself is replaced)."
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        if fcntl: fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl: fcntl.flock(lock, fcntl.LOCK_UN)


def save_progress(path, entries):
    """Save `entries` (card id -> {rating, time}): under the lock, re-read the file and keep, per card,
    the newer rating, so another kernel's ratings saved in the meantime are never lost; a damaged,
    unreadable or other-format file is first kept as NAME.bad (numbered, never overwritten).
    Returns all the entries now in the file. Raises OSError if it cannot write."""
    path = Path(path)
    with locked(path):
        found = read_progress(path)
        if found.status in ("corrupt", "old") or (found.status == "unreadable" and path.is_file()):
            os.replace(path, bad_copy(path))
        merged = merge(found.entries, entries)
        write_atomically(path, {"format": FORMAT, "version": VERSION, "cards": merged})
    return merged
