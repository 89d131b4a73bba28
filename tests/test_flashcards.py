"""helpers/flashcards.py and helpers/cards.toml: every questionnaire topic has a card; the progress
file is read, checked, merged and saved without ever losing a good rating; the deck widget, driven by
setting values and clicking its buttons (no kernel needed, and also under ipywidgets 7.7.1).

Every test writes its progress file under tmp_path: the real home folder is never touched.
"""
import html, json, os, re, subprocess, sys, textwrap, tomllib
from pathlib import Path

import pytest

from helpers import flashcards as fc
from helpers.flashcards import Deck

pytestmark = pytest.mark.widgets
ROOT = Path(__file__).resolve().parent.parent
SERIES = tomllib.loads((ROOT / "series.toml").read_text())
CARDS = fc.load_cards()

# DESIGN §5, written out: the questionnaire topics the deck must cover (a card's `topic` names one).
DESIGN_TOPICS = [
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
# The coding ones are exercises with self-checks in 10_review, not just cards.
EXERCISE_TOPICS = ["list comprehension that picks odd numbers and doubles them",
                   "a 3×3 tensor of 1–9, doubled, bottom-right 2×2",
                   "zip of [1,2,3,4] and 'abcd' and why that shape matters", "ReLU and its plot on [-2, 2]",
                   "a training loop in code", "further research: your own Learner from scratch"]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    "Every test saves under tmp_path, and HOME points there too."
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "progress" / "flashcards.json"
    monkeypatch.setenv(fc.ENV_VAR, str(path))
    return path


def small_cards():
    return [{"id": f"c{i}", "notebook": nb, "topic": f"t{i}", "question": f"Question {i}?",
             "answer": f"Answer **{i}** with `code`.", "kind": "card"}
            for i, nb in enumerate(["01_a.ipynb", "01_a.ipynb", "02_b.ipynb", "02_b.ipynb", "02_b.ipynb"])]


def saved(path):
    return {cid: e["rating"] for cid, e in json.loads(path.read_text())["cards"].items()}


# --- the cards ----------------------------------------------------------------------------------

@pytest.mark.parametrize("topic", DESIGN_TOPICS)
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
    terms = tomllib.loads(fc.CARDS_FILE.read_text())["term"]
    files = {n["file"] for n in SERIES["notebook"]}
    assert len(terms) >= 60 and len({t["term"] for t in terms}) == len(terms)
    for t in terms:
        assert t["notebook"] in files and "\n" not in t["meaning"] and "|" not in t["term"] + t["meaning"], t


def test_a_malformed_card_is_named(tmp_path):
    bad = tmp_path / "cards.toml"
    bad.write_text('[[card]]\nid = "x"\nnotebook = "01_pixels.ipynb"\ntopic = "t"\nquestion = "q?"\n')
    with pytest.raises(ValueError, match=r"card 1 \('x'\).*`answer` is missing"):
        fc.load_cards(bad)
    bad.write_text('[[card]]\nid = "Bad id"\nnotebook = "01_pixels.ipynb"\ntopic = "t"\nquestion = "q?"\nanswer = "a"\n')
    with pytest.raises(ValueError, match="lower-case"):
        fc.load_cards(bad)


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


GOOD = {"format": fc.FORMAT, "version": 1, "cards": {"c0": {"rating": 2, "time": 10.0}, "c1": {"rating": 5, "time": 11}}}


@pytest.mark.parametrize("content,status,words", [
    (None, "missing", "No saved progress yet"),
    ("", "empty", "is empty"),
    ("  \n", "empty", "is empty"),
    ("{not json", "corrupt", "damaged (not valid JSON)"),
    ("[1, 2]", "corrupt", "not a flashcards file"),
    ({"format": "something else", "version": 1, "cards": {}}, "corrupt", "not a flashcards file"),
    ({"version": "one", "cards": {}}, "corrupt", "no usable format version"),
    ({"format": fc.FORMAT, "version": 1, "cards": [["c0", 3]]}, "corrupt", "no list of cards"),
    ({"c0": 3, "c1": 4}, "old", "an older format (version 0"),
    ({"format": fc.FORMAT, "version": 0, "cards": {}}, "old", "an older format"),
    ({"format": fc.FORMAT, "version": 2, "cards": {}}, "old", "a newer format (version 2"),
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
             "text": {"rating": "3", "time": 1}, "float": {"rating": 3.0, "time": 1}, "bool": {"rating": True, "time": 1},
             "no-time": {"rating": 3}, "past": {"rating": 3, "time": -1}, "nan": {"rating": 3, "time": float("nan")},
             "list": [3, 1.0], "also-good": {"rating": 1, "time": 7, "extra": "ignored"}}
    write(progress_file, {"format": fc.FORMAT, "version": 1, "cards": cards})
    found = fc.read_progress(progress_file, known={"good", "also-good"})
    assert found.status == "ok" and found.skipped == 9
    assert found.entries == {"good": {"rating": 4, "time": 5.5}, "also-good": {"rating": 1, "time": 7}}
    assert found.message.endswith("ratings of 2 cards from ~/progress/flashcards.json. Skipped 9 entries that could not be read.")


def test_unknown_cards_are_kept_in_the_file_but_not_counted(progress_file):
    write(progress_file, {"format": fc.FORMAT, "version": 1,
                          "cards": {"c0": {"rating": 3, "time": 1}, "removed-card": {"rating": 1, "time": 1}}})
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
    assert data["format"] == fc.FORMAT and data["version"] == 1 and saved(progress_file) == {"c0": 2, "c1": 4}
    assert sorted(p.name for p in progress_file.parent.iterdir()) == ["flashcards.json", "flashcards.json.lock"]  # no temp files


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


def test_session_order_brings_back_the_weakest_first():
    cards = small_cards()
    entries = {"c0": {"rating": 5, "time": 1}, "c1": {"rating": 2, "time": 1}, "c3": {"rating": 2, "time": 1},
               "c4": {"rating": 4, "time": 1}}
    assert fc.session_order(cards, entries) == ["c2", "c1", "c3", "c4", "c0"]  # unrated, 2, 2, 4, then 5
    assert fc.session_order(cards, {}) == ["c0", "c1", "c2", "c3", "c4"]


# --- the widget --------------------------------------------------------------------------------

def test_deck_starts_with_the_question_only(progress_file):
    deck = Deck(cards=small_cards())
    assert "Question 0?" in deck.question.value and "new card" in deck.question.value
    assert deck.answer.value == "" and all(b.disabled for b in deck.rate_buttons)
    assert deck.status_line() == "5 cards left · 0 rated low · card 1 of 5"
    assert "No saved progress yet" in deck.note.value and "~/progress/flashcards.json" in deck.note.value
    assert not progress_file.exists()  # nothing is written before a rating


def test_css_classes_for_the_browser_test():
    deck = Deck(cards=small_cards())
    assert "digits-deck" in deck._dom_classes and "digits-flip" in deck.flip._dom_classes
    assert "digits-card-answer" in deck.answer._dom_classes
    assert [b._dom_classes[-1] for b in deck.rate_buttons] == [f"digits-rate-{n}" for n in range(1, 6)]


def test_flip_shows_and_hides_the_answer():
    deck = Deck(cards=small_cards())
    deck.flip.click()
    assert "Answer <b>0</b> with <code>code</code>." in deck.answer.value
    assert deck.flip.description == "hide the answer" and not any(b.disabled for b in deck.rate_buttons)
    deck.flip.click()
    assert deck.answer.value == "" and deck.flip.description == "show the answer"


def test_rating_saves_and_moves_on(progress_file):
    deck = Deck(cards=small_cards())
    deck.flip.click()
    deck.rate_buttons[2].click()  # "3"
    assert saved(progress_file) == {"c0": 3}
    assert "Question 1?" in deck.question.value and deck.answer.value == ""
    assert deck.status_line() == "4 cards left · 0 rated low · card 2 of 5"
    assert "Saved" in deck.note.value
    deck.flip.click(); deck.rate_buttons[0].click()  # "1"
    assert saved(progress_file) == {"c0": 3, "c1": 1} and deck.rated_low == 1
    assert deck.status_line() == "3 cards left · 1 rated low · card 3 of 5"


def test_rating_needs_a_card_and_a_number_from_1_to_5(progress_file, capsys):
    deck = Deck(cards=small_cards())
    for wrong in (0, 6, "3", None, 2.5, True):
        deck.rate(wrong)
        said = capsys.readouterr().out.strip()
        assert said == (f"A rating is a whole number from 1 (did not know it) to 5 (knew it perfectly), "
                        f"not {wrong!r}: for example deck.rate(3).")
        assert html.escape(said) in deck.note.value
    assert not progress_file.exists() and deck.cards_left == 5
    deck.flip.click(); deck.rate(4)
    assert saved(progress_file) == {"c0": 4}
    capsys.readouterr()
    one = Deck(notebook="01_a.ipynb", cards=small_cards())
    one.rate(4); one.rate(4)
    one.rate(2)  # the round is over
    assert "round is finished" in capsys.readouterr().out


def test_re_creating_a_deck_does_not_keep_the_old_one_alive():
    "Re-running the deck's cell 30 times: no figure and no widget piles up, and the old decks are closed."
    import gc, weakref
    import matplotlib.pyplot as plt
    from ipywidgets.widgets import widget as w
    figures = len(plt.get_fignums())
    first = Deck(cards=small_cards())
    gone = weakref.ref(first)
    live = len(w._instances)
    for _ in range(30):
        deck = Deck(cards=small_cards())
    del first; gc.collect()
    assert len(plt.get_fignums()) == figures
    assert len(w._instances) <= live and gone() is None
    deck.flip.click(); assert "Answer" in deck.answer.value  # the last one still works


def test_a_file_with_a_byte_that_is_not_utf8_is_kept_as_bad(progress_file):
    raw = json.dumps(GOOD).encode().replace(b'"c1"', b'"c\xff1"')
    write(progress_file, "")
    progress_file.write_bytes(raw)
    found = fc.read_progress(progress_file)
    assert found.status == "corrupt" and "not UTF-8" in found.message and "kept as flashcards.json.bad" in found.message
    deck = Deck(cards=small_cards())
    deck.flip.click(); deck.rate(3)
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
        if self == progress_file: raise PermissionError(13, "Permission denied")
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


def test_previous_and_next():
    deck = Deck(cards=small_cards())
    assert deck.previous.disabled and not deck.next.disabled
    deck.next.click(); deck.next.click()
    assert "Question 2?" in deck.question.value and deck.status_line().endswith("card 3 of 5")
    deck.flip.click(); deck.previous.click()
    assert "Question 1?" in deck.question.value and deck.answer.value == ""  # a new card starts unflipped
    for _ in range(9): deck.next.click()
    assert deck.next.disabled and "Question 4?" in deck.question.value


def test_the_menu_keeps_one_notebooks_cards():
    deck = Deck(cards=small_cards())
    deck.flip.click(); deck.rate(4)  # c0, in 01_a
    deck.menu.value = "02_b.ipynb"
    assert deck.menu.options[0] == ("all notebooks", "") and ("02 b", "02_b.ipynb") in deck.menu.options
    assert "Question 2?" in deck.question.value and deck.status_line() == "3 cards left · 0 rated low · card 1 of 3"
    deck.menu.value = ""
    assert deck.cards_left == 4  # c0 stays rated in this session
    assert Deck(notebook="02_b.ipynb", cards=small_cards()).status_line().startswith("3 cards left")
    assert Deck(notebook="01", cards=small_cards()).menu.value == "01_a.ipynb"
    with pytest.raises(ValueError, match="No flashcards for '03_c.ipynb'"):
        Deck(notebook="03_c.ipynb", cards=small_cards())


def test_a_new_session_restores_ratings_and_starts_with_the_weakest(progress_file):
    first = Deck(cards=small_cards())
    for rating in (5, 1, 4):  # c0, c1, c2
        first.flip.click(); first.rate(rating)
    second = Deck(cards=small_cards())
    assert "Restored your ratings of 3 cards from ~/progress/flashcards.json." in second.note.value
    assert second.order == ["c3", "c4", "c1", "c2", "c0"]  # unrated, unrated, 1, 4, 5
    assert "Question 3?" in second.question.value and second.status_line() == "5 cards left · 1 rated low · card 1 of 5"
    second.next.click(); second.next.click()
    assert "last rated 1 of 5" in second.question.value


def test_finishing_a_round_and_a_new_round():
    deck = Deck(notebook="01_a.ipynb", cards=small_cards())
    deck.flip.click(); deck.rate(2)
    deck.flip.click(); deck.rate(5)
    assert deck.finished and "All 2 cards rated in this round" in deck.question.value
    assert deck.flip.disabled and deck.status_line() == "0 cards left · 1 rated low · round finished"
    deck.previous.click()
    assert not deck.finished and "Question 1?" in deck.question.value
    deck.new_round.click()
    assert deck.order == ["c0", "c1"] and deck.cards_left == 2 and "Question 0?" in deck.question.value


def test_a_corrupt_file_gives_a_fresh_deck_and_a_message(progress_file):
    write(progress_file, "{half a file")
    deck = Deck(cards=small_cards())
    assert "damaged" in deck.note.value and deck.cards_left == 5 and deck.entries == {}
    deck.flip.click(); deck.rate(3)
    assert saved(progress_file) == {"c0": 3}
    assert (progress_file.parent / "flashcards.json.bad").read_text() == "{half a file"


def test_a_failed_save_is_a_message_not_an_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    deck = Deck(cards=small_cards(), path=blocker / "flashcards.json")  # its folder is a file
    deck.flip.click(); deck.rate(2)
    assert "Could not save" in deck.note.value and "this session only" in deck.note.value
    assert deck.rating("c0") == 2 and deck.cards_left == 4


def test_two_decks_share_one_file_without_losing_ratings(progress_file):
    a, b = Deck(cards=small_cards()), Deck(cards=small_cards())  # two kernels open at once
    a.flip.click(); a.rate(2)                  # a rates c0
    b.flip.click(); b.rate(4)                  # b, which never saw a's rating, rates c0 later
    b.flip.click(); b.rate(1)                  # and c1
    a.flip.click(); a.rate(5)                  # a rates c1 later still
    assert saved(progress_file) == {"c0": 4, "c1": 5}


def test_two_kernels_one_after_the_other(progress_file):
    "Two separate Python processes rate cards of the real deck in turn; the file keeps both."
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from helpers.flashcards import Deck
        deck = Deck(notebook="01_pixels.ipynb")
        deck.flip_card(); deck.rate(int(sys.argv[1]))
        print(deck.current["id"] if deck.current else "-", "|", deck.status_line())
    """)
    env = dict(os.environ, **{fc.ENV_VAR: str(progress_file)})
    run = lambda rating: subprocess.run([sys.executable, "-c", script, str(rating)], env=env, check=True,
                                        capture_output=True, text=True).stdout.strip()
    assert run(2) == "mnist-sample-folders | 3 cards left · 1 rated low · card 2 of 4"
    assert saved(progress_file) == {"grayscale-vs-colour": 2}
    # the second kernel restores the first one's rating: the unrated cards come first, the 2 last
    assert run(4) == "rank-3-tensor | 3 cards left · 1 rated low · card 2 of 4"
    assert saved(progress_file) == {"grayscale-vs-colour": 2, "mnist-sample-folders": 4}


def test_the_full_deck_and_its_snapshot():
    deck = Deck()
    assert len(deck.order) == len(CARDS) and deck.status_line() == f"{len(CARDS)} cards left · 0 rated low · card 1 of {len(CARDS)}"
    still = deck.snapshot().data
    assert CARDS[0]["question"] in still and "<b>channel</b>" in still and "digits-flip" not in still
    assert deck.answer.value == ""  # the snapshot does not flip the live card
