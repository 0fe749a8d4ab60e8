"""Demo data: "Hack for Södertälje", a school "Minecraft-hackathon" and last year's finished
Hack for Södertälje with its submissions, scores, votes and published results, in Swedish.

Idempotent: everything is looked up by a natural key first, so running `samskapa demo` twice
changes nothing. The demo accounts have known passwords (printed by the command): demo only.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from tortoise.transactions import in_transaction

from challenges.models import Challenge, Dataset, Organisation, Theme
from events.models import Event, EventKind, EventRole, Role
from judging.models import (Assignment, AssignmentStatus, Award, AwardKind, Confidence,
                            Criterion, JudgingSettings, Method, Rubric, Score, ScoreChange, Vote,
                            VoteToken)
from samskapa import clock
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash, random_code
from samskapa.i18n import TIMEZONE
from school.models import Pupil, SchoolClass
from submissions.models import (VERSIONED_FIELDS, Eligibility, GallerySettings, Submission,
                                SubmissionVersion)
from teams.models import Team, TeamMember

DEMO_PASSWORD = "samskapa-demo"
PUPIL_CODE = "BYGG2345"  # every demo pupil's personal login code

ACCOUNTS = [
    # key, email, name, site admin
    ("admin", "admin@demo.samskapa.se", "Alva Administratör", True),
    ("organiser", "arrangor@demo.samskapa.se", "Olle Arrangör", False),
    ("owner", "utmaning@demo.samskapa.se", "Cecilia Utmaningsägare", False),
    ("jury", "jury@demo.samskapa.se", "Jonas Jurymedlem", False),
    ("teacher", "larare@demo.samskapa.se", "Tove Lärare", False),
    ("p1", "deltagare1@demo.samskapa.se", "Sara Lind", False),
    ("p2", "deltagare2@demo.samskapa.se", "Ahmed Yusuf", False),
    ("p3", "deltagare3@demo.samskapa.se", "Elin Berg", False),
    ("p4", "deltagare4@demo.samskapa.se", "Mikael Nyström", False),
]

THEMES = [
    ("miljo", "Miljömässig hållbarhet", "Environmental sustainability"),
    ("mobilitet", "Mobilitet", "Mobility"),
    ("stadskarna", "Attraktiv och hållbar stadskärna", "An attractive and sustainable city centre"),
]

OPEN_DATA = {
    "parks": ("Parker i Södertälje (GeoJSON)", "/static/data/se_sodertalje_parks_points_wgs84.geojson",
              "Öppna data, Södertälje kommun", "GeoJSON"),
    "boundary": ("Kommungräns Södertälje, SCB Digitala gränser",
                 "/static/data/se_sodertalje_kommun_scb_sweref99tm.geojson", "CC0", "GeoJSON"),
    "gtfs": ("GTFS Sverige: kollektivtrafikens tidtabeller", "https://www.trafiklab.se/api/gtfs-datasets/",
             "CC0", "GTFS"),
    "osm": ("OpenStreetMap: vägar, cykelvägar och byggnader", "https://www.openstreetmap.org/",
            "ODbL 1.0", "OSM"),
    "height": ("Markhöjdmodell, Lantmäteriet", "https://www.lantmateriet.se/", "CC0", "GeoTIFF"),
    "smhi": ("SMHI: meteorologiska observationer", "https://opendata.smhi.se/", "CC BY 4.0",
             "JSON"),
    "scb": ("SCB: befolkning per regionalt område", "https://www.statistikdatabasen.scb.se/",
            "CC0", "CSV"),
}

CHALLENGES = [
    dict(slug="grona-promenadstraket", org="Samhällsbyggnadsförvaltningen", themes=["miljo", "stadskarna"],
         title="Gröna promenadstråk genom stadskärnan",
         summary="Hur hittar Södertäljebor de gröna stråken mellan parkerna och centrum?",
         description="Södertälje har många parker, men stråken mellan dem är svåra att upptäcka. "
                     "Använd kommunens öppna data om parker tillsammans med OpenStreetMap för att "
                     "visa, planera eller gamifiera promenader genom en **grönare stadskärna**.",
         outcome="En prototyp (app, karta eller tjänst) som hjälper invånare att hitta och använda gröna stråk.",
         datasets=["parks", "osm", "boundary"]),
    dict(slug="hallbara-resor-till-skolan", org="Trafik- och mobilitetsenheten", themes=["mobilitet"],
         title="Hållbara resor till skolan",
         summary="Fler barn ska kunna gå, cykla eller åka kollektivt till skolan på ett tryggt sätt.",
         description="Föräldraskjuts skapar trängsel vid skolorna. Kombinera kollektivtrafikens "
                     "tidtabeller, vägnätet och befolkningsdata för att föreslå tryggare och mer "
                     "hållbara skolvägar.",
         outcome="Ett verktyg eller en analys som visar var skolvägarna kan bli tryggare.",
         datasets=["gtfs", "osm", "scb"]),
    dict(slug="klimatanpassad-stad", org="Miljöförvaltningen", themes=["miljo"],
         title="Klimatanpassad stad: skyfall och värmeböljor",
         summary="Var samlas vattnet vid skyfall, och var blir det för varmt på sommaren?",
         description="Med höjddata och väderobservationer går det att se var vatten rinner och "
                     "samlas. Hjälp kommunen att visa riskerna så att alla förstår dem.",
         outcome="En visualisering eller tjänst som gör klimatrisker begripliga för invånare.",
         datasets=["height", "smhi", "boundary"]),
    dict(slug="levande-centrum", org="Näringslivskontoret", themes=["stadskarna"],
         title="Ett levande centrum hela veckan",
         summary="Hur lockar vi fler till Södertälje centrum även på vardagskvällar?",
         description="Butiker, kultur och mötesplatser behöver besökare. Ta fram idéer och "
                     "prototyper som gör stadskärnan mer attraktiv och hållbar.",
         outcome="En tjänst eller ett koncept som kan testas i centrum under våren.",
         datasets=["osm", "scb"]),
    dict(slug="laddinfrastruktur", org="Samhällsbyggnadsförvaltningen", themes=["mobilitet", "miljo"],
         title="Var behövs fler laddplatser?",
         summary="Planera laddinfrastruktur för elbilar och elcyklar där den gör mest nytta.",
         description="Elektrifieringen av transporter kräver laddplatser på rätt ställen. Använd "
                     "befolknings- och vägdata för att föreslå platser.",
         outcome="En karta eller modell som rangordnar lämpliga platser.",
         datasets=["scb", "osm", "boundary"]),
]


# Last year's Hack for Södertälje, finished and judged: the whole flow from submissions to
# published results. Jurors: one fair, one strict, one lenient (calibration finds them).
LAST_YEAR_SLUG = "hack-for-sodertalje-2025"
LAST_YEAR_ACCOUNTS = [
    ("jury2", "jury2@demo.samskapa.se", "Karin Sträng", False),
    ("jury3", "jury3@demo.samskapa.se", "Leif Snäll", False),
    ("jury4", "jury4@demo.samskapa.se", "Maja Mittemellan", False),
    ("p5", "deltagare5@demo.samskapa.se", "Fatima Ali", False),
    ("p6", "deltagare6@demo.samskapa.se", "Gustav Åberg", False),
    ("p7", "deltagare7@demo.samskapa.se", "Hanna Öst", False),
    ("p8", "deltagare8@demo.samskapa.se", "Ivan Petrov", False),
]
LAST_YEAR_CHALLENGES = [
    ("gronare-centrum-2025", "Ett grönare centrum", "Samhällsbyggnadsförvaltningen",
     "Fler gröna platser i stadskärnan, och vägen dit."),
    ("tryggare-skolvagar-2025", "Tryggare skolvägar", "Trafik- och mobilitetsenheten",
     "Fler barn ska kunna gå och cykla till skolan."),
]
RUBRIC = [  # name, weight, levels 1-5
    ("Nytta för invånarna", 2.0, ["Oklar nytta", "Liten nytta", "Tydlig nytta för några",
                                  "Tydlig nytta för många", "Löser ett verkligt problem"]),
    ("Användning av öppna data", 1.0, ["Ingen", "Lite", "Rimlig", "God", "Förebildlig"]),
    ("Genomförande", 1.0, ["Idé", "Skiss", "Prototyp", "Fungerande prototyp", "Nästan klar"]),
]
# title, team, challenge index, members, quality 1-5, summary, description
PROJECTS = [
    ("Gröna stråket", "Stråkfinnarna", 0, ["p1", "p2"], 4.6,
     "En karta som leder dig mellan parkerna genom centrum.",
     "Appen räknar ut den **grönaste vägen** mellan två platser i centrum med kommunens "
     "parkdata och OpenStreetMap.\n\n- Väljer skuggiga stråk på varma dagar\n- Visar "
     "bänkar och lekplatser längs vägen"),
    ("Skolvägskollen", "Cykelkompisarna", 1, ["p3", "p4"], 4.1,
     "Föräldrar och barn ritar in otrygga platser på vägen till skolan.",
     "Skolvägskollen samlar otrygga korsningar som barn och föräldrar märker ut och visar dem "
     "för trafikplanerarna, tillsammans med kollektivtrafikens hållplatser."),
    ("Blomsterrabatten", "Rabatt-teamet", 0, ["p5"], 3.2,
     "Invånare adopterar en rabatt i centrum.",
     "En enkel tjänst där grannar och butiker tar hand om en rabatt och delar bilder på den."),
    ("Cykelbussen", "Trampkraft", 1, ["p6", "p7"], 3.7,
     "Barnen cyklar till skolan tillsammans, med en vuxen i täten.",
     "Cykelbussen planerar gemensamma cykelturer till skolan längs de tryggaste vägarna och "
     "påminner föräldrarna när det är deras tur att leda."),
    ("Parkbänken", "Bänkgänget", 0, ["p8"], 2.6,
     "Hitta en ledig bänk i solen.",
     "En prototyp som visar var bänkarna i centrum står och var solen når dem just nu."),
]
JUROR_BIAS = {"jury": 0.0, "jury2": -1.0, "jury3": 0.8, "jury4": 0.2}
AWARDS = [
    (AwardKind.OVERALL, "Årets bidrag", None, 0,
     "Gröna stråket visar hur **kommunens öppna data** kan göra stadskärnan grönare på riktigt. "
     "Laget byggde en fungerande prototyp på 24 timmar och testade den med besökare i centrum."),
    (AwardKind.CHALLENGE, "Bästa lösning: Tryggare skolvägar", 1, 1,
     "Skolvägskollen låter barnen själva peka ut var det känns otryggt, och ger trafikplanerarna "
     "något konkret att arbeta med."),
    (AwardKind.PEOPLES_CHOICE, "Publikens pris", None, 3,
     "Flest röster från besökarna på Science Park: en idé som alla förstod direkt."),
]


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.date(), time(hour, minute), TIMEZONE)


async def _account(email: str, name: str, admin: bool) -> User:
    user = await User.get_or_none(email=email)
    if user is None:
        user = await User.create(email=email, display_name=name, is_admin=admin,
                                 password_hash=await make_password_hash(DEMO_PASSWORD),
                                 email_verified_at=clock.now())
    return user


async def _role(event: Event, user: User, role: Role, **extra) -> None:
    await EventRole.get_or_create(event=event, user=user, role=role, defaults=extra)


async def _event(slug: str, **fields) -> Event:
    event = await Event.get_or_none(slug=slug)
    return event or await Event.create(slug=slug, **fields)


async def _team(event: Event, name: str, members: list[User], challenge=None,
                school_class=None, looking_for: str = "") -> Team:
    team = await Team.get_or_none(event=event, name=name)
    if team is None:
        team = await Team.create(event=event, name=name, challenge=challenge,
                                 school_class=school_class, leader=members[0],
                                 join_code=await _unique_code(Team, "join_code", 6),
                                 member_count=len(members), looking_for=looking_for)
        for user in members:
            await TeamMember.create(team=team, event=event, user=user)
            await _role(event, user, Role.PARTICIPANT)
    return team


async def _unique_code(model, field: str, length: int) -> str:
    while True:
        code = random_code(length)
        if not await model.filter(**{field: code}).exists():
            return code


def _demo_score(quality: float, bias: float, criterion: int, project: int, juror: int) -> int:
    """A juror's score on a 1-5 scale: the project's quality, the juror's leniency and a small
    fixed wobble (the same on every run: the demo is idempotent)."""
    wobble = ((project * 7 + juror * 3 + criterion * 5) % 5 - 2) * 0.25
    return max(1, min(5, round(quality + bias + wobble)))


async def finished_event(today: datetime, users: dict[str, User]) -> Event | None:
    """Last year's Hack for Södertälje with everything in it; made once (looked up by its
    address: a second run changes nothing)."""
    if await Event.filter(slug=LAST_YEAR_SLUG).exists():
        return None
    for key, email, name, admin in LAST_YEAR_ACCOUNTS:
        users[key] = await _account(email, name, admin)
    start = _at(today - timedelta(days=365), 10)
    event = await Event.create(
        slug=LAST_YEAR_SLUG, title="Hack for Södertälje 2025",
        summary="Förra årets hackathon: se bidragen, juryns motiveringar och vinnarna.",
        description="24 timmar på Södertälje Science Park med kommunens utmaningar och öppna "
                    "data. **Resultaten är publicerade.**",
        venue="Södertälje Science Park, Kvarnbergagatan 12, Södertälje",
        kind=EventKind.HACKATHON, published=True, max_team_size=5,
        registration_opens=start - timedelta(days=30), registration_closes=start,
        hacking_starts=start, submissions_close=start + timedelta(days=1),
        judging_closes=start + timedelta(days=3), results_published=start + timedelta(days=4))
    await _role(event, users["admin"], Role.ORGANISER)
    await _role(event, users["organiser"], Role.ORGANISER)
    for key in JUROR_BIAS:
        await _role(event, users[key], Role.JURY)
    challenges = []
    for slug, title, org_name, summary in LAST_YEAR_CHALLENGES:
        org, _ = await Organisation.get_or_create(name=org_name)
        challenges.append(await Challenge.create(
            event=event, slug=slug, title=title, summary=summary, organisation=org,
            owner=users["owner"], published=True,
            search_text=Challenge.make_search_text(title, summary, org_name)))
    rubric = await Rubric.create(event=event, locked_at=start + timedelta(days=1, hours=1))
    criteria = [await Criterion.create(
        rubric=rubric, position=i, name=name, weight=weight, scale_min=1, scale_max=5,
        levels={str(step): text for step, text in enumerate(levels, start=1)})
        for i, (name, weight, levels) in enumerate(RUBRIC)]
    submissions = []
    for number, (title, team_name, challenge, members, _q, summary, text) in enumerate(PROJECTS):
        team = await _team(event, team_name, [users[m] for m in members],
                           challenge=challenges[challenge])
        submission = await Submission.create(
            event=event, team=team, challenge=challenges[challenge], title=title,
            summary=summary, description=text,
            repository_url=f"https://example.org/demo/{team.join_code.lower()}",
            demo_url="", eligibility=Eligibility.ELIGIBLE, updated_by=users[members[0]])
        await SubmissionVersion.create(
            submission=submission, number=1, saved_by=users[members[0]],
            snapshot={f: getattr(submission, f) for f in VERSIONED_FIELDS})
        submissions.append(submission)
    jurors = list(JUROR_BIAS)
    judged_at = start + timedelta(days=2)
    for number, submission in enumerate(submissions):
        quality = PROJECTS[number][4]
        # Three reviews each, by overlapping jurors, so the jury is one connected graph.
        for offset in range(3):
            key = jurors[(number + offset) % len(jurors)]
            review = await Assignment.create(
                event=event, juror=users[key], submission=submission,
                status=AssignmentStatus.DONE, completed_at=judged_at,
                confidence=Confidence.HIGH if offset == 0 else Confidence.MEDIUM,
                feedback=f"Tack för ett engagerat bidrag! {submission.title} har en tydlig "
                         "idé; visa gärna mer av hur invånarna skulle använda den.",
                private_note="Diskutera i juryn: hur realistisk är driften?")
            for index, criterion in enumerate(criteria):
                value = _demo_score(quality, JUROR_BIAS[key], index, number, offset)
                await Score.create(assignment=review, criterion=criterion, value=value)
                await ScoreChange.create(event=event, assignment=review,
                                         changed_by=users[key], what=f"criterion:{criterion.id}",
                                         new_value=str(value))
    # People's choice: visitors' codes and participants' own votes.
    for number, count in enumerate([9, 6, 4, 14, 3]):
        for _ in range(count):
            token = await VoteToken.create(event=event, created_by=users["organiser"],
                                           used_at=start + timedelta(days=1, hours=2))
            await Vote.create(event=event, submission=submissions[number], token=token)
    await Vote.create(event=event, submission=submissions[3], voter=users["p1"])
    await Vote.create(event=event, submission=submissions[0], voter=users["p6"])
    for kind, name, project_or_challenge, position, motivation in AWARDS:
        project = {AwardKind.OVERALL: 0, AwardKind.CHALLENGE: 1,
                   AwardKind.PEOPLES_CHOICE: 3}[kind]
        await Award.create(event=event, kind=kind, name=name, position=position,
                           challenge=challenges[project_or_challenge]
                           if kind == AwardKind.CHALLENGE else None,
                           submission=submissions[project], motivation=motivation,
                           decided_by=users["organiser"])
    await JudgingSettings.create(
        event=event, method=Method.CALIBRATED, peoples_choice_open=False,
        public_vote_percent=20, show_scores_to_teams=True, public_ranking=True,
        results_approved_at=start + timedelta(days=3, hours=2),
        results_approved_by=users["organiser"])
    await GallerySettings.get_or_create(event=event, defaults={"opens_at_phase": "results"})
    return event


async def load_demo(today: datetime | None = None) -> list[tuple[str, str]]:
    """Create the demo data if missing; returns (role, login) lines to show."""
    today = today or clock.now().astimezone(TIMEZONE)
    async with in_transaction():
        users = {key: await _account(email, name, admin) for key, email, name, admin in ACCOUNTS}
        # The municipality's organiser creates events without being a site admin.
        await User.filter(id=users["organiser"].id).update(may_create_events=True)

        # Registration open now; the 24 hours of hacking three weeks ahead.
        start = today + timedelta(days=21)
        hack = await _event(
            "hack-for-sodertalje", title="Hack for Södertälje",
            summary="24 timmar av öppen innovation på Södertälje Science Park: lös kommunens "
                    "utmaningar med öppna data.",
            description="Hack for Södertälje är ett **24-timmars hackathon** där invånare, studenter, "
                        "företag och kommunens medarbetare tillsammans tar fram lösningar på "
                        "verkliga utmaningar.\n\n- Bilda lag på plats eller i förväg\n"
                        "- Välj en utmaning från kommunens förvaltningar\n"
                        "- Presentera för juryn när tiden är ute\n\nMat och dryck ingår. "
                        "Alla kan delta, ingen förkunskap krävs.",
            venue="Södertälje Science Park, Kvarnbergagatan 12, Södertälje",
            kind=EventKind.HACKATHON, published=True, max_team_size=5,
            registration_opens=_at(today - timedelta(days=7), 9),
            registration_closes=_at(start, 9),
            hacking_starts=_at(start, 10), submissions_close=_at(start + timedelta(days=1), 10),
            judging_closes=_at(start + timedelta(days=1), 13),
            results_published=_at(start + timedelta(days=1), 14))
        await _role(hack, users["admin"], Role.ORGANISER)
        await _role(hack, users["organiser"], Role.ORGANISER)
        await _role(hack, users["owner"], Role.CHALLENGE_OWNER)
        await _role(hack, users["jury"], Role.JURY)
        themes = {}
        for slug, sv, en in THEMES:
            themes[slug], _ = await Theme.get_or_create(event=hack, slug=slug,
                                                        defaults={"name_sv": sv, "name_en": en})
        challenges = {}
        for spec in CHALLENGES:
            org, _ = await Organisation.get_or_create(name=spec["org"])
            challenge = await Challenge.get_or_none(event=hack, slug=spec["slug"])
            if challenge is None:
                challenge = await Challenge.create(
                    event=hack, slug=spec["slug"], title=spec["title"], summary=spec["summary"],
                    description=spec["description"], expected_outcome=spec["outcome"],
                    organisation=org, owner=users["owner"], contact_name="Cecilia Utmaningsägare",
                    contact_email="utmaning@demo.samskapa.se", published=True,
                    search_text=Challenge.make_search_text(spec["title"], spec["summary"],
                                                           spec["org"]))
                await challenge.themes.add(*[themes[t] for t in spec["themes"]])
                for key in spec["datasets"]:
                    title, url, licence, fmt = OPEN_DATA[key]
                    await Dataset.create(challenge=challenge, title=title, url=url,
                                         licence=licence, format=fmt)
            challenges[spec["slug"]] = challenge
        await _team(hack, "Parkpiloterna", [users["p1"], users["p2"]],
                    challenge=challenges["grona-promenadstraket"],
                    looking_for="Någon som kan design och kartor")
        await _team(hack, "Cykelkompisarna", [users["p3"]],
                    challenge=challenges["hallbara-resor-till-skolan"],
                    looking_for="Utvecklare med erfarenhet av GTFS")
        await _role(hack, users["p4"], Role.PARTICIPANT, skills="Python, GIS, QGIS",
                    looking_for_team=True)

        # The school event: building "the future Södertälje" in Minecraft, in a month.
        mc_day = today + timedelta(days=30)
        school = await _event(
            "minecraft-hackathon", title="Minecraft-hackathon: Framtidens Södertälje",
            summary="Skolklasser bygger framtidens Södertälje i en Minecraft-karta gjord av "
                    "kommunens öppna höjddata.",
            description="Eleverna i årskurs 4–9 bygger i lag sin vision av **framtidens "
                        "Södertälje** i en Minecraft-värld skapad från Lantmäteriets höjddata. "
                        "En jury bedömer byggena utifrån hållbarhet, kreativitet och samarbete.",
            venue="Södertälje Science Park och klassrummen", kind=EventKind.SCHOOL, published=True,
            max_team_size=4,
            registration_opens=_at(today - timedelta(days=3), 8),
            registration_closes=_at(mc_day, 8), hacking_starts=_at(mc_day, 9),
            submissions_close=_at(mc_day, 14), judging_closes=_at(mc_day + timedelta(days=7), 16),
            results_published=_at(mc_day + timedelta(days=8), 10))
        await _role(school, users["admin"], Role.ORGANISER)
        await _role(school, users["teacher"], Role.TEACHER)
        await _role(school, users["jury"], Role.JURY)
        class_codes = []
        for class_name, pupils in [("6A", ["Kubkungen", "Pixelpanda", "Redstone-Rut", "Blockbyggaren"]),
                                   ("7B", ["Diamantdraken", "Grästorva", "Skogsmyran", "Vågsurfaren"])]:
            klass = await SchoolClass.get_or_none(event=school, name=class_name)
            if klass is None:
                klass = await SchoolClass.create(
                    event=school, name=class_name, school="Demoskolan, Södertälje",
                    teacher=users["teacher"], code=await _unique_code(SchoolClass, "code", 6))
            class_codes.append((class_name, klass.code, pupils[0]))
            accounts = []
            for nickname in pupils:
                pupil = await Pupil.get_or_none(school_class=klass, nickname=nickname)
                if pupil is None:
                    user = await User.create(display_name=nickname, is_pupil=True,
                                             password_hash=await make_password_hash(PUPIL_CODE))
                    pupil = await Pupil.create(user=user, school_class=klass, nickname=nickname)
                accounts.append(await pupil.user)
            await _team(school, f"{class_name} Gröna taken", accounts[:2], school_class=klass)
            await _team(school, f"{class_name} Framtidsbron", accounts[2:], school_class=klass)

        await finished_event(today, users)

    logins = [(role, f"{email} / {DEMO_PASSWORD}") for role, email, _n, _a in
              [("Site admin + organiser", *ACCOUNTS[0][1:]),
               ("Organiser, may create events", *ACCOUNTS[1][1:]),
               ("Challenge owner", *ACCOUNTS[2][1:]),
               ("Jury member", *ACCOUNTS[3][1:]),
               ("Teacher", *ACCOUNTS[4][1:]),
               ("Participant", *ACCOUNTS[5][1:])]]
    for class_name, code, nickname in class_codes:
        logins.append((f"Pupil in class {class_name}",
                       f"class code {code}, nickname {nickname}, login code {PUPIL_CODE}"))
    return logins
