"""helpers/progress.py: the flashcard deck's progress file is read, checked, merged, migrated and
saved without ever losing a good rating; and the Leitner box rules that say when a card is due again.
The deck widget that uses them is tests/test_flashcards.py.

Every test writes its progress file under tmp_path: the real home folder is never touched. No test
depends on today's date: times are fixed, and days are passed in.
"""
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import progress as pg
from helpers import flashcards as fc

ROOT = Path(__file__).resolve().parent.parent
NOON = dt.datetime(2026, 12, 2, 12, 0).timestamp()  # local noon, Wednesday 2 December 2026
DAY = 24 * 3600


@pytest.fixture(autouse=True)
def progress_file(deck_home):
    "Every test saves under tmp_path, and HOME points there too (conftest's deck_home)."
    return deck_home


def saved(path):
    return {cid: e["rating"] for cid, e in json.loads(path.read_text())["cards"].items()}


# --- the box rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("box,rating,new", [
    (None, 1, 1), (None, 2, 1), (None, 3, 2), (None, 4, 2), (None, 5, 3),   # a new card counts as box 1
    (4, 1, 1), (4, 2, 1), (1, 3, 2), (3, 3, 3), (5, 3, 5),                   # 1-2: back to box 1; 3: stays (>= 2)
    (2, 4, 3), (4, 4, 5), (5, 4, 5), (2, 5, 4), (4, 5, 5),                   # 4: one box up, 5: two; 5 at most
])
def test_next_box(box, rating, new):
    assert pg.next_box(box, rating) == new


def test_rate_entry_gives_the_box_and_the_due_day():
    assert pg.WAIT_DAYS == {1: 0, 2: 1, 3: 3, 4: 7, 5: 21}
    first = pg.rate_entry(None, 4, NOON)
    assert first == {"rating": 4, "time": NOON, "box": 2, "due": "2026-12-03"}
    second = pg.rate_entry(first, 5, NOON + DAY)
    assert second == {"rating": 5, "time": NOON + DAY, "box": 4, "due": "2026-12-10"}   # 3 Dec + 7 days
    assert pg.rate_entry(second, 2, NOON + 9 * DAY)["due"] == "2026-12-11"           # box 1: the same day
    assert pg.rate_entry({"box": 5}, 5, NOON)["due"] == "2026-12-23"
    assert pg.due_day(first) == dt.date(2026, 12, 3) and pg.day_of(NOON) == dt.date(2026, 12, 2)


def test_when_says_a_day_as_a_person_does():
    today = dt.date(2026, 12, 2)
    assert pg.when(today, today) == "today" and pg.when(dt.date(2026, 11, 20), today) == "today"
    assert pg.when(dt.date(2026, 12, 3), today) == "tomorrow"
    assert pg.when(dt.date(2026, 12, 5), today) == "on Sat 5 Dec"
    assert pg.when(dt.date(2027, 1, 4), today) == "on Mon 4 Jan 2027"


# --- the progress file --------------------------------------------------------------------------

def test_where_progress_is_saved(monkeypatch, tmp_path):
    monkeypatch.delenv(fc.ENV_VAR)
    assert fc.progress_path() == tmp_path / ".digits_under_the_hood" / "flashcards.json"
    assert fc.shown_path(fc.progress_path()) == "~/.digits_under_the_hood/flashcards.json"
    monkeypatch.setenv(fc.ENV_VAR, "~/elsewhere/cards.json")
    assert fc.progress_path() == tmp_path / "elsewhere" / "cards.json"


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


GOOD = {"format": fc.FORMAT, "version": 1,
        "cards": {"c0": {"rating": 2, "time": 10.0}, "c1": {"rating": 5, "time": 11}}}


@pytest.mark.parametrize("content,status,words", [
    (None, "missing", "No saved progress yet"),
    ("", "empty", "is empty"),
    ("  \n", "empty", "is empty"),
    ("{not json", "corrupt", "damaged (not valid JSON)"),
    ("[1, 2]", "corrupt", "not a flashcards file"),
    ({"format": "something else", "version": 1, "cards": {}}, "corrupt", "not a flashcards file"),
    ({"version": "one", "cards": {}}, "corrupt", "no usable format version"),
    ({"format": fc.FORMAT, "version": 1, "cards": [["c0", 3]]}, "corrupt", "no list of cards"),
    ({"format": fc.FORMAT, "version": 2, "cards": None}, "corrupt", "no list of cards"),
    ({"c0": 3, "c1": 4}, "old", "an older format (version 0"),
    ({"format": fc.FORMAT, "version": 0, "cards": {}}, "old", "an older format"),
    ({"format": fc.FORMAT, "version": 3, "cards": {}}, "old",
     "a newer format (version 3; this deck reads versions 1 to 2"),
])
def test_a_bad_or_missing_file_starts_fresh_with_one_line(progress_file, content, status, words):
    if content is not None:
        write(progress_file, content)
    found = fc.read_progress(progress_file)
    assert found.entries == {} and found.status == status
    assert words in found.message and "\n" not in found.message and "Traceback" not in found.message
    if status in ("corrupt", "old"):
        assert "kept as flashcards.json.bad" in found.message


def test_an_unreadable_file_starts_fresh(progress_file):
    progress_file.mkdir(parents=True)  # a folder where the file should be
    found = fc.read_progress(progress_file)
    assert found.status == "unreadable" and found.entries == {} and "\n" not in found.message


def test_bad_entries_are_dropped_one_by_one(progress_file):
    cards = {"good": {"rating": 4, "time": 5.5}, "zero": {"rating": 0, "time": 1}, "six": {"rating": 6, "time": 1},
             "text": {"rating": "3", "time": 1}, "float": {"rating": 3.0, "time": 1},
             "bool": {"rating": True, "time": 1},
             "no-time": {"rating": 3}, "past": {"rating": 3, "time": -1}, "nan": {"rating": 3, "time": float("nan")},
             "list": [3, 1.0], "also-good": {"rating": 1, "time": 7, "extra": "ignored"}}
    write(progress_file, {"format": fc.FORMAT, "version": 2, "cards": cards})
    found = fc.read_progress(progress_file, known={"good", "also-good"})
    assert found.status == "ok" and found.skipped == 9
    assert {cid: (e["rating"], e["time"]) for cid, e in found.entries.items()} == \
        {"good": (4, 5.5), "also-good": (1, 7)}
    assert "extra" not in found.entries["also-good"]
    assert found.message.endswith("ratings of 2 cards from ~/progress/flashcards.json. Skipped 9 entries that could "
                                  "not be read.")


def test_unknown_cards_are_kept_in_the_file_but_not_counted(progress_file):
    write(progress_file, {"format": fc.FORMAT, "version": 2,
                          "cards": {"c0": pg.rate_entry(None, 3, 1), "removed-card": pg.rate_entry(None, 1, 1)}})
    found = fc.read_progress(progress_file, known={"c0"})
    assert "ratings of 1 card from" in found.message and "removed-card" in found.entries
    fc.save_progress(progress_file, {"c0": {"rating": 5, "time": 2}})
    assert saved(progress_file) == {"c0": 5, "removed-card": 1}


def test_merge_keeps_the_newer_rating_per_card():
    old = {"a": {"rating": 1, "time": 5}, "b": {"rating": 2, "time": 9}}
    new = {"a": {"rating": 4, "time": 6}, "b": {"rating": 5, "time": 8}, "c": {"rating": 3, "time": 1}}
    assert fc.merge(old, new) == {"a": new["a"], "b": old["b"], "c": new["c"]}
    assert fc.merge({"a": {"rating": 1, "time": 5}}, {"a": {"rating": 2, "time": 5}})["a"]["rating"] == 2


def test_save_is_atomic_and_merges_with_what_is_on_disk(progress_file):
    fc.save_progress(progress_file, {"c0": {"rating": 2, "time": 1}})
    fc.save_progress(progress_file, {"c1": {"rating": 4, "time": 2}})  # another kernel's save: c0 stays
    data = json.loads(progress_file.read_text())
    assert data["format"] == fc.FORMAT and data["version"] == 2 and saved(progress_file) == {"c0": 2, "c1": 4}
    assert data["cards"]["c1"] == pg.rate_entry(None, 4, 2)  # an entry saved without a box is given one
    # no temp files left behind
    assert sorted(p.name for p in progress_file.parent.iterdir()) == ["flashcards.json", "flashcards.json.lock"]


def test_a_failed_write_leaves_the_old_file_whole(progress_file):
    fc.save_progress(progress_file, {"c0": {"rating": 2, "time": 1}})
    before = progress_file.read_text()
    with pytest.raises(TypeError):
        fc.write_atomically(progress_file, {"cards": {"c0": object()}})  # not JSON: fails half-way
    assert progress_file.read_text() == before
    assert sorted(p.name for p in progress_file.parent.iterdir()) == ["flashcards.json", "flashcards.json.lock"]


@pytest.mark.parametrize("content", ["{broken", json.dumps({"c0": 3})])
def test_saving_over_a_corrupt_or_old_file_keeps_it_as_bad(progress_file, content):
    write(progress_file, content)
    fc.save_progress(progress_file, {"c1": {"rating": 3, "time": 1}})
    assert saved(progress_file) == {"c1": 3}
    assert (progress_file.parent / "flashcards.json.bad").read_text() == content


def test_a_file_with_a_byte_that_is_not_utf8_is_kept_as_bad(progress_file):
    raw = json.dumps(GOOD).encode().replace(b'"c1"', b'"c\xff1"')
    write(progress_file, "")
    progress_file.write_bytes(raw)
    found = fc.read_progress(progress_file)
    assert found.status == "corrupt" and "not UTF-8" in found.message and "kept as flashcards.json.bad" in found.message
    fc.save_progress(progress_file, {"c0": pg.rate_entry(None, 3, NOON)})
    assert (progress_file.parent / "flashcards.json.bad").read_bytes() == raw  # the 2 good ratings are in there
    # a second damaged file goes to .2.bad; the first copy stays as it was
    progress_file.write_bytes(b"{second damage")
    assert "kept as flashcards.json.2.bad" in fc.read_progress(progress_file).message
    fc.save_progress(progress_file, {"c1": {"rating": 5, "time": 9}})
    assert (progress_file.parent / "flashcards.json.bad").read_bytes() == raw
    assert (progress_file.parent / "flashcards.json.2.bad").read_bytes() == b"{second damage"
    assert saved(progress_file) == {"c1": 5}


def test_an_unreadable_file_is_kept_before_it_is_replaced(progress_file, monkeypatch):
    write(progress_file, json.dumps(GOOD))
    real = Path.read_text
    def denied(self, *a, **k):
        if self == progress_file:
            raise PermissionError(13, "Permission denied")
        return real(self, *a, **k)
    monkeypatch.setattr(Path, "read_text", denied)
    fc.save_progress(progress_file, {"c3": {"rating": 2, "time": 1}})
    monkeypatch.undo()
    assert json.loads((progress_file.parent / "flashcards.json.bad").read_text()) == GOOD


def test_kernels_saving_at_the_same_moment_lose_no_rating(progress_file):
    "Three processes save 24 ratings each, as fast as they can, all at once: all 72 are in the file."
    script = textwrap.dedent(f"""
        import sys, time; sys.path.insert(0, {str(ROOT)!r})
        from helpers.flashcards import save_progress
        who, start = sys.argv[1], float(sys.argv[2])
        while time.time() < start: pass
        for i in range(24):
            save_progress({str(progress_file)!r}, {{f"{{who}}-{{i}}": {{"rating": 1 + i % 5, "time": time.time()}}}})
    """)
    start = f"{__import__('time').time() + 1.5}"
    procs = [subprocess.Popen([sys.executable, "-c", script, who, start]) for who in "abc"]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert len(saved(progress_file)) == 72



def test_two_kernels_one_after_the_other(progress_file):
    "Two separate Python processes rate cards of the real deck in turn; the file keeps both."
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from helpers.flashcards import Deck
        deck = Deck(notebook="01_pixels.ipynb", clock=lambda: {NOON} + float(sys.argv[2]))
        deck.flip_card(); deck.rate(int(sys.argv[1]))
        print(deck.current["id"] if deck.current else "-", "|", deck.status_line())
    """)
    env = dict(os.environ, **{fc.ENV_VAR: str(progress_file)})
    def run(rating, later=0):
        return subprocess.run([sys.executable, "-c", script, str(rating), str(later)], env=env,
                              check=True, capture_output=True, text=True).stdout.strip()
    assert run(2) == "mnist-sample-folders | 4 cards left · 1 rated low · card 2 of 5 · 1 due today"
    assert saved(progress_file) == {"grayscale-vs-colour": 2}
    # the second kernel, an hour later, restores the first one's rating: the card rated 2 is due, so it comes first
    assert run(4, 3600) == ("mnist-sample-folders | 3 cards left · 0 rated low · card 2 of 4 · 0 due today · "
                            "next: 1 card tomorrow")
    assert saved(progress_file) == {"grayscale-vs-colour": 4}

V1 = {"format": fc.FORMAT, "version": 1,
      "cards": {"c0": {"rating": 1, "time": NOON - 10 * DAY}, "c1": {"rating": 5, "time": NOON - DAY},
                "c2": {"rating": 3, "time": NOON}, "gone": {"rating": 4, "time": NOON},
                "bad": {"rating": 9, "time": 1}}}


def test_an_old_format_file_is_migrated_never_dropped(progress_file):
    "Today's file of version 1 (a rating and a time per card): every rating kept, each card put in a box."
    write(progress_file, V1)
    before = progress_file.read_text()
    found = fc.read_progress(progress_file, known={"c0", "c1", "c2"})
    assert found.status == "migrated" and found.version == 1 and found.skipped == 1
    assert found.entries == {
        "c0": {"rating": 1, "time": NOON - 10 * DAY, "box": 1, "due": "2026-11-22"},  # overdue: due today
        "c1": {"rating": 5, "time": NOON - DAY, "box": 3, "due": "2026-12-04"},
        "c2": {"rating": 3, "time": NOON, "box": 2, "due": "2026-12-03"},
        "gone": {"rating": 4, "time": NOON, "box": 2, "due": "2026-12-03"}}  # an unknown card is kept too
    assert found.message == ("Restored your ratings of 3 cards from ~/progress/flashcards.json and put each card "
                             "in the box its last rating gives it (the file was in the older format of version 1; "
                             "it will be kept as flashcards.json.v1 when you rate a card). Skipped 1 entry that "
                             "could not be read.")
    assert progress_file.read_text() == before  # reading writes nothing
    # the first save writes version 2 with every old rating, and keeps the old file beside it
    fc.save_progress(progress_file, {"c2": pg.rate_entry(found.entries["c2"], 4, NOON + DAY)})
    data = json.loads(progress_file.read_text())
    assert data["version"] == 2 == fc.VERSION and saved(progress_file) == {"c0": 1, "c1": 5, "c2": 4, "gone": 4}
    assert data["cards"]["c2"] == {"rating": 4, "time": NOON + DAY, "box": 3, "due": "2026-12-06"}
    assert (progress_file.parent / "flashcards.json.v1").read_text() == before
    assert not (progress_file.parent / "flashcards.json.bad").exists()
    assert fc.read_progress(progress_file).status == "ok"


def test_a_deck_opened_on_an_old_file_schedules_its_ratings(progress_file):
    write(progress_file, V1)
    cards = [{"id": f"c{i}", "notebook": "01_a.ipynb", "topic": "t", "question": f"Q{i}?", "answer": "A.",
              "kind": "card"} for i in range(4)]
    deck = fc.Deck(cards=cards, clock=lambda: NOON)
    assert "put each card in the box" in deck.note.value
    assert deck.order == ["c0", "c3"]  # c0 is due (rated 1), c1 and c2 wait, c3 is new
    assert deck.status_line() == "2 cards left · 1 rated low · card 1 of 2 · 1 due today · next: 1 card tomorrow"


def test_a_version_2_entry_with_a_bad_box_or_day_is_rescheduled_not_dropped(progress_file):
    cards = {"ok": {"rating": 4, "time": NOON, "box": 4, "due": "2026-12-09"},
             "box": {"rating": 4, "time": NOON, "box": 9, "due": "2026-12-09"},
             "day": {"rating": 2, "time": NOON, "box": 3, "due": "next week"},
             "short": {"rating": 5, "time": NOON, "box": 3, "due": "20261209"}}
    write(progress_file, {"format": fc.FORMAT, "version": 2, "cards": cards})
    found = fc.read_progress(progress_file)
    assert found.status == "ok" and found.skipped == 0 and found.entries["ok"] == cards["ok"]
    assert found.entries["box"]["box"] == 2 and found.entries["day"] == pg.rate_entry(None, 2, NOON)
    assert found.entries["short"]["due"] == "2026-12-05"
