"""The flashcard deck's progress file: your ratings and when each card is due again, read, checked,
merged and saved without ever losing one; and the box rules that schedule a card. Used by the deck of
11_review (helpers/flashcards.py, whose `Deck` saves after every rating).

Spaced repetition with five Leitner boxes. A card's box says how long it waits before it is due again:
box 1 today (it comes back in the same session), box 2 one day, box 3 three days, box 4 a week, box 5
three weeks. A new card counts as box 1. Each rating moves the card (`next_box`):
1 or 2 -> back to box 1; 3 -> stays in its box, but at least box 2; 4 -> one box up; 5 -> two boxes up
(never above 5). The card is then due on the day of the rating plus its box's wait (`rate_entry`).

The file is ~/.digits_under_the_hood/flashcards.json, or wherever $DIGITS_FLASHCARDS_FILE points. A
missing, empty or damaged file starts a fresh deck; a damaged one is kept as flashcards.json.bad
(then .2.bad, .3.bad, ...: an earlier copy is never overwritten) before anything is written over
it. A file of an older version is migrated, never dropped: version 1 (a rating and a time per card, no
boxes) is read as if each rating had been the card's first one under the box rules, and the old file is
kept as flashcards.json.v1 when the new one is first written. Saving takes a lock (flashcards.json.lock,
with fcntl.flock where there is one), re-reads the file, merges it with the new ratings card by card and
replaces the file atomically, so two kernels saving at the same moment never lose a rating.
"""
import contextlib
import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # Windows: no flock; saving still merges, only without the lock
    fcntl = None

ENV_VAR = "DIGITS_FLASHCARDS_FILE"
DEFAULT_FILE = Path("~/.digits_under_the_hood/flashcards.json")
FORMAT, VERSION = "digits-under-the-hood flashcards", 2
# Version 2, one entry per card id: {"rating": 1..5, "time": seconds since 1970 (the last rating),
#   "box": 1..5, "due": "YYYY-MM-DD" (the local day it is due again)}.
# Version 1 (migrated on reading): {"rating", "time"} only.
WAIT_DAYS = {1: 0, 2: 1, 3: 3, 4: 7, 5: 21}  # box -> days from a rating until the card is due again
LOW = 2  # a rating of 1 or 2 is "low": the card goes back to box 1


# --- the box rules ----------------------------------------------------------------------------

def day_of(seconds):
    "The local calendar day of a time in seconds since 1970."
    return dt.date.fromtimestamp(seconds)


def next_box(box, rating):
    "The box a card goes to when it is rated `rating` (1..5) from `box` (None or 1 for a new card)."
    box = box or 1
    if rating <= LOW:
        return 1
    if rating == 3:
        return max(box, 2)
    return min(box + rating - 3, 5)  # 4: one box up, 5: two


def rate_entry(previous, rating, now):
    """The entry a card gets when it is rated `rating` at `now` (seconds since 1970), moving on from its
    `previous` entry (None for a new card): the rating, the time, the new box and the day it is due."""
    box = next_box(previous["box"] if previous else None, rating)
    due = day_of(now) + dt.timedelta(days=WAIT_DAYS[box])
    return {"rating": rating, "time": now, "box": box, "due": due.isoformat()}


def due_day(entry):
    "The day a card is due again, as a datetime.date."
    return dt.date.fromisoformat(entry["due"])


def when(day, today):
    "A day as a person says it, from `today`: 'today', 'tomorrow', 'on Sat 5 Dec' (with the year if not this one)."
    days = (day - today).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {day:%a} {day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


def valid_schedule(entry):
    "Whether an entry's box is a whole number from 1 to 5 and its due day a date written YYYY-MM-DD."
    if type(entry.get("box")) is not int or entry["box"] not in WAIT_DAYS or not isinstance(entry.get("due"), str):
        return False
    try:
        return len(entry["due"]) == 10 and bool(dt.date.fromisoformat(entry["due"]))
    except ValueError:
        return False


def complete(entry):
    """A valid entry as version 2 keeps it: its own box and due day if it has good ones, else the ones its
    rating would have given it as a first rating at its time (how a version-1 entry is migrated)."""
    if valid_schedule(entry):
        return {k: entry[k] for k in ("rating", "time", "box", "due")}
    return rate_entry(None, entry["rating"], entry["time"])


# --- the file ---------------------------------------------------------------------------------


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
    entries: dict    # card id -> {"rating", "time", "box", "due"}, for known and unknown ids alike
    status: str      # "ok", "migrated", "missing", "empty", "corrupt", "old" or "unreadable"
    message: str     # one line
    skipped: int = 0  # entries dropped because they were not valid
    version: int = VERSION  # the format version the file was in (for a "migrated" one: older)


def read_progress(path, known=None):
    """Read a progress file, never raising: a missing, empty, unreadable, corrupt or unknown-format file
    gives no entries and says so in one line; a bad entry is dropped on its own and the others kept; a
    version-1 file is migrated (status "migrated"), and an entry with a bad box or due day rescheduled.
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
    if version not in (1, VERSION):
        age = "an older" if version < VERSION else "a newer"
        return Progress({}, "old", f"{shown} is in {age} format (version {version}; this deck reads versions 1 "
                                   f"to {VERSION}): starting a fresh deck; {keep}.")
    cards = data.get("cards")
    if not isinstance(cards, dict):
        return Progress({}, "corrupt", f"{shown} has no list of cards: starting a fresh deck; {keep}.")
    entries = {cid: complete(e) for cid, e in cards.items() if valid_entry(e)}
    skipped = len(cards) - len(entries)
    n = len(entries) if known is None else len(set(entries) & set(known))
    message = f"Restored your ratings of {n} card{'s' * (n != 1)} from {shown}."
    if version < VERSION:
        message = (message[:-1] + f" and put each card in the box its last rating gives it (the file was in the "
                   f"older format of version {version}; it will be kept as {kept_copy(path, version).name} when "
                   "you rate a card).")
    if skipped:
        message += f" Skipped {skipped} entr{'ies' if skipped > 1 else 'y'} that could not be read."
    return Progress(entries, "ok" if version == VERSION else "migrated", message, skipped, version)


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
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bad_copy(path, suffix="bad") -> Path:
    "Where a damaged progress file is kept: NAME.bad, or NAME.2.bad, NAME.3.bad, ... (the first free one)."
    path, n = Path(path), 1
    bad = path.with_name(f"{path.name}.{suffix}")
    while bad.exists() or bad.is_symlink():
        n += 1
        bad = path.with_name(f"{path.name}.{n}.{suffix}")
    return bad


def kept_copy(path, version) -> Path:
    "Where a migrated file of an older version is kept: NAME.v1 (or NAME.2.v1, ...: never overwritten)."
    return bad_copy(path, f"v{version}")


@contextlib.contextmanager
def locked(path):
    "Hold an exclusive lock on NAME.lock beside `path` (a side file: the progress file itself is replaced)."
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        if fcntl:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl:
                fcntl.flock(lock, fcntl.LOCK_UN)


def save_progress(path, entries):
    """Save `entries` (card id -> {rating, time, box, due}; one without a box is given one as a first
    rating): under the lock, re-read the file and keep, per card, the newer rating, so another kernel's
    ratings saved in the meantime are never lost; a damaged, unreadable or unknown-format file is first
    kept as NAME.bad, a version-1 file (migrated, its ratings kept) as NAME.v1 (numbered, never
    overwritten). Returns all the entries now in the file. Raises OSError if it cannot write."""
    path = Path(path)
    with locked(path):
        found = read_progress(path)
        if found.status in ("corrupt", "old") or (found.status == "unreadable" and path.is_file()):
            os.replace(path, bad_copy(path))
        elif found.status == "migrated":
            os.replace(path, kept_copy(path, found.version))
        merged = merge(found.entries, {cid: complete(e) for cid, e in entries.items()})
        write_atomically(path, {"format": FORMAT, "version": VERSION, "cards": merged})
    return merged
