"""helpers/flashcards.py and helpers/cards.toml: every questionnaire topic has a card; a round is the
cards due today, weakest first, then a few new ones; the deck widget, driven by setting values and
clicking its buttons (no kernel needed, and also under ipywidgets 7.7.1). The progress file and the box
rules are tests/test_progress.py.

Every test writes its progress file under tmp_path: the real home folder is never touched. No test
depends on today's date: every deck gets a clock that the test sets.
"""
import datetime as dt
import html
import json
import re
import tomllib
from pathlib import Path

import pytest

from helpers import flashcards as fc
from helpers.cards import load_terms
from helpers.flashcards import Deck

pytestmark = pytest.mark.widgets
ROOT = Path(__file__).resolve().parent.parent
SERIES = tomllib.loads((ROOT / "series.toml").read_text())
CARDS = fc.load_cards()

# The series' questionnaire: the topics the deck must cover (a card's `topic` names one).
QUESTIONNAIRE_TOPICS = [
    "Grayscale vs colour representation", "the MNIST_SAMPLE folder structure and why",
    "how pixel similarity classifies", "list comprehension that picks odd numbers and doubles them",
    "rank-3 tensor", "rank vs shape, rank from shape", "RMSE and L1 norm",
    "doing a calculation on thousands of numbers without a Python loop",
    "a 3×3 tensor of 1–9, doubled, bottom-right 2×2", "broadcasting", "metrics on training or validation set",
    "SGD", "why mini-batches", "the seven steps", "how weights are initialized", "loss",
    "why not always a high learning rate", "gradient", "whether you must compute gradients yourself",
    "why accuracy is not a loss", "sigmoid's shape", "loss vs metric", "the weight update rule",
    "what `DataLoader` does", "pseudocode of one SGD epoch",
    "zip of [1,2,3,4] and 'abcd' and why that shape matters", "`view`", "bias parameters",
    "the `@` operator", "`backward`", "why zero the gradients", "what `Learner` needs",
    "a training loop in code", "ReLU and its plot on [-2, 2]", "activation function", "`F.relu` vs `nn.ReLU`",
    "why more than one nonlinearity if one suffices in theory",
    # also:
    "mini-batch", "forward pass", "backward pass", "gradient descent step", "learning rate",
    # and the two further-research projects:
    "further research: your own Learner from scratch", "further research: all ten digits",
]
# The coding ones are exercises with self-checks in 11_review, not just cards.
EXERCISE_TOPICS = ["list comprehension that picks odd numbers and doubles them",
                   "a 3×3 tensor of 1–9, doubled, bottom-right 2×2",
                   "zip of [1,2,3,4] and 'abcd' and why that shape matters", "ReLU and its plot on [-2, 2]",
                   "a training loop in code", "further research: your own Learner from scratch"]


@pytest.fixture(autouse=True)
def progress_file(deck_home):
    "Every test saves under tmp_path, and HOME points there too (conftest's deck_home)."
    return deck_home


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def small_cards():
    return [{"id": f"c{i}", "notebook": nb, "topic": f"t{i}", "question": f"Question {i}?",
             "answer": f"Answer **{i}** with `code`.", "kind": "card"}
            for i, nb in enumerate(["01_a.ipynb", "01_a.ipynb", "02_b.ipynb", "02_b.ipynb", "02_b.ipynb"])]


def saved(path):
    return {cid: e["rating"] for cid, e in json.loads(path.read_text())["cards"].items()}


# --- the cards ----------------------------------------------------------------------------------

@pytest.mark.parametrize("topic", QUESTIONNAIRE_TOPICS)
def test_every_design_topic_has_a_card(topic):
    assert [c for c in CARDS if c["topic"] == topic], f"no card has topic {topic!r}"


def test_the_coding_topics_are_exercises():
    for topic in EXERCISE_TOPICS:
        assert all(c["kind"] == "exercise" for c in CARDS if c["topic"] == topic), topic
    assert {c["topic"] for c in CARDS if c["kind"] == "exercise"} == set(EXERCISE_TOPICS)


def test_cards_are_well_formed_and_in_series_order():
    files = [n["file"] for n in SERIES["notebook"]]
    assert len({c["id"] for c in CARDS}) == len(CARDS)
    assert all(c["notebook"] in files for c in CARDS)
    order = [files.index(c["notebook"]) for c in CARDS]
    assert order == sorted(order), "cards are listed notebook by notebook, in series order"
    assert {c["notebook"] for c in CARDS} == set(files[1:10]), "notebooks 01 to 09 each have cards"
    for c in CARDS:
        assert c["question"].rstrip().endswith((".", "?")) and "\n\n" not in c["question"], c["id"]
        assert len(c["answer"]) > 60 and "TODO" not in c["answer"], c["id"]


def test_glossary_terms_are_one_line_each_with_a_notebook():
    terms = load_terms()
    files = {n["file"] for n in SERIES["notebook"]}
    assert len(terms) >= 60 and len({t["term"] for t in terms}) == len(terms)
    for t in terms:
        assert t["notebook"] in files and "\n" not in t["meaning"] and "|" not in t["term"] + t["meaning"], t


def test_a_malformed_card_is_named(tmp_path):
    bad = tmp_path / "cards.toml"
    bad.write_text('[[card]]\nid = "x"\nnotebook = "01_pixels.ipynb"\ntopic = "t"\nquestion = "q?"\n')
    with pytest.raises(ValueError, match=r"card 1 \('x'\).*`answer` is missing"):
        fc.load_cards(bad)
    bad.write_text('[[card]]\nid = "Bad id"\nnotebook = "01_pixels.ipynb"\ntopic = "t"\nquestion = "q?"\n'
                   'answer = "a"\n')
    with pytest.raises(ValueError, match="lower-case"):
        fc.load_cards(bad)


def test_a_malformed_term_is_named(tmp_path):
    bad = tmp_path / "cards.toml"
    bad.write_text('[[term]]\nterm = "pixel"\nnotebook = "01_pixels.ipynb"\n')
    with pytest.raises(ValueError, match=r"term 1 \('pixel'\).*`meaning` is missing"):
        load_terms(bad)


def test_notebook_label():
    assert fc.notebook_label("02_pixel_similarity.ipynb") == "02 pixel similarity"


def test_markdown_html():
    assert fc.markdown_html("One `a < b` and **bold** and *it*.") == \
        "<p>One <code>a &lt; b</code> and <b>bold</b> and <i>it</i>.</p>"
    assert fc.markdown_html("3 * 4 = 12, `x * y`") == "<p>3 * 4 = 12, <code>x * y</code></p>"
    html = fc.markdown_html("Intro:\n\n* one\n  more\n* two\n\n1. first\n2. second\n\n```python\nx = [1]\n```\nEnd.")
    assert "<ul><li>one more</li><li>two</li></ul>" in html and "<ol><li>first</li><li>second</li></ol>" in html
    assert "<pre><code>x = [1]</code></pre>" in html and html.endswith("<p>End.</p>")
    assert "<script>" not in fc.markdown_html("<script>alert(1)</script>")


def test_every_answer_converts_without_stray_markdown():
    for c in CARDS:
        html = fc.markdown_html(c["answer"])
        text = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
        assert "**" not in text and "`" not in text, c["id"]


# --- the order of a round -----------------------------------------------------------------------

NOON = dt.datetime(2026, 12, 2, 12, 0).timestamp()  # local noon, Wednesday 2 December 2026
DAY = 24 * 3600
TODAY = dt.date(2026, 12, 2)


class Clock:
    "A clock a test moves: `clock.days(3)` is three days later."
    def __init__(self, t=NOON): self.t = t
    def __call__(self): return self.t
    def days(self, n): self.t += n * DAY


def entry(rating, box, due):
    return {"rating": rating, "time": NOON - DAY, "box": box, "due": due}


def test_a_round_is_the_due_cards_weakest_first_then_a_few_new_ones():
    cards = [{"id": f"c{i}"} for i in range(12)]
    entries = {"c0": entry(5, 5, "2026-12-02"), "c1": entry(2, 1, "2026-12-02"), "c2": entry(3, 2, "2026-12-01"),
               "c3": entry(3, 2, "2026-11-20"), "c4": entry(3, 3, "2026-11-01"), "c5": entry(4, 4, "2026-12-03"),
               "c6": entry(1, 1, "2026-12-02")}
    # due: 1 then 2, then the 3s (box 2 before box 3, the longest overdue first), then the 5; c5 waits
    order = fc.session_order(cards, entries, TODAY)
    assert order == ["c6", "c1", "c3", "c2", "c4", "c0", "c7", "c8", "c9", "c10", "c11"]
    assert fc.NEW_PER_ROUND == 5 and len(fc.session_order(cards, {}, TODAY)) == 5
    assert fc.session_order(cards, entries, TODAY, new=1)[-2:] == ["c0", "c7"]
    assert fc.session_order(cards, entries, TODAY + dt.timedelta(days=1))[5] == "c5"  # due tomorrow


# --- the widget --------------------------------------------------------------------------------

def deck(**kw):
    "A deck of the five small cards whose clock is `kw['clock']` (noon on 2 December 2026 if none)."
    kw.setdefault("cards", small_cards())
    kw.setdefault("clock", Clock())
    return Deck(**kw)


def test_deck_starts_with_the_question_only(progress_file):
    d = deck()
    assert "Question 0?" in d.question.value and "new card" in d.question.value
    assert d.answer.value == "" and all(b.disabled for b in d.rate_buttons)
    assert d.status_line() == "5 cards left · 0 rated low · card 1 of 5 · 0 due today"
    assert "No saved progress yet" in d.note.value and "~/progress/flashcards.json" in d.note.value
    assert not progress_file.exists()  # nothing is written before a rating


def test_css_classes_for_the_browser_test():
    d = deck()
    assert "digits-deck" in d._dom_classes and "digits-flip" in d.flip._dom_classes
    assert "digits-card-answer" in d.answer._dom_classes
    assert [b._dom_classes[-1] for b in d.rate_buttons] == [f"digits-rate-{n}" for n in range(1, 6)]


def test_flip_shows_and_hides_the_answer():
    d = deck()
    d.flip.click()
    assert "Answer <b>0</b> with <code>code</code>." in d.answer.value
    assert d.flip.description == "hide the answer" and not any(b.disabled for b in d.rate_buttons)
    d.flip.click()
    assert d.answer.value == "" and d.flip.description == "show the answer"


def test_rating_saves_schedules_and_moves_on(progress_file):
    d = deck()
    d.flip.click()
    d.rate_buttons[2].click()  # "3": box 2, due tomorrow
    assert saved(progress_file) == {"c0": 3}
    assert json.loads(progress_file.read_text())["cards"]["c0"] == \
        {"rating": 3, "time": NOON, "box": 2, "due": "2026-12-03"}
    assert "Question 1?" in d.question.value and d.answer.value == ""
    assert d.status_line() == "4 cards left · 0 rated low · card 2 of 5 · 0 due today · next: 1 card tomorrow"
    assert "Saved" in d.note.value
    d.flip.click()
    d.rate_buttons[0].click()  # "1": box 1, due today, and back in this round
    assert saved(progress_file) == {"c0": 3, "c1": 1} and d.rated_low == 1
    assert d.status_line() == "4 cards left · 1 rated low · card 3 of 6 · 1 due today · next: 1 card tomorrow"
    d.flip.click()
    d.rate(5)  # c2: box 3, due in three days
    assert d.status_line().endswith("· 1 due today · next: 1 card tomorrow")
    d.flip.click()
    d.rate(4)  # c3: box 2, tomorrow too
    assert d.status_line() == "2 cards left · 1 rated low · card 5 of 6 · 1 due today · next: 2 cards tomorrow"
    d.flip.click()
    d.rate(3)  # c4; then c1 comes back
    assert "Question 1?" in d.question.value and "last rated 1 of 5 · box 1 of 5 · due today" in d.question.value
    assert d.status_line() == "1 card left · 1 rated low · card 6 of 6 · 1 due today · next: 3 cards tomorrow"


def test_a_card_rated_low_comes_back_in_the_same_round(progress_file):
    "The issue's case: rated 1, the card comes back 3 cards later, not after every other card of the deck."
    d = Deck(clock=Clock())
    assert len(d.order) == fc.NEW_PER_ROUND  # a fresh deck: 5 new cards, not all 70
    first = d.current["id"]
    d.flip_card()
    d.rate(1)
    assert d.order[d.pos + fc.AGAIN_AFTER] == first and d.cards_left == 5
    for _ in range(fc.AGAIN_AFTER):
        d.flip_card()
        d.rate(4)
    assert d.current["id"] == first and "last rated 1 of 5" in d.question.value
    d.flip_card()
    d.rate(2)   # still weak: once more, after the last card
    ids = [c["id"] for c in CARDS[:5]]
    assert first == ids[0] and d.order == [*ids[:4], first, ids[4], first]
    d.flip_card()
    d.rate(3)
    assert d.current["id"] == first
    d.flip_card()
    d.rate(1)   # came back twice already: it stays due, for the next round
    assert d.finished and d.due_today() == 1
    assert "1 card is still due today (rated 1 or 2)" in d.question.value
    assert f"{len(CARDS) - 5} cards you have not seen yet: <i>new round</i> brings 5 of them." in d.question.value
    d.new_round.click()
    assert d.order[0] == first and len(d.order) == 6  # the weak one first, then 5 new ones


def test_rating_again_replaces_a_come_back_still_waiting(progress_file):
    d = deck()
    d.flip_card()
    d.rate(1)           # c0 will come back after c3
    assert d.order == ["c0", "c1", "c2", "c3", "c0", "c4"]
    d.previous.click()
    d.flip_card()
    d.rate(5)  # changed my mind: I knew it
    assert d.order == ["c0", "c1", "c2", "c3", "c4"] and d.current["id"] == "c1" and d.cards_left == 4


def test_days_later_the_due_cards_come_back_weakest_first(progress_file):
    clock = Clock()
    d = deck(clock=clock)
    for rating in (5, 1, 4, 3, 5):  # c0..c4; c1 comes back once after c4
        d.flip_card()
        d.rate(rating)
    d.flip_card()
    d.rate(3)        # c1 again: box 2, tomorrow
    assert d.finished and "Nothing else is due today. The next 3 cards are due tomorrow." in d.question.value
    assert d.status_line() == "0 cards left · 0 rated low · round finished · 0 due today · next: 3 cards tomorrow"
    assert Deck(cards=small_cards(), clock=clock).order == []  # later the same day: nothing to do
    clock.days(1)
    later = Deck(cards=small_cards(), clock=clock)
    assert "Restored your ratings of 5 cards" in later.note.value
    assert later.order == ["c1", "c3", "c2"]  # rated 3, 3 (c1 last rated before c3 in file order), then 4
    assert later.status_line() == "3 cards left · 0 rated low · card 1 of 3 · 3 due today · next: 2 cards on Sat 5 Dec"
    clock.days(20)
    assert Deck(cards=small_cards(), clock=clock).order == ["c1", "c3", "c2", "c0", "c4"]


def test_nothing_due_says_when_and_the_deck_still_draws(progress_file):
    clock = Clock()
    d = deck(clock=clock, notebook="01_a.ipynb")
    d.flip_card()
    d.rate(5)
    d.flip_card()
    d.rate(4)
    empty = Deck(cards=small_cards(), notebook="01_a.ipynb", clock=clock)
    assert empty.finished and empty.order == [] and empty.previous.disabled and empty.next.disabled
    assert "Nothing to review now." in empty.question.value and "next 1 card is due tomorrow" in empty.question.value
    assert "◀ previous" not in empty.question.value
    empty.previous.click()
    empty.next.click()
    empty.rate(3)  # nothing breaks, nothing is saved
    assert saved(progress_file) == {"c0": 5, "c1": 4}
    assert "Question 0?" in empty.snapshot().data and "round finished" in empty.snapshot().data


def test_rating_needs_a_card_and_a_number_from_1_to_5(progress_file, capsys):
    d = deck()
    for wrong in (0, 6, "3", None, 2.5, True):
        d.rate(wrong)
        said = capsys.readouterr().out.strip()
        assert said == (f"A rating is a whole number from 1 (did not know it) to 5 (knew it perfectly), "
                        f"not {wrong!r}: for example deck.rate(3).")
        assert html.escape(said) in d.note.value
    assert not progress_file.exists() and d.cards_left == 5
    d.flip.click()
    d.rate(4)
    assert saved(progress_file) == {"c0": 4}
    capsys.readouterr()
    one = deck(notebook="01_a.ipynb")
    one.rate(4)
    one.rate(4)
    one.rate(2)  # the round is over
    assert "round is finished" in capsys.readouterr().out


def test_re_creating_a_deck_does_not_keep_the_old_one_alive():
    "Re-running the deck's cell 30 times: no figure and no widget piles up, and the old decks are closed."
    import gc
    import weakref
    import matplotlib.pyplot as plt
    from ipywidgets.widgets import widget as w
    def instances():
        return getattr(w, "_instances", None) or w.Widget.widgets  # ipywidgets 8, or 7.7
    figures = len(plt.get_fignums())
    first = deck()
    gone = weakref.ref(first)
    live = len(instances())
    for _ in range(30):
        d = deck()
    del first
    gc.collect()
    assert len(plt.get_fignums()) == figures
    assert len(instances()) <= live and gone() is None
    d.flip.click()
    assert "Answer" in d.answer.value  # the last one still works


def test_previous_and_next():
    d = deck()
    assert d.previous.disabled and not d.next.disabled
    d.next.click()
    d.next.click()
    assert "Question 2?" in d.question.value and "card 3 of 5" in d.status_line()
    d.flip.click()
    d.previous.click()
    assert "Question 1?" in d.question.value and d.answer.value == ""  # a new card starts unflipped
    for _ in range(9):
        d.next.click()
    assert d.next.disabled and "Question 4?" in d.question.value


def test_the_menu_keeps_one_notebooks_cards():
    d = deck()
    d.flip.click()
    d.rate(4)  # c0, in 01_a
    d.menu.value = "02_b.ipynb"
    assert d.menu.options[0] == ("all notebooks", "") and ("02 b", "02_b.ipynb") in d.menu.options
    assert "Question 2?" in d.question.value
    assert d.status_line() == "3 cards left · 0 rated low · card 1 of 3 · 0 due today"
    d.menu.value = ""
    assert d.cards_left == 4 and "c0" not in d.order  # c0 is not due before tomorrow
    assert deck(notebook="02_b.ipynb").status_line().startswith("3 cards left")
    assert deck(notebook="01").menu.value == "01_a.ipynb"
    with pytest.raises(ValueError, match="No flashcards for '03_c.ipynb'"):
        deck(notebook="03_c.ipynb")


def test_finishing_a_round_and_a_new_round():
    d = deck(notebook="01_a.ipynb")
    d.flip.click()
    d.rate(5)
    d.flip.click()
    d.rate(2)   # c1 comes back at once: it is the last card
    assert d.order == ["c0", "c1", "c1"] and "Question 1?" in d.question.value
    d.flip.click()
    d.rate(4)
    assert d.finished and "All 3 cards of this round rated." in d.question.value
    assert d.flip.disabled and d.status_line() == \
        "0 cards left · 0 rated low · round finished · 0 due today · next: 1 card tomorrow"
    d.previous.click()
    assert not d.finished and "Question 1?" in d.question.value and "card 3 of 3" in d.status_line()
    d.new_round.click()
    assert d.order == [] and d.finished and "Nothing to review now." in d.question.value


def test_a_corrupt_file_gives_a_fresh_deck_and_a_message(progress_file):
    write(progress_file, "{half a file")
    d = deck()
    assert "damaged" in d.note.value and d.cards_left == 5 and d.entries == {}
    d.flip.click()
    d.rate(3)
    assert saved(progress_file) == {"c0": 3}
    assert (progress_file.parent / "flashcards.json.bad").read_text() == "{half a file"


def test_a_failed_save_is_a_message_not_an_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    d = deck(path=blocker / "flashcards.json")  # its folder is a file
    d.flip.click()
    d.rate(2)
    assert "Could not save" in d.note.value and "this session only" in d.note.value
    assert d.rating("c0") == 2 and d.cards_left == 5 and d.entries["c0"]["box"] == 1


def test_two_decks_share_one_file_without_losing_ratings(progress_file):
    clock = Clock()
    a, b = deck(clock=clock), deck(clock=clock)  # two kernels open at once
    a.flip.click()
    a.rate(2)                  # a rates c0
    clock.t += 1
    b.flip.click()
    b.rate(4)    # b, which never saw a's rating, rates c0 later
    clock.t += 1
    b.flip.click()
    b.rate(1)    # and c1
    clock.t += 1
    a.flip.click()
    a.rate(5)    # a rates c1 later still
    assert saved(progress_file) == {"c0": 4, "c1": 5}


def test_the_full_deck_and_its_snapshot():
    d = Deck(clock=Clock())
    assert d.order == [c["id"] for c in CARDS[:5]]
    assert d.status_line() == "5 cards left · 0 rated low · card 1 of 5 · 0 due today"
    still = d.snapshot().data
    assert CARDS[0]["question"] in still and "<b>channel</b>" in still and "digits-flip" not in still
    assert d.answer.value == ""  # the snapshot does not flip the live card
    plain = repr(d.snapshot())   # what a viewer without HTML shows: the card as text, not "<IPython… object>"
    assert plain.startswith(CARDS[0]["question"]) and CARDS[0]["answer"].strip() in plain
    assert "object>" not in plain and "<div" not in plain and plain.endswith(d.status_line())


@pytest.mark.widgets
def test_a_saved_deck_says_how_to_bring_it_back(tmp_path, monkeypatch):
    "Where no front end draws the deck, its text says to run the cell (not `Deck(children=…)`)."
    monkeypatch.setenv("DIGITS_FLASHCARDS_FILE", str(tmp_path / "progress.json"))
    from helpers.flashcards import Deck
    text = repr(Deck())
    assert "run this cell" in text and "children" not in text
