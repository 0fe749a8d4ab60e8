"""The site admin's account page: find an account, let it create events (or stop it)."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from samskapa.auth import admin
from samskapa.auth.guards import require_admin
from samskapa.forms import Form
from samskapa.http import redirect
from samskapa.templating import render


async def users(request: Request) -> Response:
    await require_admin(request)
    query = request.query_params.get("q", "").strip()[:254]
    return render(request, "auth/users.html", {
        "query": query, "found": await admin.find_accounts(query),
        "creators": await admin.event_creators()})


async def may_create_events(request: Request) -> Response:
    await require_admin(request)
    form = await Form.from_request(request)
    user = await admin.set_may_create_events(request.path_params["user_id"],
                                             form.raw("allowed") == "1")
    query = form.raw("q")[:254]
    return redirect(request, f"/admin/users?q={quote(query)}#user-{user.id}" if query
                    else f"/admin/users#user-{user.id}")


routes = [
    Route("/admin/users", users, name="admin_users"),
    Route("/admin/users/{user_id:id}/may-create-events", may_create_events, methods=["POST"],
          name="admin_may_create_events"),
]
