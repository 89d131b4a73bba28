"""A flashcard deck of the series' questions that remembers how well you knew each card.
Introduced in 10_review.

The cards come from helpers/cards.toml, the file every notebook's questions are generated from.
Your ratings (1 to 5) are saved after every rating in a small JSON file in your home folder,
~/.digits_under_the_hood/flashcards.json, or wherever $DIGITS_FLASHCARDS_FILE points; reading,
checking, merging and saving that file is helpers/progress.py. The order of a session is a plain
function; `Deck` is the widget on top (ipywidgets 7.7 and 8).
"""
import html, re, time, tomllib, weakref
from pathlib import Path

import ipywidgets as widgets

from .progress import (DEFAULT_FILE, ENV_VAR, FORMAT, VERSION, Progress, bad_copy, locked, merge,  # noqa: F401
                       progress_path, read_progress, save_progress, shown_path, valid_entry, write_atomically)

CARDS_FILE = Path(__file__).with_name("cards.toml")
LOW = 2  # a card last rated 1 or 2 counts as "rated low"


# --- the cards --------------------------------------------------------------------------------

def load_cards(path=CARDS_FILE):
    """The cards of `path` as a list of dicts (id, notebook, topic, question, answer, kind), in file
    order. Raises ValueError, naming the card, if one is malformed."""
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


def notebook_label(file):
    "How a notebook is named in the deck's menu: '02_pixel_similarity.ipynb' -> '02 pixel similarity'."
    return file[:2] + " " + file[3:].removesuffix(".ipynb").replace("_", " ")


# --- a little markdown, for the answers -------------------------------------------------------

def _inline(text):
    "`code`, **bold** and *italics* of one piece of text, as HTML (everything else escaped)."
    codes = []

    def hold(m):
        codes.append(f"<code>{html.escape(m.group(1))}</code>")
        return f"\0{len(codes) - 1}\0"
    text = html.escape(re.sub(r"`([^`]*)`", hold, text), quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"<i>\1</i>", text)
    return re.sub("\0(\\d+)\0", lambda m: codes[int(m.group(1))], text)


def markdown_html(text):
    """The few pieces of markdown the cards use, as HTML: paragraphs, `code`, **bold**, *italics*,
    lists (`* ` or `1. `, with indented continuation lines) and ``` code blocks."""
    out, para, items, kind, code = [], [], [], None, None

    def flush():
        nonlocal para, items, kind
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(' '.join(i))}</li>" for i in items) + f"</{kind}>")
        para, items, kind = [], [], None

    for line in text.strip().splitlines():
        if code is not None:
            if line.strip().startswith("```"):
                out.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>"); code = None
            else:
                code.append(line)
            continue
        bullet = re.match(r"\s*([*-]|\d+\.)\s+(.*)", line)
        if line.strip().startswith("```"):
            flush(); code = []
        elif not line.strip():
            flush()
        elif bullet and not para:
            tag = "ul" if bullet.group(1) in "*-" else "ol"
            if kind not in (None, tag): flush()
            kind = tag; items.append([bullet.group(2)])
        elif items and line.startswith(" "):
            items[-1].append(line.strip())
        else:
            if items: flush()
            para.append(line.strip())
    if code is not None:
        out.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>")
    flush()
    return "".join(out)


def session_order(cards, entries):
    "The ids of `cards` in the order of a session: lowest rating first (unrated counts as 0), then file order."
    rating = lambda c: entries[c["id"]]["rating"] if c["id"] in entries else 0
    return [c["id"] for _, c in sorted(enumerate(cards), key=lambda ic: (rating(ic[1]), ic[0]))]


# --- the widget -------------------------------------------------------------------------------

class Deck(widgets.VBox):
    """The flashcard deck: a question, a button that shows the answer, "how well did you know this?"
    from 1 to 5, previous/next, a menu to keep one notebook's cards, and how many cards are left.
    A session starts with the cards you knew least. `Deck(notebook="02_pixel_similarity.ipynb")`
    starts with that notebook's cards only."""

    _live = weakref.WeakValueDictionary()  # (file, notebook) -> the deck made last, closed when a new one replaces it

    def __init__(self, notebook="", path=None, cards=None):
        self.cards = cards if cards is not None else load_cards()
        self.by_id = {c["id"]: c for c in self.cards}
        self.path = Path(path) if path else progress_path()
        found = read_progress(self.path, known=self.by_id)
        self.entries, self.message = found.entries, found.message
        self.rated_now = set()   # ids rated in this session
        self.clock = time.time
        files = list(dict.fromkeys(c["notebook"] for c in self.cards))
        if notebook and notebook not in files:
            match = [f for f in files if f[:2] == str(notebook)[:2] and len(str(notebook)) == 2]
            if not match:
                raise ValueError(f"No flashcards for {notebook!r}: use one of {', '.join(files)}")
            notebook = match[0]

        self.menu = widgets.Dropdown(options=[("all notebooks", "")] + [(notebook_label(f), f) for f in files],
                                     value=notebook or "", description="notebook")
        self.new_round = widgets.Button(description="new round: weakest first", layout=widgets.Layout(width="210px"))
        self.note = widgets.HTML()
        self.question = widgets.HTML()
        self.answer = widgets.HTML()
        self.flip = widgets.Button(description="show the answer", button_style="info")
        self.rate_buttons = [widgets.Button(description=str(n), layout=widgets.Layout(width="44px")) for n in range(1, 6)]
        self.previous = widgets.Button(description="◀ previous")
        self.next = widgets.Button(description="next ▶")
        self.status = widgets.HTML()

        self.menu.observe(lambda change: self._start(keep_session=True), names="value")
        self.new_round.on_click(lambda b: self._start(keep_session=False))
        self.flip.on_click(lambda b: self.flip_card())
        for n, b in enumerate(self.rate_buttons, start=1):
            b.on_click(lambda b, n=n: self.rate(n))
        self.previous.on_click(lambda b: self.go(-1))
        self.next.on_click(lambda b: self.go(+1))

        ask = widgets.HTML("how well did you know this? <b>1</b> not at all … <b>5</b> perfectly:")
        super().__init__([widgets.HBox([self.menu, self.new_round]), self.note, self.question, self.answer,
                          self.flip, widgets.HBox([ask, *self.rate_buttons]),
                          widgets.HBox([self.previous, self.next]), self.status],
                         layout=widgets.Layout(max_width="780px"))
        self.add_class("digits-deck")
        self.flip.add_class("digits-flip")
        self.answer.add_class("digits-card-answer")
        self.question.add_class("digits-card-question")
        self.status.add_class("digits-deck-status")
        for n, b in enumerate(self.rate_buttons, start=1):
            b.add_class(f"digits-rate-{n}")
        self._say(self.message)
        self._start(keep_session=True)
        # Re-running the deck's cell makes a new deck: close the old one, so its widgets (and any figure a
        # widget holds) are not kept alive by ipywidgets for as long as the kernel runs.
        key = (str(self.path), self.menu.value)
        old = Deck._live.get(key)
        if old is not None and old is not self:
            old.close_all()
        Deck._live[key] = self

    def close_all(self):
        "Close the deck and every widget in it (ipywidgets keeps a widget alive until it is closed)."
        def close(w):
            for child in getattr(w, "children", ()):
                close(child)
            fig = getattr(w, "figure", None)
            if fig is not None:
                import matplotlib.pyplot as plt
                plt.close(fig)
            for part in (getattr(w, "layout", None), getattr(w, "style", None)):
                if isinstance(part, widgets.Widget): part.close()
            w.close()
        close(self)

    # the state, as plain values
    @property
    def shown_cards(self):
        "The cards the menu keeps (all, or one notebook's), in file order."
        return [c for c in self.cards if not self.menu.value or c["notebook"] == self.menu.value]

    @property
    def current(self):
        "The card on show (None when a round is finished)."
        return None if self.finished else self.by_id[self.order[self.pos]]

    def rating(self, card_id):
        "The last rating saved for a card, or None."
        return self.entries[card_id]["rating"] if card_id in self.entries else None

    @property
    def cards_left(self):
        "How many of the shown cards are not yet rated in this session."
        return sum(cid not in self.rated_now for cid in self.order)

    @property
    def rated_low(self):
        "How many of the shown cards were last rated 1 or 2."
        return sum((self.rating(cid) or LOW + 1) <= LOW for cid in self.order)

    # what a student does
    def flip_card(self):
        "Show the answer (or hide it again)."
        if not self.finished:
            self.flipped = not self.flipped
            self._show()

    def rate(self, n):
        "Rate the card on show from 1 (did not know it) to 5 (knew it perfectly), save, and go on."
        if type(n) is not int or not 1 <= n <= 5:
            return self._refuse(f"A rating is a whole number from 1 (did not know it) to 5 (knew it perfectly), "
                                f"not {n!r}: for example deck.rate(3).")
        if self.finished:
            return self._refuse("This round is finished: click 'new round' to rate the cards again.")
        cid = self.order[self.pos]
        self.entries = merge(self.entries, {cid: {"rating": n, "time": self.clock()}})
        self.rated_now.add(cid)
        try:
            self.entries = merge(self.entries, save_progress(self.path, self.entries))
            self._say(f"Saved: your ratings are kept in {shown_path(self.path)}.")
        except OSError as e:
            self._say(f"Could not save to {shown_path(self.path)} ({e.strerror or type(e).__name__}): "
                      "your ratings are kept for this session only.")
        later = [k % len(self.order) for k in range(self.pos + 1, self.pos + 1 + len(self.order))]
        todo = [k for k in later if self.order[k] not in self.rated_now]
        self.flipped = False
        if todo:
            self.pos = todo[0]
        else:
            self.finished = True
        self._show()

    def go(self, step):
        "Move `step` cards along the session's order (-1: previous, +1: next)."
        if self.finished:
            self.finished = False
        else:
            self.pos = min(max(self.pos + step, 0), len(self.order) - 1)
        self.flipped = False
        self._show()

    # drawing
    def _start(self, keep_session):
        if not keep_session:
            self.rated_now = set()
        self.order = session_order(self.shown_cards, self.entries)
        todo = [k for k, cid in enumerate(self.order) if cid not in self.rated_now]
        self.pos, self.finished, self.flipped = (todo or [0])[0], not todo, False
        self._show()

    def _refuse(self, line):
        "Say why nothing happened, on the deck and under the cell that asked."
        self._say(line)
        print(line)

    def _say(self, line):
        self.note.value = f'<span style="color:#666;font-size:0.9em">{html.escape(line)}</span>' if line else ""

    def _card_html(self, card, with_answer):
        last = self.rating(card["id"])
        about = [notebook_label(card["notebook"]), "new card" if last is None else f"last rated {last} of 5"]
        if card["kind"] == "exercise":
            about.append("also a coding exercise in notebook 10")
        head = f'<div style="color:#777;font-size:0.85em;line-height:1.5">{" · ".join(about)}</div>'
        question = (f'<div style="font-size:1.15em;margin:4px 0;line-height:1.4"><b>{_inline(card["question"])}</b>'
                    '</div>')
        answer = (f'<div style="border-left:4px solid #4a90d9;padding:2px 10px;margin:6px 0;line-height:1.45">'
                  f'{markdown_html(card["answer"])}</div>') if with_answer else ""
        return head + question, answer

    def status_line(self):
        "The status under the card: cards left, cards rated low, and where you are."
        left, low = self.cards_left, self.rated_low
        where = "round finished" if self.finished else f"card {self.pos + 1} of {len(self.order)}"
        return f"{left} card{'s' * (left != 1)} left · {low} rated low · {where}"

    def _show(self):
        if self.finished:
            n = len(self.order)
            self.question.value = (f"<p><b>All {n} card{'s' * (n != 1)} rated in this round.</b> Click "
                                   "<i>new round</i> to go through them again, the ones you knew least first, "
                                   "or ◀ previous to look back.</p>")
            self.answer.value = ""
        else:
            self.question.value, self.answer.value = self._card_html(self.current, self.flipped)
        self.flip.description = "hide the answer" if self.flipped else "show the answer"
        self.flip.disabled = self.finished
        for b in self.rate_buttons:
            b.disabled = self.finished or not self.flipped
        self.previous.disabled = not self.finished and self.pos == 0
        self.next.disabled = self.finished or self.pos == len(self.order) - 1
        self.status.value = f"<b>{html.escape(self.status_line())}</b>"

    def snapshot(self):
        "The card on show, with its answer, as plain HTML: a still picture of the deck for GitHub readers."
        from IPython.display import HTML
        card = self.current or self.by_id[self.order[-1]]
        top, answer = self._card_html(card, with_answer=True)
        buttons = " ".join(f'<span style="border:1px solid #999;padding:0 7px">{n}</span>' for n in range(1, 6))
        return HTML(f'<div class="digits-still" style="border:1px solid #ccc;border-radius:6px;padding:8px 12px;'
                    f'max-width:760px">{top}{answer}<div>how well did you know this? {buttons}</div>'
                    f'<div style="margin-top:6px"><b>{html.escape(self.status_line())}</b></div></div>')
