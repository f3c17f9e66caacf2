"""The documents a demo world's enforcement produced — warning letters, block authorizations'
public notices, the notification and both determination orders, a provider's blocking notice
— and the period report, as the PDFs people read: every word lies on the page, and times are
written for people in one zone ("4 Apr 2020, 20:00 EDT"), never as ISO timestamps.

Word positions come from pdfminer.six, which reads every character a page draws, also the
ones off the paper (a text extractor such as pdftotext drops those)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pdfminer.high_level import extract_pages  # pdfminer.six, a test dependency
from pdfminer.layout import LTChar, LTPage
from sqlalchemy import select

from robotrace.clock import SimulatedClock, as_utc
from robotrace.demo.story import analytics_dir_of, run_story
from robotrace.demo.timeline import enforcement_params
from robotrace.enforcement import k4
from robotrace.enforcement.letters import html_to_pdf
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams
from robotrace.stats.period import period_report, report_pdf
from robotrace.store import models
from robotrace.store.db import make_engine, transaction

#: The smallest world with the whole enforcement story: letters, authorizations, a
#: notification, an initial and a final determination order (robotrace.demo.timeline).
WORLD = SimulationParams(seed=3, providers=20, days=25, calls=4000)
NEW_YORK = ZoneInfo("America/New_York")  # the display_zone setting's default
#: ISO 8601 as machines write it: a T between date and time, fractions of a second, or a Z.
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d\.\d+|\d\d:\d\dZ\b")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Pdf:
    text: str
    words: list[Word]
    boxes: dict[int, tuple[float, float, float, float]]  # each page's media box

    def off_the_page(self, tolerance: float = 0.5) -> list[Word]:
        def outside(w: Word) -> bool:
            left, bottom, right, top = self.boxes[w.page]
            return (
                w.x0 < left - tolerance
                or w.x1 > right + tolerance
                or w.y0 < bottom - tolerance
                or w.y1 > top + tolerance
            )

        return [w for w in self.words if outside(w)]


def read_pdf(data: bytes) -> Pdf:
    """Every word (a run of characters without a space) with its box, page by page."""
    words: list[Word] = []
    boxes: dict[int, tuple[float, float, float, float]] = {}
    texts: list[str] = []
    for number, page in enumerate(extract_pages(BytesIO(data)), start=1):
        assert isinstance(page, LTPage)
        boxes[number] = page.bbox
        chars = list(_chars(page))
        texts.append("".join(c.get_text() if c is not None else " " for c in chars))
        run: list[LTChar] = []
        for char in [*chars, None]:
            if char is None or not char.get_text().strip():
                if run:
                    words.append(_word(number, run))
                run = []
            else:
                run.append(char)
    return Pdf(" ".join(texts), words, boxes)


def _chars(item: object):  # type: ignore[no-untyped-def]
    """The characters of ``item`` in reading order, None between text lines."""
    if isinstance(item, LTChar):
        yield item
        return
    children = list(item) if hasattr(item, "__iter__") else []  # type: ignore[call-overload]
    for child in children:
        yield from _chars(child)
    if children and type(item).__name__.startswith("LTTextLine"):
        yield None


def _word(page: int, chars: list[LTChar]) -> Word:
    return Word(
        page,
        "".join(c.get_text() for c in chars),
        min(c.x0 for c in chars),
        min(c.y0 for c in chars),
        max(c.x1 for c in chars),
        max(c.y1 for c in chars),
    )


def for_people_by_hand(moment: datetime) -> str:
    """The documented format ("10 Apr 2020, 10:14 EDT"), worked out here with zoneinfo."""
    local = as_utc(moment).astimezone(NEW_YORK)
    return f"{local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


@dataclass(frozen=True)
class Document:
    kind: str
    name: str
    pdf: Pdf
    issued_at: datetime | None  # the time the document states it was issued or declared


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    out = tmp_path_factory.mktemp("documents")
    settings = Settings.from_environ()
    times = settings.mitigate_hours, settings.notification_response_days
    params, _notes = enforcement_params(WORLD, *times)
    assert params.notifications_at is not None, "the world must hold the mandatory ladder too"
    run_story(out, params, settings)
    engine = make_engine(f"sqlite:///{out / 'robotrace.db'}")
    found: list[Document] = []
    with transaction(engine) as session:
        actions = session.scalars(select(models.EnforcementAction).order_by("id")).all()
        for action in actions:
            pdf = read_pdf(html_to_pdf(action.document or ""))
            name = f"{action.kind} {action.id}"
            found.append(Document(action.kind, name, pdf, action.issued_at))
        notice = _a_blocking_notice(session, actions)
        pdf = read_pdf(html_to_pdf(notice.document))
        found.append(Document("blocking_notice", "blocking notice", pdf, notice.declared_at))
        world_end = max(as_utc(a.issued_at) for a in actions if a.issued_at)
        report = period_report(
            session,
            analytics_dir_of(out),
            params.start.date(),
            (world_end + timedelta(days=1)).date(),
            world_end,
            timedelta(days=7),
        )
        assert report.effects, "the period report must have its table of effects"
        pdf = read_pdf(report_pdf(report, Settings.from_environ().display_zone))
        found.append(Document("period_report", "period report", pdf, None))
    engine.dispose()
    return found


def _a_blocking_notice(
    session: object, actions: list[models.EnforcementAction]
) -> models.BlockingNotice:
    """A provider not named by the first authorization declares blocking under it."""
    authorization = next(a for a in actions if a.kind == "block_authorization")
    blocked = session.get(models.Provider, authorization.provider_id)  # type: ignore[attr-defined]
    blocker = session.scalars(  # type: ignore[attr-defined]
        select(models.Provider.key).where(models.Provider.key != blocked.key).order_by("key")
    ).first()
    since = as_utc(authorization.effective_at or authorization.issued_at)
    clock = SimulatedClock(since + timedelta(hours=1))
    return k4.declare_blocking(
        session,
        authorization.id,
        blocker,
        since,
        "test",
        clock,
        Settings.from_environ().display_zone,
    )  # type: ignore[arg-type]


def test_the_world_produced_every_kind_of_document(documents):
    assert {d.kind for d in documents} >= {
        "warning_letter",
        "block_authorization",
        "notification",
        "initial_determination",
        "final_determination",
        "blocking_notice",
        "period_report",
    }


def test_every_word_of_every_document_lies_on_its_page(documents):
    for document in documents:
        off = document.pdf.off_the_page()
        assert not off, f"{document.name}: {[(w.text, round(w.x1), w.page) for w in off][:8]}"


def test_no_document_writes_an_iso_timestamp(documents):
    for document in documents:
        found = ISO_TIMESTAMP.findall(document.pdf.text)
        assert not found, f"{document.name} writes {found[:5]}"


def test_each_issued_document_states_its_time_for_people_with_the_zone(documents):
    issued = [d for d in documents if d.issued_at is not None]
    assert len(issued) >= 5
    for document in issued:
        assert document.issued_at is not None
        expected = for_people_by_hand(document.issued_at)
        assert expected in " ".join(document.pdf.text.split()), f"{document.name}: {expected}"


def test_the_period_report_writes_the_times_of_its_steps_for_people(documents):
    report = next(d for d in documents if d.kind == "period_report")
    letters = [d for d in documents if d.kind == "warning_letter"]
    text = " ".join(report.pdf.text.split())
    for letter in letters:
        assert letter.issued_at is not None
        assert for_people_by_hand(letter.issued_at) in text
