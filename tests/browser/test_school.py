"""Walk 6: the organiser of a school event invites a teacher (the mail goes to the log); the
teacher accepts, creates a class and gets a class code; a pupil joins with the class code and a
nickname, is shown a personal login code once, signs out, and signs in again with class code +
nickname + login code."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import create_event, label, register_account, sign_out, sv, unique


def test_teacher_class_and_pupil_login(server, admin_page, new_page, shot):
    admin = admin_page
    slug = unique("minecraft")
    title = "Minecraft-hackathon " + slug.rsplit("-", 1)[-1]
    create_event(admin, slug, title, kind="school", max_team_size=4)
    teacher_email = f"{slug}-larare@example.se"

    # The organiser invites a teacher from the event page.
    admin.goto(f"/events/{slug}")
    admin.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Invite people")).click()
    admin.get_by_label(label("Email address")).fill(teacher_email)
    admin.get_by_label(label("Role")).select_option(label=sv("Teacher"))
    admin.get_by_role("button", name=sv("Send invitation")).click()
    expect(admin.get_by_role("status")).to_contain_text(teacher_email)

    # No SMTP here: the site admin's outbox shows the mail without its link; the whole mail,
    # as the teacher would get it, is in the server's log.
    admin.get_by_role("navigation", name=sv("Main")).get_by_role(
        "link", name=sv("Outbox")).click()
    mail = admin.locator("article.mail", has_text=teacher_email).first
    expect(mail.get_by_role("heading")).to_contain_text(title)
    assert "/invitations/" not in mail.inner_text()
    link = re.search(rf"mail to {re.escape(teacher_email)} .*?(https?://\S+/invitations/\S+)",
                     server.log_path.read_text(), re.S)
    assert link, server.log_tail()

    # The teacher follows the link, creates an account with that address and accepts.
    teacher = new_page()
    teacher.goto(link.group(1))
    expect(teacher.get_by_role("heading", level=1)).to_have_text(sv("Invitation"))
    teacher.locator("main").get_by_role("link", name=sv("Create account")).click()
    register_account(teacher, "Tove Lärare", teacher_email, "tove-lösenord-1")
    teacher.wait_for_url(re.compile(r"/invitations/"))
    teacher.get_by_role("button", name=sv("Accept the invitation")).click()
    expect(teacher.get_by_role("status")).to_contain_text(title)

    # The class, and its code.
    teacher.get_by_role("link", name=sv("Go to the event")).click()
    teacher.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Classes")).click()
    teacher.get_by_role("link", name=sv("Create a class")).click()
    teacher.get_by_label(label("Class name")).fill("6B")
    teacher.get_by_label(label("School")).fill("Demoskolan, Södertälje")
    teacher.get_by_role("button", name=sv("Create class")).click()
    teacher.wait_for_url(re.compile(rf"/events/{slug}/classes/\d+$"))
    class_url = teacher.url
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("6B")
    class_code = teacher.locator(".class-code code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", class_code), class_code

    # A pupil joins: no email, no real name.
    pupil = new_page()
    pupil.goto("/")
    pupil.get_by_role("navigation", name=sv("Main")).get_by_role(
        "link", name=sv("Pupil login")).click()
    pupil.get_by_role("link", name=sv("New here? Join your class with a class code.")).click()
    expect(pupil.get_by_role("heading", level=1)).to_have_text(sv("Join your class"))
    pupil.get_by_label(label("Class code")).fill(class_code.lower())
    pupil.get_by_label(label("Nickname")).fill("Kubkungen")
    pupil.get_by_role("button", name=sv("Join"), exact=True).click()
    expect(pupil.get_by_text(sv("Your personal login code:"))).to_be_visible()
    login_code = pupil.locator("#login-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", login_code), login_code
    expect(pupil.locator("header")).to_contain_text("Kubkungen")  # signed in by joining
    shot(pupil, "pupil-login-code")

    # The teacher sees the pupil in the class list, by nickname.
    teacher.goto(class_url)
    expect(teacher.locator("table.pupils")).to_contain_text("Kubkungen")

    # Signed out, the pupil comes back with class code + nickname + login code.
    pupil.get_by_role("link", name=sv("I have written it down: continue")).click()
    sign_out(pupil)
    expect(pupil.locator("header")).not_to_contain_text("Kubkungen")
    pupil.get_by_role("navigation", name=sv("Main")).get_by_role(
        "link", name=sv("Pupil login")).click()
    pupil.get_by_label(label("Class code")).fill(class_code)
    pupil.get_by_label(label("Nickname")).fill("Kubkungen")
    pupil.get_by_label(label("Login code")).fill("AAAA-AAAA")  # a wrong code first
    pupil.locator("main").get_by_role("button", name=sv("Sign in")).click()
    expect(pupil.locator("main .error").first).to_be_visible()
    expect(pupil.get_by_label(label("Nickname"))).to_have_value("Kubkungen")
    expect(pupil.get_by_label(label("Login code"))).to_have_value("")
    pupil.get_by_label(label("Login code")).fill(login_code.lower())
    pupil.locator("main").get_by_role("button", name=sv("Sign in")).click()
    pupil.wait_for_url(re.compile(rf"/events/{slug}/teams"))
    expect(pupil.locator("header")).to_contain_text("Kubkungen")
    shot(pupil, "pupil-signed-in")
