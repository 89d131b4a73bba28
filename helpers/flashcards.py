"""A flashcard deck of the series' questions that remembers how well you knew each card, and when to
show it again (spaced repetition, with Leitner boxes). Introduced in 11_review.

The cards come from helpers/cards.toml (read by helpers/cards.py), the file every notebook's questions
are generated from.
Your ratings (1 to 5) are saved after every rating in a small JSON file in your home folder,
~/.digits_under_the_hood/flashcards.json, or wherever $DIGITS_FLASHCARDS_FILE points; reading,
checking, merging and saving that file, and the Leitner box rules that say when a card is due again,
are helpers/progress.py.

A session (a "round") is the cards due today, weakest first (lowest last rating, then lowest box, then
the longest overdue), then at most NEW_PER_ROUND cards never rated, in file order (`session_order`). A
card rated 1 or 2 comes back AGAIN_AFTER cards later in the same round, at most AGAIN_TIMES times,
and stays due until it is rated 3 or more. `Deck` is the widget on top (ipywidgets 7.7 and 8); its
`clock` (seconds since 1970, time.time by default) says what "now" and "today" are.
"""
import datetime as dt
import html
import re
import time
import weakref
from pathlib import Path

import ipywidgets as widgets
from IPython.display import HTML

from .cards import load_cards, notebook_label  # 11_review imports them from here
from .drawing import SavedAsAdvice, close_all
from .progress import (DEFAULT_FILE, ENV_VAR, FORMAT, LOW, VERSION, WAIT_DAYS, Progress, bad_copy,  # noqa: F401
                       complete, day_of, due_day, kept_copy, locked, merge, next_box, progress_path, rate_entry,
                       read_progress, save_progress, shown_path, valid_entry, valid_schedule, when,
                       write_atomically)

NEW_PER_ROUND = 5   # at most this many never-rated cards in a round, after the due ones
AGAIN_AFTER = 3     # a card rated 1 or 2 comes back this many cards later in the same round ...
AGAIN_TIMES = 2     # ... at most this many times per round


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
                out.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
            continue
        bullet = re.match(r"\s*([*-]|\d+\.)\s+(.*)", line)
        if line.strip().startswith("```"):
            flush()
            code = []
        elif not line.strip():
            flush()
        elif bullet and not para:
            tag = "ul" if bullet.group(1) in "*-" else "ol"
            if kind not in (None, tag):
                flush()
            kind = tag
            items.append([bullet.group(2)])
        elif items and line.startswith(" "):
            items[-1].append(line.strip())
        else:
            if items:
                flush()
            para.append(line.strip())
    if code is not None:
        out.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>")
    flush()
    return "".join(out)


def session_order(cards, entries, today=None, new=NEW_PER_ROUND):
    """The ids of `cards` in the order of a round on `today` (a datetime.date; the real today if None):
    first the cards due (due day on or before today), weakest first: lowest last rating, then lowest
    box, then the longest overdue, then file order; then at most `new` cards never rated, in file order.
    A card rated but not due yet is not in the round."""
    today = today or dt.date.today()
    index = {c["id"]: k for k, c in enumerate(cards)}
    due = [cid for cid in index if cid in entries and due_day(entries[cid]) <= today]
    due.sort(key=lambda cid: (entries[cid]["rating"], entries[cid]["box"], due_day(entries[cid]), index[cid]))
    return due + [cid for cid in index if cid not in entries][:new]


# --- the widget -------------------------------------------------------------------------------

class _Still(HTML):
    "An HTML still picture that shows `text` where HTML is not drawn (its plain-text repr)."
    def __init__(self, text, html_text):
        super().__init__(html_text)
        self.text = text

    def __repr__(self):
        return self.text


class Deck(SavedAsAdvice, widgets.VBox):
    """The flashcard deck: a question, a button that shows the answer, "how well did you know this?"
    from 1 to 5, previous/next, a menu to keep one notebook's cards, and a status line: cards left,
    cards due today and when the next ones are due. A round is the cards due today, the ones you knew
    least first, then a few new ones. `Deck(notebook="02_pixel_similarity.ipynb")` keeps that
    notebook's cards only; `clock` (a function giving seconds since 1970) is what "now" is. Used in: 11_review."""

    saved_name = "Flashcard deck"

    _live = weakref.WeakValueDictionary()  # (file, notebook) -> the deck made last, closed when a new one replaces it

    def __init__(self, notebook="", path=None, cards=None, clock=time.time):
        self.cards = cards if cards is not None else load_cards()
        self.by_id = {c["id"]: c for c in self.cards}
        self.path = Path(path) if path else progress_path()
        found = read_progress(self.path, known=self.by_id)
        self.entries, self.message = found.entries, found.message
        self.clock = clock
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
        self.rate_buttons = [widgets.Button(description=str(n), layout=widgets.Layout(width="44px"))
                             for n in range(1, 6)]
        self.previous = widgets.Button(description="◀ previous")
        self.next = widgets.Button(description="next ▶")
        self.status = widgets.HTML()

        self.menu.observe(lambda change: self._start(), names="value")
        self.new_round.on_click(lambda b: self._start())
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
        self._start()
        # Re-running the deck's cell makes a new deck: close the old one, so its widgets (and any figure a
        # widget holds) are not kept alive by ipywidgets for as long as the kernel runs.
        key = (str(self.path), self.menu.value)
        old = Deck._live.get(key)
        if old is not None and old is not self:
            old.close_all()
        Deck._live[key] = self

    def close_all(self):
        "Close the deck and every widget in it (drawing.close_all)."
        close_all(self)

    # the state, as plain values
    @property
    def shown_cards(self):
        "The cards the menu keeps (all, or one notebook's), in file order."
        return [c for c in self.cards if not self.menu.value or c["notebook"] == self.menu.value]

    def today(self):
        "Today's date, by the deck's clock."
        return day_of(self.clock())

    @property
    def current(self):
        "The card on show (None when a round is finished)."
        return None if self.finished else self.by_id[self.order[self.pos]]

    def rating(self, card_id):
        "The last rating saved for a card, or None."
        return self.entries[card_id]["rating"] if card_id in self.entries else None

    @property
    def cards_left(self):
        "How many cards of this round are still to rate (a card that comes back counts again)."
        return self.done.count(False)

    @property
    def rated_low(self):
        "How many of the shown cards were last rated 1 or 2."
        return sum((self.rating(c["id"]) or LOW + 1) <= LOW for c in self.shown_cards)

    def due_today(self):
        "How many of the shown cards are due today (or overdue): rated before, and waiting for you."
        today = self.today()
        return sum(c["id"] in self.entries and due_day(self.entries[c["id"]]) <= today for c in self.shown_cards)

    def next_due(self):
        "(day, how many cards) of the first day after today that shown cards are due on, or None."
        today = self.today()
        days = [due_day(self.entries[c["id"]]) for c in self.shown_cards if c["id"] in self.entries]
        later = [d for d in days if d > today]
        return (min(later), later.count(min(later))) if later else None

    @property
    def unseen(self):
        "How many of the shown cards were never rated."
        return sum(c["id"] not in self.entries for c in self.shown_cards)

    # what a student does
    def flip_card(self):
        "Show the answer (or hide it again)."
        if not self.finished:
            self.flipped = not self.flipped
            self._show()

    def rate(self, n):
        """Rate the card on show from 1 (did not know it) to 5 (knew it perfectly): move it to its new box
        and due day, save, and go on. A card rated 1 or 2 comes back a few cards later in this round."""
        if type(n) is not int or not 1 <= n <= 5:
            return self._refuse(f"A rating is a whole number from 1 (did not know it) to 5 (knew it perfectly), "
                                f"not {n!r}: for example deck.rate(3).")
        if self.finished:
            return self._refuse("This round is finished: click 'new round' for the cards still due and a few new ones.")
        cid = self.order[self.pos]
        self.entries = merge(self.entries, {cid: rate_entry(self.entries.get(cid), n, self.clock())})
        try:
            self.entries = merge(self.entries, save_progress(self.path, self.entries))
            self._say(f"Saved: your ratings are kept in {shown_path(self.path)}.")
        except OSError as e:
            self._say(f"Could not save to {shown_path(self.path)} ({e.strerror or type(e).__name__}): "
                      "your ratings are kept for this session only.")
        self.done[self.pos] = True
        for k in reversed(range(len(self.order))):  # a later rating replaces a come-back still waiting
            if self.order[k] == cid and not self.done[k]:
                del self.order[k], self.done[k]
                self.pos -= k < self.pos
        if n <= LOW and self.again.get(cid, 0) < AGAIN_TIMES:
            self.again[cid] = self.again.get(cid, 0) + 1
            at = min(self.pos + 1 + AGAIN_AFTER, len(self.order))
            self.order.insert(at, cid)
            self.done.insert(at, False)
        later = [k % len(self.order) for k in range(self.pos + 1, self.pos + 1 + len(self.order))]
        todo = [k for k in later if not self.done[k]]
        self.flipped = False
        if todo:
            self.pos = todo[0]
        else:
            self.finished = True
        self._show()

    def go(self, step):
        "Move `step` cards along the round (-1: previous, +1: next)."
        if not self.order:
            return
        if self.finished:
            self.finished = False
        else:
            self.pos = min(max(self.pos + step, 0), len(self.order) - 1)
        self.flipped = False
        self._show()

    # drawing
    def _start(self):
        "A new round: the cards due today, weakest first, then a few new ones."
        self.order = session_order(self.shown_cards, self.entries, self.today())
        self.done = [False] * len(self.order)
        self.again = {}   # card id -> how many times it came back in this round
        self.pos, self.finished, self.flipped = 0, not self.order, False
        self._show()

    def _refuse(self, line):
        "Say why nothing happened, on the deck and under the cell that asked."
        self._say(line)
        print(line)

    def _say(self, line):
        self.note.value = f'<span style="color:#666;font-size:0.9em">{html.escape(line)}</span>' if line else ""

    def _card_html(self, card, with_answer):
        entry = self.entries.get(card["id"])
        about = [notebook_label(card["notebook"])]
        if entry is None:
            about.append("new card")
        else:
            about += [f"last rated {entry['rating']} of 5", f"box {entry['box']} of 5",
                      f"due {when(due_day(entry), self.today())}"]
        if card["kind"] == "exercise":
            about.append("also a coding exercise in notebook 10")
        head = f'<div style="color:#777;font-size:0.85em;line-height:1.5">{" · ".join(about)}</div>'
        question = (f'<div style="font-size:1.15em;margin:4px 0;line-height:1.4"><b>{_inline(card["question"])}</b>'
                    '</div>')
        answer = (f'<div style="border-left:4px solid #4a90d9;padding:2px 10px;margin:6px 0;line-height:1.45">'
                  f'{markdown_html(card["answer"])}</div>') if with_answer else ""
        return head + question, answer

    def status_line(self):
        "The status under the card: cards left, cards rated low, where you are, due today, next due."
        left, low = self.cards_left, self.rated_low
        where = "round finished" if self.finished else f"card {self.pos + 1} of {len(self.order)}"
        line = f"{left} card{'s' * (left != 1)} left · {low} rated low · {where} · {self.due_today()} due today"
        upcoming = self.next_due()
        if upcoming:
            day, n = upcoming
            line += f" · next: {n} card{'s' * (n != 1)} {when(day, self.today())}"
        return line

    def finished_html(self):
        "What the deck says when a round is over (or has nothing in it)."
        n, due, unseen, upcoming = len(self.order), self.due_today(), self.unseen, self.next_due()
        lines = [f"All {n} card{'s' * (n != 1)} of this round rated." if n else "Nothing to review now."]
        if due:
            lines.append(f"{due} card{'s are' if due != 1 else ' is'} still due today (rated 1 or 2): click "
                         "<i>new round</i> to see them again, the ones you knew least first.")
        else:
            lines.append("Nothing else is due today.")
        if upcoming:
            day, k = upcoming
            lines.append(f"The next {k} card{'s are' if k != 1 else ' is'} due {when(day, self.today())}.")
        if unseen:
            lines.append(f"{unseen} card{'s' * (unseen != 1)} you have not seen yet: <i>new round</i> brings "
                         f"{min(unseen, NEW_PER_ROUND)} of them.")
        if n:
            lines.append("Or ◀ previous to look back.")
        return f"<p><b>{lines[0]}</b> " + " ".join(lines[1:]) + "</p>"

    def _show(self):
        if self.finished:
            self.question.value, self.answer.value = self.finished_html(), ""
        else:
            self.question.value, self.answer.value = self._card_html(self.current, self.flipped)
        self.flip.description = "hide the answer" if self.flipped else "show the answer"
        self.flip.disabled = self.finished
        for b in self.rate_buttons:
            b.disabled = self.finished or not self.flipped
        self.previous.disabled = not self.order or (not self.finished and self.pos == 0)
        self.next.disabled = self.finished or self.pos == len(self.order) - 1
        self.status.value = f"<b>{html.escape(self.status_line())}</b>"

    def snapshot(self):
        """The card on show, with its answer, as plain HTML: a still picture of the deck for GitHub readers.
        Where HTML is not shown (a text viewer), the same card as plain text."""
        card = self.current or (self.by_id[self.order[-1]] if self.order else self.shown_cards[0])
        top, answer = self._card_html(card, with_answer=True)
        buttons = " ".join(f'<span style="border:1px solid #999;padding:0 7px">{n}</span>' for n in range(1, 6))
        text = "\n\n".join([card["question"], card["answer"].strip(),
                            f"how well did you know this? 1-5\n{self.status_line()}"])
        return _Still(text, f'<div class="digits-still" style="border:1px solid #ccc;border-radius:6px;'
                      f'padding:8px 12px;max-width:760px">{top}{answer}<div>how well did you know this? {buttons}'
                      f'</div><div style="margin-top:6px"><b>{html.escape(self.status_line())}</b></div></div>')
