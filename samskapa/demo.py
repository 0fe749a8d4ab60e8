"""Demo data: "Hack for Södertälje" and a school "Minecraft-hackathon", in Swedish.

Idempotent: everything is looked up by a natural key first, so running `samskapa demo` twice
changes nothing. The demo accounts have known passwords (printed by the command): demo only.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from tortoise.transactions import in_transaction

from challenges.models import Challenge, Dataset, Organisation, Theme
from events.models import Event, EventKind, EventRole, Role
from samskapa import clock
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash, random_code
from samskapa.i18n import TIMEZONE
from school.models import Pupil, SchoolClass
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
