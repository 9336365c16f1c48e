"""Seeding realistic weeks for the summary tests: rows written straight into the real tables."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session, select

from harness import at
from storage.models import (Assignment, Circle, Membership, Participation, Person, PromptRun, Reply, Schedule,
                            Workspace)

PRIVATE_MARKER = "PRIVATE-7f3a9c"
REPORT_WEEK = "2026-W49"  # Monday 30 November – Sunday 6 December 2026
MONDAY = at("2026-11-30 00:00")

SHARED_EN = [
    "Asking for feedback early on the migration plan saved us a week of rework.",
    "Pair programming with a colleague made the new deployment pipeline click for me.",
    "I gave feedback in the retrospective even though it felt uncomfortable.",
    "Documenting the deployment pipeline helped the whole team learn it.",
    "Feedback from customers showed our onboarding guide was confusing.",
]
SHARED_FI = [
    "Pyysin palautetta kollegalta ja opin, että esitykseni oli liian pitkä.",
    "Palautteen antaminen tiimipalaverissa tuntui vaikealta mutta kannatti.",
    "Etätyössä palaute jää helposti antamatta, joten sovimme viikoittaisen hetken.",
    "Sain palautetta asiakkaalta ja muutimme ohjetta heti.",
]


class Seed:
    """A workspace with people, circles, prompt runs, answers and thread replies."""

    def __init__(self, engine, platform: str = "test", external_id: str = "T1"):
        self.engine = engine
        self.ids = itertools.count(1)
        with Session(engine) as s:
            ws = s.exec(select(Workspace).where(Workspace.platform == platform,
                                                Workspace.external_id == external_id)).first()
            if ws is None:
                ws = Workspace(platform=platform, external_id=external_id, name="Test org")
                s.add(ws)
                s.commit()
                s.refresh(ws)
            self.workspace = ws
        self.people: dict[str, int] = {}
        self.circles: dict[str, int] = {}
        self.members: dict[str, list[str]] = {}

    def person(self, name: str, locale: str | None = None, user_id: str | None = None) -> int:
        if name not in self.people:
            with Session(self.engine) as s:
                p = Person(workspace_id=self.workspace.id, platform_user_id=user_id or name.lower().replace(" ", "."),
                           name=name, locale=locale)
                s.add(p)
                s.commit()
                self.people[name] = p.id
        return self.people[name]

    def circle(self, name: str, members: list[str], created: datetime | None = None, days: str | None = None,
               archived: datetime | None = None) -> int:
        created = created or at("2026-09-01 10:00")
        ids = [self.person(m) for m in members]
        with Session(self.engine) as s:
            c = Circle(workspace_id=self.workspace.id, name=name, channel_id=f"C-{name}", mentor_id=ids[0],
                       created_at=created, archived_at=archived)
            s.add(c)
            s.flush()
            for i, pid in enumerate(ids):
                s.add(Membership(circle_id=c.id, person_id=pid, role="mentor" if i == 0 else "member",
                                 joined_at=created))
            if days:
                s.add(Schedule(circle_id=c.id, kind="reflection", days=days, time="14:00",
                               timezone="Europe/Helsinki"))
            s.commit()
            self.circles[name], self.members[name] = c.id, list(members)
        return c.id

    def run(self, circle: str, when: datetime, asked: list[str] | None = None, kind: str = "reflection") -> int:
        with Session(self.engine) as s:
            r = PromptRun(circle_id=self.circles[circle], kind=kind, prompt_key="trust-r01", scheduled_for=when,
                          closes_at=when + timedelta(days=2))
            s.add(r)
            s.flush()
            if kind == "reflection":
                for name in self.members[circle] if asked is None else asked:
                    s.add(Assignment(run_id=r.id, person_id=self.people[name], prompt_key="trust-r01"))
            s.commit()
            return r.id

    def answer(self, run_id: int, name: str, text: str, visibility: str = "circle",
               when: datetime | None = None) -> None:
        with Session(self.engine) as s:
            r = s.get(PromptRun, run_id)
            s.add(Reply(run_id=run_id, person_id=self.people[name], circle_id=r.circle_id, prompt_key=r.prompt_key,
                        text=text, visibility=visibility, source_id=f"seed-{next(self.ids)}",
                        created_at=when or r.scheduled_for + timedelta(hours=2)))
            s.commit()

    def thread(self, run_id: int, name: str, when: datetime) -> None:
        with Session(self.engine) as s:
            s.add(Participation(run_id=run_id, person_id=self.people[name], source_id=f"thread-{next(self.ids)}",
                                created_at=when))
            s.commit()


LEARNERS = ["Mia Mentor", "Aino Virtanen", "Ann Berg", "Bob Stone", "Cecilia Lind", "Dan Kask", "Eero Salo"]
MAKERS = ["Maria Koski", "Frida Holm", "Gustav Ek", "Helmi Aho", "Ilkka Oja", "Jonna Puro"]
TINY = ["Tuula Tiny", "Ulla Tiny", "Ville Tiny"]
DUO = ["Wilma Duo", "Xavier Duo"]


def realistic(engine, with_duo: bool = True) -> Seed:
    """Eight weeks of two circles above the threshold and small ones below it, in Finnish and English."""
    seed = Seed(engine)
    seed.circle("Learners", LEARNERS, days="thu")
    seed.circle("Makers", MAKERS, days="mon,thu")
    seed.circle("Tiny", TINY)
    if with_duo:
        seed.circle("Duo", DUO)
    for back in range(7, -1, -1):
        thursday = at("2026-12-03 14:00") - timedelta(weeks=back)
        run = seed.run("Learners", thursday)
        for i, name in enumerate(LEARNERS[1:]):
            if (i + back) % 4 == 3:
                continue  # not everyone answers every week
            if i % 3 == 2:
                seed.answer(run, name, f"{PRIVATE_MARKER} hard week, told nobody", "private")
            else:
                pool = SHARED_FI if i % 2 else SHARED_EN
                seed.answer(run, name, f"{pool[(i + back) % len(pool)]} Thanks to Aino Virtanen (aino@example.com).")
        makers = seed.run("Makers", thursday - timedelta(days=3))
        for name in MAKERS[: 3 + back % 3]:
            seed.answer(makers, name, SHARED_EN[back % len(SHARED_EN)] + " @bob <@U123|bob> call +358 40 123 4567")
        tiny = seed.run("Tiny", thursday)
        seed.answer(tiny, TINY[1], f"{PRIVATE_MARKER} tiny circle secret", "private")
        seed.answer(tiny, TINY[2], "Tiny circle shared thought about feedback")
        if with_duo:
            duo = seed.run("Duo", thursday)
            seed.answer(duo, DUO[back % 2], "Duo reflection on feedback")
        coffee = seed.run("Learners", thursday + timedelta(hours=1), kind="coffee")
        for name in LEARNERS[: 2 + back % 4]:
            seed.thread(coffee, name, thursday + timedelta(hours=3))
    return seed


# Answers that name people the bot has never seen and carry identity numbers (none of these people is a
# member of the workspace). Every one mentions the backlog workshop, so themes still have something to say.
STRANGER_ANSWERS = [
    "Maria Virtanen showed me how she runs a backlog workshop; her IBAN FI21 1234 5600 0007 85 was in the "
    "thread by mistake.",
    "Kysyin Virtaselta neuvoa backlog workshop -asiaan, ja henkilötunnukseni 131052-308T päätyi vahingossa "
    "viestiin.",
    "Karl-Johan Lindqvist hjälpte mig med vår backlog workshop; mitt personnummer 811228-9874 hamnade i fel "
    "dokument.",
    "Pekka Nieminen and I paired on the backlog workshop; my id 010100A123R ended up in a ticket.",
    "Sain Niemiseltä ja Virtaselle apua backlog workshop -muutoksiin, Virtasen tiimi auttoi. Tili "
    "SE45 5000 0000 0583 9825 7466.",
    "Lindqvistille och Marias team: tack för hjälpen med backlog workshop, samordningsnummer 811288-9871.",
]
# Every name, inflected form and identity number above: none may reach a model, the themes or a report.
NEVER_SEEN = ["Maria", "Virtanen", "Virtaselta", "Virtaselle", "Virtasen", "Niemiseltä", "Karl", "Johan",
              "Lindqvist", "Lindqvistille", "Marias", "Pekka", "Nieminen", "131052-308T", "131052", "308T",
              "010100A123R", "811228-9874", "811228", "811288-9871", "811288", "FI21", "1234 5600", "SE45",
              "0583 9825"]
STRANGER_AUTHORS = ["Ulla Rask", "Timo Kask", "Eeva Hirvi", "Jonas Berg", "Lea Frost", "Sam Hale"]


def strangers(engine, when: datetime | None = None) -> Seed:
    """Six members who each share one of STRANGER_ANSWERS in the report week."""
    seed = Seed(engine)
    seed.circle("Builders", STRANGER_AUTHORS, days="thu")
    run = seed.run("Builders", when or at("2026-12-03 14:00"))
    for name, text in zip(STRANGER_AUTHORS, STRANGER_ANSWERS):
        seed.answer(run, name, text)
    return seed
