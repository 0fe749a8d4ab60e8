"""Sign in and out, register, confirm an email address, reset or change a password, the account
page, switch language, read the outbox."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from samskapa.auth import service, sessions
from samskapa.auth.guards import require_admin, require_user, sign_in, sign_out
from samskapa.errors import DomainError, ValidationError
from samskapa.flash import flash
from samskapa.forms import Form
from samskapa.http import form_page, redirect, safe_next
from samskapa.i18n import LANGUAGES, N_, gettext
from samskapa.mail import OutboxMessage, purge_outbox
from samskapa.security import client_address
from samskapa.templating import render


PASSWORD_CHANGED = N_("Your password is changed. Every other device has been signed out.")


async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return form_page(request, "auth/login.html", Form({}), next=next_url)
    form = await Form.from_request(request)
    email = form.email("email")
    password = form.text("password", max_length=500)
    if not form.errors:
        try:
            user = await service.authenticate(request.app.state.limiter, email, password,
                                              client_address(request))
        except DomainError as exc:
            form.error("password", exc.message, **exc.params)
        else:
            await sign_in(request, user)
            return redirect(request, safe_next(form.raw("next"), next_url))
    return form_page(request, "auth/login.html", form, 422, next=safe_next(form.raw("next")))


async def logout(request: Request) -> Response:
    await sign_out(request)
    return redirect(request, "/")


async def register(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return form_page(request, "auth/register.html", Form({}), next=next_url)
    form = await Form.from_request(request)
    name = form.text("display_name", max_length=100)
    email = form.email("email")
    password = form.text("password", max_length=500)
    if not form.errors:
        try:
            user = await service.register(request.app.state.settings,
                                          request.app.state.limiter, email, password, name,
                                          client_address(request))
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:  # too many new accounts from this address
            form.error(exc.field or "email", exc.message, **exc.params)
        else:
            await sign_in(request, user)
            flash(request, gettext("Welcome! We have mailed a link to %(email)s: open it to "
                                   "confirm that the address is yours.", email=email))
            return redirect(request, safe_next(form.raw("next"), next_url))
    return form_page(request, "auth/register.html", form, 422, next=safe_next(form.raw("next")))


async def forgot_password(request: Request) -> Response:
    if request.method == "GET":
        return form_page(request, "auth/forgot.html", Form({}))
    form = await Form.from_request(request)
    email = form.email("email")
    if form.errors:
        return form_page(request, "auth/forgot.html", form, 422)
    try:
        await service.request_password_reset(
            request.app.state.settings, request.app.state.limiter, email, client_address(request),
            gettext("Reset your Samskapa password"),
            gettext("Someone asked to reset the password of your Samskapa account. To choose a "
                    "new password, open this link within two hours:\n\n%(link)s\n\n"
                    "If it was not you, ignore this message."))
    except DomainError as exc:  # too many reset mails asked for
        form.error(exc.field or "email", exc.message, **exc.params)
        return form_page(request, "auth/forgot.html", form, 422)
    return form_page(request, "auth/forgot.html", Form({}), sent=True)


async def reset_password(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        await service.valid_reset_token(token)
    except DomainError as exc:
        return render(request, "auth/reset.html", {"invalid": exc.text()}, status_code=404)
    if request.method == "GET":
        return form_page(request, "auth/reset.html", Form({}))
    form = await Form.from_request(request)
    password = form.text("password", max_length=500)
    if form.raw("password_again") != password:
        form.error("password_again", "The passwords do not match.")
    if not form.errors:
        try:
            user = await service.reset_password(token, password)
        except ValidationError as exc:
            form.add(exc)
        else:
            await sign_in(request, user)
            flash(request, gettext(PASSWORD_CHANGED))
            return redirect(request, "/")
    return form_page(request, "auth/reset.html", form, 422)


async def verify_email(request: Request) -> Response:
    # A GET on purpose: opening the mailed link is the proof, whoever is signed in here.
    try:
        await service.verify_email(request.path_params["token"])
    except DomainError as exc:
        return render(request, "auth/verified.html", {"invalid": exc.text()}, status_code=404)
    return render(request, "auth/verified.html", {})


async def account_page(request: Request, user, status_code: int = 200, block: str | None = None,
                       **context) -> Response:
    context = {"form": Form({}), "errors": {}, "account": user,
               "sessions": await sessions.of_user(user.id), **context}
    return render(request, "auth/account.html", context, block=block, status_code=status_code)


async def account(request: Request) -> Response:
    user = await require_user(request)
    return await account_page(request, user)


async def change_password(request: Request) -> Response:
    user = await require_user(request)
    form = await Form.from_request(request)
    current = form.text("current_password", max_length=500)
    new = form.text("new_password", max_length=500)
    if not form.errors:
        try:
            await service.change_password(request.app.state.limiter, user, current, new,
                                          form.raw("new_password_again"), client_address(request))
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:  # too many wrong current passwords: wait
            form.error(exc.field or "current_password", exc.message, **exc.params)
        else:
            await sign_in(request, user)  # every other session has ended; this one is new
            flash(request, gettext(PASSWORD_CHANGED))
            return redirect(request, "/account")
    return await account_page(request, user, 422, "password", form=form, errors=form.messages())


async def sign_out_everywhere(request: Request) -> Response:
    user = await require_user(request)
    await service.end_every_way_in(user.id)
    await sign_out(request)
    flash(request, gettext("You are signed out on every device, this one included."))
    return redirect(request, "/")


async def resend_verification(request: Request) -> Response:
    user = await require_user(request)
    try:
        await service.send_verification(request.app.state.settings, user)
    except DomainError as exc:
        return await account_page(request, user, 429, "verification",
                                  verification_problem=exc.text())
    return await account_page(request, user, block="verification", verification_sent=True)


async def switch_language(request: Request) -> Response:
    language = request.query_params.get("to", "")
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    if language in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True)
    return response


async def outbox(request: Request) -> Response:
    await require_admin(request)
    await purge_outbox(request.app.state.settings)
    messages = await OutboxMessage.all().limit(200)
    return render(request, "auth/outbox.html", {"messages": messages,
                                                "days": request.app.state.settings.outbox_days})


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/password/forgot", forgot_password, methods=["GET", "POST"], name="forgot_password"),
    Route("/password/reset/{token}", reset_password, methods=["GET", "POST"],
          name="reset_password"),
    Route("/email/verify/{token}", verify_email, name="verify_email"),
    Route("/account", account, name="account"),
    Route("/account/password", change_password, methods=["POST"], name="change_password"),
    Route("/account/sign-out-everywhere", sign_out_everywhere, methods=["POST"],
          name="sign_out_everywhere"),
    Route("/account/verify", resend_verification, methods=["POST"], name="resend_verification"),
    Route("/lang", switch_language, name="switch_language"),
    Route("/admin/outbox", outbox, name="outbox"),
]
