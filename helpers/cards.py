"""The cards and terms of helpers/cards.toml, read and checked: the one reader of that file, for the
flashcard deck (helpers/flashcards.py, 11_review) and for tools/notebooks.py, which generates every
notebook's questions cell and 11_review's glossary from it. Needs nothing beyond the standard library.
"""
import re
import tomllib
from pathlib import Path

CARDS_FILE = Path(__file__).with_name("cards.toml")


def load_cards(path=CARDS_FILE):
    """The cards of `path` as a list of dicts (id, notebook, topic, question, answer, kind), in file
    order. Raises ValueError, naming the card, if one is malformed. Used in: 11_review."""
    cards, seen = [], set()
    for i, c in enumerate(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("card", [])):
        where = f"card {i + 1} ({c.get('id', 'no id')!r}) of {Path(path).name}"
        for key in ("id", "notebook", "topic", "question", "answer"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                raise ValueError(f"{where}: `{key}` is missing or empty")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", c["id"]):
            raise ValueError(f"{where}: an id is lower-case letters, digits and dashes")
        if c["id"] in seen:
            raise ValueError(f"{where}: the id is used twice")
        if not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", c["notebook"]):
            raise ValueError(f"{where}: `notebook` should be a file name like 02_pixel_similarity.ipynb")
        if c.get("kind", "card") not in ("card", "exercise"):
            raise ValueError(f"{where}: `kind` is \"exercise\" or left out")
        seen.add(c["id"])
        cards.append({"id": c["id"], "notebook": c["notebook"], "topic": c["topic"].strip(),
                      "question": c["question"].strip(), "answer": c["answer"].strip(),
                      "kind": c.get("kind", "card")})
    return cards


def load_terms(path=CARDS_FILE):
    """The glossary terms of `path` as a list of dicts (term, meaning, notebook), in file order. Raises
    ValueError, naming the term, if one is malformed."""
    terms = []
    for i, t in enumerate(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("term", [])):
        for key in ("term", "meaning", "notebook"):
            if not isinstance(t.get(key), str) or not t[key].strip():
                raise ValueError(f"term {i + 1} ({t.get('term', 'no name')!r}) of {Path(path).name}: "
                                 f"`{key}` is missing or empty")
        terms.append({"term": t["term"], "meaning": t["meaning"], "notebook": t["notebook"]})
    return terms


def notebook_label(file):
    """How a notebook is named in the deck's menu: '02_pixel_similarity.ipynb' -> '02 pixel similarity'.
    Used in: 11_review."""
    return file[:2] + " " + file[3:].removesuffix(".ipynb").replace("_", " ")
