"""Every state-changing route × every role -> allowed, or refused as designed.

The table below lists each unsafe route of the app (POST, from all packages) with a concrete URL
in a seeded world and the outcome for each role. `test_every_unsafe_route_is_in_the_table` walks
`app.routes` and fails when a route is missing, so a new route has to be added here.

Every request is sent for real over the ASGI app with a valid CSRF token (the one in the
visitor's signed session, as a page would have given it), one fresh world per case: each case
runs inside a database transaction that is rolled back afterwards, so the seeded world is built
once and no case sees another's changes.

Outcomes:
  ok     the route did its work: 2xx, or a 3xx that is not a redirect to the sign-in page
  login  303 to /login?next=... (anonymous visitors are asked to sign in)
  403    refused: signed in but without the role (a specific message)
  404    the thing is not there for this visitor (drafts, other events)
  422    allowed through the guard but refused by a rule (e.g. already in a team), with the
         form back; marked where the role can never succeed for that reason
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from itsdangerous import TimestampSigner
from starlette.routing import Mount, Route, Router
from tortoise.transactions import in_transaction

from challenges.models import Challenge, Theme
from judging.models import Award, AwardKind
from events.models import Event, EventKind, EventRole, Invitation, Role
from samskapa.app import create_app
from samskapa.auth.models import PasswordResetToken, User, UserSession
from samskapa.auth.passwords import make_password_hash, token_hash
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from submissions.models import FileKind, Submission, SubmissionFile, SubmissionVersion

ROLES = ["anonymous", "participant", "other_team", "teacher", "challenge_owner", "jury",
         "organiser", "admin", "event_creator"]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD = "hemligt123"
PUPIL_CODE = "ABCD2345"
INVITE_TOKEN = "inbjudan-till-deltagaren"
RESET_TOKEN = "aterstall-deltagarens-losenord"
JURY_LINK_TOKEN = "jurylank-till-juryn"
CSRF = "csrf-token-of-this-visitor"
VOTE_SECRET = "test-secret"  # the site's secret key in tests/conftest.py: vote codes derive from it

_hashes: dict[str, str] = {}


async def hashed(secret: str) -> str:
    if secret not in _hashes:  # argon2 is slow on purpose: hash each secret once
        _hashes[secret] = await make_password_hash(secret)
    return _hashes[secret]


# --- the seeded world ---------------------------------------------------------------------------

@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    draft_params: dict[str, object] = field(default_factory=dict)


async def build_world() -> World:
    w = World()
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    times = dict(registration_opens=now - timedelta(days=1),
                 registration_closes=now + timedelta(days=1),
                 hacking_starts=now + timedelta(days=2), submissions_close=now + timedelta(days=3),
                 judging_closes=now + timedelta(days=4), results_published=now + timedelta(days=5))
    for name in ROLES[1:] + ["mate"]:
        w.users[name] = await User.create(
            email=f"{name.replace('_', '-')}@example.se", password_hash=await hashed(PASSWORD),
            display_name=name.capitalize(), is_admin=name == "admin",
            may_create_events=name == "event_creator", email_verified_at=now)
        # The server-side session a sign-in would have created (see session_cookie).
        await UserSession.create(user=w.users[name], key_hash=token_hash(session_key(name)),
                                 last_seen_at=now)
    u = w.users
    hack = await Event.create(slug="hack", title="Hack", kind=EventKind.HACKATHON,
                              published=True, max_team_size=5, **times)
    skola = await Event.create(slug="skola", title="Skola", kind=EventKind.SCHOOL,
                               published=True, max_team_size=5, **times)
    draft = await Event.create(slug="utkast", title="Utkast", kind=EventKind.SCHOOL,
                               published=False, **times)
    for event, user, role in [
            (hack, u["participant"], Role.PARTICIPANT), (hack, u["mate"], Role.PARTICIPANT),
            (hack, u["other_team"], Role.PARTICIPANT), (skola, u["teacher"], Role.TEACHER),
            (hack, u["challenge_owner"], Role.CHALLENGE_OWNER), (hack, u["jury"], Role.JURY),
            (hack, u["organiser"], Role.ORGANISER), (skola, u["organiser"], Role.ORGANISER),
            (draft, u["organiser"], Role.ORGANISER)]:
        await EventRole.create(event=event, user=user, role=role)
    team_a = await Team.create(event=hack, name="Alfa", join_code="ALFA22",
                               leader=u["participant"], member_count=2)
    team_b = await Team.create(event=hack, name="Beta", join_code="BETA33",
                               leader=u["other_team"], member_count=1)
    for team, name in ((team_a, "participant"), (team_a, "mate"), (team_b, "other_team")):
        await TeamMember.create(team=team, event=hack, user=u[name])
    theme = await Theme.create(event=hack, slug="mobilitet", name_sv="Mobilitet",
                               name_en="Mobility")
    own = await Challenge.create(event=hack, slug="cykel", title="Cykel", published=True,
                                 owner=u["challenge_owner"])
    await Challenge.create(event=hack, slug="annan", title="Annan", published=True)
    klass = await SchoolClass.create(event=skola, name="5B", teacher=u["teacher"],
                                     code="KLASS5BB")
    pupil_user = await User.create(display_name="Creeper", is_pupil=True,
                                   password_hash=await hashed(PUPIL_CODE))
    pupil = await Pupil.create(user=pupil_user, school_class=klass, nickname="Creeper")
    await EventRole.create(event=skola, user=pupil_user, role=Role.PARTICIPANT)
    class_team = await Team.create(event=skola, name="Gruppen", join_code="GRUPP4",
                                   school_class=klass, member_count=0)
    await Invitation.create(event=hack, email=u["participant"].email, role=Role.JURY,
                            token_hash=token_hash(INVITE_TOKEN), invited_by=u["organiser"],
                            expires_at=now + timedelta(days=14))
    await PasswordResetToken.create(user=u["participant"], token_hash=token_hash(RESET_TOKEN),
                                    expires_at=now + timedelta(hours=2))
    # Something of every kind in the draft, for the sweep of its pages.
    draft_class = await SchoolClass.create(event=draft, name="Utkastklassen",
                                           teacher=u["organiser"], code="UTKAST77")
    draft_team = await Team.create(event=draft, name="Utkastlaget", join_code="UTKA88",
                                   school_class=draft_class, member_count=0)
    draft_pupil = await Pupil.create(
        user=await User.create(display_name="Utkastelev", is_pupil=True),
        school_class=draft_class, nickname="Utkastelev")
    await Challenge.create(event=draft, slug="utkast-utmaning", title="U", published=True)
    await Theme.create(event=draft, slug="utkast-tema", name_sv="U", name_en="U")
    # Submissions: team Alfa's at version 2 with a picture; one in the draft for the sweep.
    submission = await make_submission(hack, team_a, "Alfa-bygget", u["participant"])
    picture = await SubmissionFile.create(submission=submission, kind=FileKind.IMAGE,
                                          original_name="bild.png",
                                          stored_name="authz-alfa.png", content_type="image/png",
                                          size=10, thumbnail_name="authz-alfa.thumb.jpg")
    draft_submission = await make_submission(draft, draft_team, "Utkastbygget", None)
    draft_file = await SubmissionFile.create(
        submission=draft_submission, kind=FileKind.IMAGE, original_name="utkast.png",
        stored_name="authz-utkast.png", content_type="image/png", size=10,
        thumbnail_name="authz-utkast.thumb.jpg")
    # The draft's organiser also sits in its jury, with a review: the jury's pages exist for
    # them, so a 404 there is about the draft.
    draft_review, draft_criterion = await _draft_judging(draft, draft_submission, u["organiser"])
    w.draft_params = {"slug": "utkast", "team_id": draft_team.id, "class_id": draft_class.id,
                      "assignment_id": draft_review, "criterion_id": draft_criterion,
                      "pupil_id": draft_pupil.id,
                      "cslug": "utkast-utmaning", "tslug": "utkast-tema",
                      "submission_id": draft_submission.id, "file_id": draft_file.id}
    judging_ids = await _judging_world(hack, u, submission, team_b, now)
    w.ids = {**judging_ids, "team_a": team_a.id, "team_b": team_b.id, "class": klass.id,
             "pupil": pupil.id,
             "class_team": class_team.id, "mate": u["mate"].id, "theme": theme.id,
             "challenge": own.id, "submission": submission.id, "file": picture.id,
             **await _results_world(hack, skola, u, submission, team_b)}
    w.draft_params["award_id"] = (await Award.create(event=draft, kind=AwardKind.SPECIAL,
                                                     name="Utkastpris")).id
    return w


async def _results_world(hack, skola, u, submission_a, team_b) -> dict:
    """Results: an award, voting open with a printed code in the hackathon; the school event's
    results approved but not yet public."""
    from judging import votes
    from judging.models import JudgingSettings, VoteToken

    beta = await Submission.get(team_id=team_b.id)  # made by _judging_world
    award = await Award.create(event=hack, kind=AwardKind.OVERALL, name="Årets bidrag",
                               submission=submission_a)
    await JudgingSettings.create(event=hack, peoples_choice_open=True)
    await JudgingSettings.create(event=skola, results_approved_at=datetime.now(timezone.utc))
    token = await VoteToken.create(event=hack, created_by=u["organiser"])
    return {"sub_beta": beta.id, "award": award.id,
            "vote_code": votes.token_code(VOTE_SECRET, token)}


async def make_submission(event: Event, team: Team, title: str, user: User | None) -> Submission:
    """A submission at version 2 (version 1 restorable)."""
    submission = await Submission.create(event=event, team=team, title=title, version=2,
                                         updated_by=user)
    for number in (1, 2):
        await SubmissionVersion.create(submission=submission, number=number,
                                       snapshot={"title": f"{title} {number}"}, saved_by=user)
    return submission


UPLOADED_FILES = ("authz-alfa.png", "authz-alfa.thumb.jpg", "authz-utkast.png",
                  "authz-utkast.thumb.jpg")


async def _judging_world(hack, u, submission_a, team_b, now) -> dict[str, int]:
    """Submissions, a rubric, the jury member's reviews (one finished, one not), a declared
    conflict, a second juror to move a review to and a jury link."""
    from judging.models import (Assignment, AssignmentStatus, Conflict, ConflictKind, Criterion,
                                JuryLink, Rubric, Score)
    from submissions.models import Eligibility, Submission

    gamma = await Team.create(event=hack, name="Epsilon", join_code="EPSIL5", member_count=0)
    delta = await Team.create(event=hack, name="Zeta", join_code="ZETA66", member_count=0)
    submission_a.eligibility = Eligibility.ELIGIBLE
    await submission_a.save()
    subs = [submission_a, *[await Submission.create(event=hack, team=team,
                                                    title=f"Bidrag {team.name}",
                                                    eligibility=Eligibility.ELIGIBLE)
                            for team in (team_b, gamma)]]
    rubric = await Rubric.create(event=hack)
    criterion = await Criterion.create(rubric=rubric, name="Idé", scale_min=1, scale_max=5)
    done = await Assignment.create(event=hack, juror=u["jury"], submission=subs[0],
                                   status=AssignmentStatus.DONE)
    await Score.create(assignment=done, criterion=criterion, value=4)
    pending = await Assignment.create(event=hack, juror=u["jury"], submission=subs[1])
    conflict = await Conflict.create(event=hack, juror=u["jury"], team=delta,
                                     kind=ConflictKind.EMPLOYER)
    juror2 = await User.create(email="jury-2@example.se", display_name="Jury 2")
    await EventRole.create(event=hack, user=juror2, role=Role.JURY)
    await JuryLink.create(event=hack, juror=u["jury"], token_hash=token_hash(JURY_LINK_TOKEN),
                          expires_at=now + timedelta(days=7))
    return {"review_done": done.id, "review_pending": pending.id, "criterion": criterion.id,
            "conflict": conflict.id, "sub_gamma": subs[2].id, "juror2": juror2.id,
            "jury": u["jury"].id, "team_b_id": team_b.id}


async def _draft_judging(draft, sub, organiser) -> tuple[int, int]:
    from judging.models import Assignment, Criterion, Rubric
    from submissions.models import Eligibility

    await EventRole.create(event=draft, user=organiser, role=Role.JURY)
    sub.eligibility = Eligibility.ELIGIBLE
    await sub.save()
    criterion = await Criterion.create(rubric=await Rubric.create(event=draft), name="Idé")
    review = await Assignment.create(event=draft, juror=organiser, submission=sub)
    return review.id, criterion.id


# --- the table ----------------------------------------------------------------------------------

def everyone(outcome: str, **overrides: str) -> dict[str, str]:
    return {role: overrides.get(role, outcome) for role in ROLES}


def signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    return everyone(outcome, anonymous="login", **overrides)


def only(*allowed: str, refused: str = "403", **overrides: str) -> dict[str, str]:
    return signed_in(refused, **{**{role: "ok" for role in allowed}, **overrides})


ORGANISERS = ("organiser", "admin")


@dataclass
class Case:
    route: str            # the route's path pattern, as in app.routes
    url: str              # a concrete URL in the seeded world ({ids} filled in)
    data: dict            # a valid form for an allowed visitor
    expect: dict[str, str]
    note: str = ""

    def id(self) -> str:
        return self.url


EVENT_FORM = {
    "title": "Hack 2", "slug": "hack-2", "summary": "", "description": "", "venue": "",
    "kind": "hackathon", "max_team_size": "5", "registration_opens": "2030-01-01T09:00",
    "registration_closes": "2030-01-10T09:00", "hacking_starts": "2030-01-11T09:00",
    "submissions_close": "2030-01-12T09:00", "judging_closes": "2030-01-13T09:00",
    "results_published": "2030-01-14T09:00",
}
CHALLENGE_FORM = {"title": "Ny utmaning", "slug": "ny-utmaning", "summary": "Kort",
                  "themes": "mobilitet", "organisation_new": "Samhällsbyggnadskontoret"}

CASES = [
    # --- accounts (samskapa/auth): public by design ----------------------------------------
    Case("/login", "/login", {"email": "mate@example.se", "password": PASSWORD},
         everyone("ok")),
    Case("/logout", "/logout", {}, everyone("ok")),
    Case("/register", "/register", {"display_name": "Ny", "email": "ny@example.se",
                                    "password": PASSWORD}, everyone("ok")),
    Case("/password/forgot", "/password/forgot", {"email": "mate@example.se"}, everyone("ok")),
    Case("/password/reset/{token}", f"/password/reset/{RESET_TOKEN}",
         {"password": "nytt-losen-1", "password_again": "nytt-losen-1"}, everyone("ok"),
         "the emailed token is the authorisation"),
    Case("/admin/users/{user_id:id}/may-create-events",
         "/admin/users/{mate}/may-create-events", {"allowed": "1"}, only("admin"),
         "only the site admin lets an account create events"),
    Case("/account/password", "/account/password",
         {"current_password": PASSWORD, "new_password": "nytt-losen-1",
          "new_password_again": "nytt-losen-1"}, signed_in("ok"), "one's own password"),
    Case("/account/sign-out-everywhere", "/account/sign-out-everywhere", {}, signed_in("ok"),
         "one's own sessions"),
    Case("/account/verify", "/account/verify", {}, signed_in("ok"),
         "mails a confirmation link to one's own address"),

    # --- events (events/routes.py) ----------------------------------------------------------
    Case("/events/new", "/events/new", EVENT_FORM, only("admin", "event_creator"),
         "site admins and those they allow create events; an event's organiser is neither"),
    Case("/events/{slug}/edit", "/events/hack/edit", EVENT_FORM, only(*ORGANISERS)),
    Case("/events/{slug}/edit", "/events/utkast/edit", EVENT_FORM,
         only(*ORGANISERS, refused="404"), "a draft does not exist for non-organisers"),
    Case("/events/{slug}/publish", "/events/utkast/publish", {},
         only(*ORGANISERS, refused="404")),
    Case("/events/{slug}/unpublish", "/events/hack/unpublish", {}, only(*ORGANISERS)),
    Case("/events/{slug}/register", "/events/hack/register",
         {"skills": "Python", "looking_for_team": "on"}, signed_in("ok")),
    Case("/events/{slug}/register", "/events/utkast/register", {},
         signed_in("404", organiser="ok", admin="ok")),
    Case("/events/{slug}/invite", "/events/hack/invite",
         {"email": "ny@example.se", "role": "jury"}, only(*ORGANISERS)),
    Case("/invitations/{token}", f"/invitations/{INVITE_TOKEN}", {}, only("participant"),
         "an invitation is for the address it was sent to"),

    # --- teams (events/team_routes.py) ------------------------------------------------------
    Case("/events/{slug}/teams/new", "/events/hack/teams/new", {"name": "Gamma"},
         signed_in("ok", participant="422", other_team="422"),
         "anyone signed in may start a team; team members are already in one"),
    Case("/events/{slug}/teams/new", "/events/utkast/teams/new", {"name": "Gamma"},
         signed_in("404", organiser="422", admin="422"),
         "the draft is a school event: its organisers see it, but adults make no teams there"),
    Case("/events/{slug}/join", "/events/hack/join", {"code": "ALFA22"},
         signed_in("ok", participant="422", other_team="422"),
         "the join code is the authorisation; one team per person per event"),
    Case("/events/{slug}/join", "/events/skola/join", {"code": "GRUPP4"}, signed_in("422"),
         "a school event's teams are pupils' teams: no adult joins them, whatever their role"),
    Case("/events/{slug}/teams/new", "/events/skola/teams/new", {"name": "Vuxna"},
         signed_in("422"), "...nor makes one"),
    Case("/events/{slug}/teams/{team_id:id}/leave", "/events/hack/teams/{team_a}/leave", {},
         only("participant"), "only the team's own members; another team's member is refused"),
    Case("/events/{slug}/teams/{team_id:id}/leader", "/events/hack/teams/{team_a}/leader",
         {"user_id": "{mate}"}, only("participant"), "only the team's leader"),
    Case("/events/{slug}/teams/{team_id:id}/edit", "/events/hack/teams/{team_a}/edit",
         {"looking_for": "En designer"}, only("participant"), "only the team's leader"),

    # --- school events (events/school_routes.py) --------------------------------------------
    Case("/events/{slug}/classes/new", "/events/skola/classes/new", {"name": "6A"},
         only("teacher", *ORGANISERS)),
    Case("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/code",
         "/events/skola/classes/{class}/pupils/{pupil}/code", {},
         only("teacher", *ORGANISERS), "the class's own teacher and the organisers"),
    Case("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}",
         "/events/skola/classes/{class}/pupils/{pupil}", {"nickname": "Zombien"},
         only("teacher", *ORGANISERS), "renaming a pupil"),
    Case("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/remove",
         "/events/skola/classes/{class}/pupils/{pupil}/remove", {},
         only("teacher", *ORGANISERS), "deletes the pupil's account"),
    Case("/events/{slug}/classes/{class_id:id}/delete", "/events/skola/classes/{class}/delete",
         {}, only("teacher", *ORGANISERS), "deletes the class and its pupils' accounts"),
    Case("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/unlock",
         "/events/skola/classes/{class}/pupils/{pupil}/unlock", {},
         only("teacher", *ORGANISERS), "the class's own teacher and the organisers"),
    Case("/events/{slug}/classes/{class_id:id}/teams", "/events/skola/classes/{class}/teams",
         {"name": "Nya gruppen"}, only("teacher", *ORGANISERS)),
    Case("/events/{slug}/classes/{class_id:id}/place", "/events/skola/classes/{class}/place",
         {"pupil_id": "{pupil}", "team_id": "{class_team}"}, only("teacher", *ORGANISERS)),
    Case("/pupil/join", "/pupil/join", {"class_code": "KLASS5BB", "nickname": "Steve"},
         everyone("ok"), "the class code is the authorisation"),
    Case("/pupil", "/pupil", {"class_code": "KLASS5BB", "nickname": "Creeper",
                              "login_code": PUPIL_CODE}, everyone("ok")),

    # --- challenges (challenges/routes.py) --------------------------------------------------
    Case("/events/{slug}/challenges/new", "/events/hack/challenges/new", CHALLENGE_FORM,
         only("challenge_owner", *ORGANISERS)),
    Case("/events/{slug}/challenges/{cslug}/edit", "/events/hack/challenges/cykel/edit",
         {**CHALLENGE_FORM, "slug": "cykel"}, only("challenge_owner", *ORGANISERS),
         "a challenge owner changes their own challenges"),
    Case("/events/{slug}/challenges/{cslug}/edit", "/events/hack/challenges/annan/edit",
         {**CHALLENGE_FORM, "slug": "annan"}, only(*ORGANISERS),
         "...and not other owners' challenges"),
    Case("/events/{slug}/challenges/{cslug}/publish", "/events/hack/challenges/cykel/publish",
         {}, only("challenge_owner", *ORGANISERS)),
    Case("/events/{slug}/challenges/{cslug}/unpublish",
         "/events/hack/challenges/annan/unpublish", {}, only(*ORGANISERS)),
    Case("/events/{slug}/challenges/new", "/events/utkast/challenges/new",
         {k: v for k, v in CHALLENGE_FORM.items() if k != "themes"},
         signed_in("404", organiser="ok", admin="ok")),
    Case("/events/{slug}/themes", "/events/hack/themes",
         {"name_sv": "Energi", "name_en": "Energy"}, only(*ORGANISERS)),
    Case("/events/{slug}/themes/{tslug}/delete", "/events/hack/themes/mobilitet/delete",
         {"detach": "on"}, only(*ORGANISERS)),

    # --- submissions (submissions/routes.py) ------------------------------------------------
    Case("/events/{slug}/teams/{team_id:id}/submission",
         "/events/hack/teams/{team_a}/submission", {"title": "Nytt", "version": "2"},
         only("participant"), "a team's own members, nobody else (organisers neither)"),
    Case("/events/{slug}/teams/{team_id:id}/submission/restore",
         "/events/hack/teams/{team_a}/submission/restore", {"number": "1", "version": "2"},
         only("participant")),
    Case("/events/{slug}/teams/{team_id:id}/submission/images",
         "/events/hack/teams/{team_a}/submission/images", {},
         only("participant", participant="422"),
         "the team's members (this form carries no file: 'choose a file')"),
    Case("/events/{slug}/teams/{team_id:id}/submission/attachments",
         "/events/hack/teams/{team_a}/submission/attachments", {},
         only("participant", participant="422")),
    Case("/events/{slug}/teams/{team_id:id}/submission/files/{file_id:id}/remove",
         "/events/hack/teams/{team_a}/submission/files/{file}/remove", {},
         only("participant")),
    Case("/events/{slug}/submissions/{submission_id:id}/eligibility",
         "/events/hack/submissions/{submission}/eligibility",
         {"eligibility": "ineligible", "reason": "Fel lag"}, only(*ORGANISERS)),
    Case("/events/{slug}/submissions/{submission_id:id}/hidden",
         "/events/hack/submissions/{submission}/hidden", {"hidden": "on"}, only(*ORGANISERS)),
    Case("/events/{slug}/gallery/settings", "/events/hack/gallery/settings",
         {"opens_at_phase": "judging"}, only(*ORGANISERS)),

    # --- privacy (privacy/routes.py) --------------------------------------------------------
    Case("/admin/statements/{kind}/{language}", "/admin/statements/privacy/sv",
         {"body": "## Vem ansvarar?"}, only("admin")),
    Case("/account/data/delete", "/account/data/delete", {"confirmation": PASSWORD},
         signed_in("ok", admin="422"),
         "anyone deletes their own account; the only site admin must hand over first"),
    Case("/events/{slug}/personal-data", "/events/hack/personal-data", {"confirm": "on"},
         signed_in("403", organiser="422", admin="422"),
         "the event's organisers, and only after its results (this one has not ended)"),

    # --- judging, the jury's side (judging/routes.py) ---------------------------------------
    Case("/events/{slug}/jury/reviews/{assignment_id:id}",
         "/events/hack/jury/reviews/{review_pending}", {"confidence": "high"}, only("jury"),
         "a juror saves their own review; nobody else has one"),
    Case("/events/{slug}/jury/reviews/{assignment_id:id}/done",
         "/events/hack/jury/reviews/{review_done}/done", {}, only("jury")),
    Case("/events/{slug}/jury/reviews/{assignment_id:id}/reopen",
         "/events/hack/jury/reviews/{review_done}/reopen", {}, only("jury")),
    Case("/events/{slug}/jury/reviews/{assignment_id:id}/skip",
         "/events/hack/jury/reviews/{review_pending}/skip", {"skip_reason": "Känner laget"},
         only("jury")),
    Case("/events/{slug}/jury/conflicts", "/events/hack/jury/conflicts",
         {"team_id": "{team_b_id}", "kind": "school", "note": ""}, only("jury")),
    Case("/events/{slug}/jury/conflicts/{conflict_id:id}/withdraw",
         "/events/hack/jury/conflicts/{conflict}/withdraw", {}, only("jury"),
         "one's own declared conflict"),
    Case("/events/{slug}/jury/compare", "/events/hack/jury/compare", {"choice": "seen"},
         only(refused="403", jury="422"), "this event is not judged in pairs"),
    Case("/jury-link/{token}", f"/jury-link/{JURY_LINK_TOKEN}", {}, everyone("ok"),
         "the mailed token is the authorisation"),

    # --- judging, the organisers' side ------------------------------------------------------
    Case("/events/{slug}/judging", "/events/hack/judging",
         {"method": "zscore", "reviews_per_submission": "2", "tie_break": "more_reviews",
          "public_vote_percent": "20"}, only(*ORGANISERS),
         "the method is the organisers' choice, not the jury's"),
    Case("/events/{slug}/judging/rubric", "/events/hack/judging/rubric",
         {"name": "Nytta", "weight": "1", "scale_min": "1", "scale_max": "5", "levels": ""},
         only(*ORGANISERS)),
    Case("/events/{slug}/judging/criteria/{criterion_id:id}",
         "/events/hack/judging/criteria/{criterion}",
         {"name": "Idé", "weight": "2", "scale_min": "1", "scale_max": "5", "levels": ""},
         only(*ORGANISERS)),
    Case("/events/{slug}/judging/criteria/{criterion_id:id}/delete",
         "/events/hack/judging/criteria/{criterion}/delete", {}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/jury/invite", "/events/hack/judging/jury/invite",
         {"email": "ny-jury@example.se"}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/jury/link", "/events/hack/judging/jury/link",
         {"link_email": "ny-jury@example.se", "display_name": "Ny"}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/assignments/run", "/events/hack/judging/assignments/run", {},
         only(*ORGANISERS)),
    Case("/events/{slug}/judging/assignments/add", "/events/hack/judging/assignments/add",
         {"juror_id": "{jury}", "submission_id": "{sub_gamma}"}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/assignments/{assignment_id:id}/move",
         "/events/hack/judging/assignments/{review_pending}/move", {"juror_id": "{juror2}"},
         only(*ORGANISERS)),
    Case("/events/{slug}/judging/assignments/{assignment_id:id}/remove",
         "/events/hack/judging/assignments/{review_pending}/remove", {}, only(*ORGANISERS)),

    # --- judging, the results side (judging/results_routes.py, vote_routes.py) --------------
    Case("/events/{slug}/judging/peoples-choice", "/events/hack/judging/peoples-choice",
         {"open": ""}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/awards", "/events/hack/judging/awards",
         {"kind": "special", "name": "Juryns pris", "submission": "{sub_beta}",
          "motivation": "Modigt!", "position": "1"}, only(*ORGANISERS),
         "the jury chair (and organisers); a juror does not decide awards alone"),
    Case("/events/{slug}/judging/awards/{award_id:id}", "/events/hack/judging/awards/{award}",
         {"kind": "overall", "name": "Årets bidrag", "submission": "{sub_beta}",
          "motivation": "", "position": "0"}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/awards/{award_id:id}/delete",
         "/events/hack/judging/awards/{award}/delete", {}, only(*ORGANISERS)),
    Case("/events/{slug}/judging/approve", "/events/hack/judging/approve", {"confirm": "on"},
         only(*ORGANISERS), "judging is still open: confirmed"),
    Case("/events/{slug}/judging/withdraw", "/events/skola/judging/withdraw", {},
         only(*ORGANISERS), "approved, not yet public: the approval can be taken back"),
    Case("/events/{slug}/vote", "/events/hack/vote",
         {"code": "{vote_code}", "submission": "{sub_beta}"},
         everyone("ok", other_team="422"),
         "the printed code is the authorisation; never a vote for one's own team"),
    Case("/events/{slug}/vote-codes", "/events/skola/vote-codes",
         {"school_class": "{class}", "count": "2"}, only("teacher", *ORGANISERS),
         "a teacher for their own class, and the organisers"),
]


# --- the machinery ------------------------------------------------------------------------------

def unsafe_routes(routes, prefix: str = "") -> set[tuple[str, str]]:
    """(method, path pattern) of every unsafe route, through mounts and routers."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Route):
            for method in (route.methods or set()) & UNSAFE:
                found.add((method, prefix + route.path))
        elif isinstance(route, Mount):
            inner = getattr(route, "routes", None) or []
            if not inner and isinstance(route.app, Router):
                inner = route.app.routes
            found |= unsafe_routes(inner, prefix + route.path)
        elif isinstance(route, Router):
            found |= unsafe_routes(route.routes, prefix)
    return found


def session_key(role: str) -> str:
    return f"session-key-of-{role}"


def session_cookie(secret_key: str, role: str) -> str:
    """The signed session cookie a sign-in would have set (Starlette's SessionMiddleware
    format), naming the role's server-side session (built with the world), with the visitor's
    CSRF token; the app checks all of it exactly as for a browser."""
    session = {"csrf": CSRF}
    if role != "anonymous":
        session["sid"] = session_key(role)
    data = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(str(secret_key)).sign(data).decode()


def outcome(response: httpx.Response) -> str:
    status = response.status_code
    location = response.headers.get("location") or response.headers.get("HX-Redirect") or ""
    if status in (302, 303, 307) and location.startswith("/login"):
        return "login"
    if status < 400:
        return "ok"
    return str(status)


def messages(html: str) -> str:
    """The error messages of a page, for a readable failure."""
    found = re.findall(r'<(?:p|div)[^>]*(?:class="(?:error|form-errors|notice)[^"]*"|role="alert")'
                       r'[^>]*>(.*?)</(?:p|div)>', html, re.S)
    return "\n".join(" ".join(m.split()) for m in found) or html[:400]


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def app(settings):
    """One app for the module (each case still gets its own visitor and rolled-back world)."""
    return create_app(settings, manage_db=False)


@pytest.fixture(scope="module")
async def world(database, settings):
    from tests.conftest import _truncate
    await _truncate()
    w = await build_world()
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    for name in UPLOADED_FILES:  # the files the world's rows name (the sweep fetches them)
        (settings.uploads_dir / name).write_bytes(b"\x89PNG\r\n")
    yield w
    await _truncate()


def fill(text: str, ids: dict[str, int]) -> str:
    return text.format(**ids) if "{" in text else text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=Case.id)
async def test_route_and_role(app, world, case: Case, role: str):
    url = fill(case.url, world.ids)
    data = {k: fill(v, world.ids) for k, v in case.data.items()}
    cookie = session_cookie(app.state.settings.secret_key, role)
    transport = httpx.ASGITransport(app=app, client=(f"10.1.{ROLES.index(role)}.1", 50000))
    try:
        async with in_transaction():
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as client:
                response = await client.post(url, data={**data, "csrf_token": CSRF},
                                             headers={"Cookie": f"samskapa_session={cookie}"})
            raise Rollback(response)
    except Rollback:
        pass
    expected = case.expect[role]
    assert outcome(response) == expected, (
        f"{role} POST {url}: expected {expected}, got {response.status_code} "
        f"{response.headers.get('location', '')}\n{messages(response.text)}")


async def test_every_unsafe_route_is_in_the_table(app):
    in_app = unsafe_routes(app.routes)
    in_table = {("POST", case.route) for case in CASES}
    missing = in_app - in_table
    assert not missing, f"unsafe routes missing from the authorisation table: {sorted(missing)}"
    stale = in_table - in_app
    assert not stale, f"routes in the table that the app no longer has: {sorted(stale)}"
    assert all(set(case.expect) == set(ROLES) for case in CASES)


async def test_requests_without_the_csrf_token_are_refused(app, world):
    """The table's requests pass the CSRF check because they carry the session's token: the
    same request with a wrong token is refused, so the check is really there."""
    cookie = session_cookie(app.state.settings.secret_key, "organiser")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for token in ("", "wrong"):
            r = await client.post("/events/hack/unpublish", data={"csrf_token": token},
                                  headers={"Cookie": f"samskapa_session={cookie}"})
            assert r.status_code == 403
        r = await client.get("/", headers={"Cookie": f"samskapa_session={cookie}"})
        assert "Organiser" in r.text and "Logga ut" in r.text  # the crafted session signs in
    assert (await Event.get(slug="hack")).published
    # Nothing the table's cases did survived their rollback.
    assert await Event.all().count() == 3 and await TeamMember.all().count() == 3
    assert not await User.filter(email="ny@example.se").exists()


def event_pages(routes) -> list[str]:
    """Path patterns of every GET route under an event (pages, API, feeds)."""
    found = []
    for route in routes:
        if isinstance(route, Route) and "GET" in (route.methods or set()) \
                and "{slug}" in route.path:
            found.append(route.path)
    return sorted(found)


async def test_a_draft_is_404_on_every_event_page(app, world):
    """Draft events are invisible everywhere: every GET route under an event answers 404 to a
    signed-in visitor without a role in it (and 404 or sign-in to an anonymous one), while the
    draft's organiser gets the page, so the 404 is about the draft and not a broken URL."""
    cookies = {role: session_cookie(app.state.settings.secret_key, role)
               for role in ("anonymous", "participant", "organiser")}
    pages = event_pages(app.routes)
    assert "/events/{slug}" in pages and "/api/events/{slug}" in pages
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for pattern in pages:
            url = re.sub(r"\{(\w+)(?::\w+)?\}",
                         lambda m: str(world.draft_params[m.group(1)]), pattern)
            seen = {}
            for role, cookie in cookies.items():
                r = await client.get(url, headers={"Cookie": f"samskapa_session={cookie}"})
                seen[role] = outcome(r)
            assert seen["participant"] == "404", (url, seen)
            assert seen["anonymous"] in ("404", "login"), (url, seen)
            if not pattern.startswith("/api/"):  # the open-data API may stay published-only
                assert seen["organiser"] not in ("404", "403", "login"), (url, seen)
