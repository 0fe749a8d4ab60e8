"""Every page of judging, as the package declares them: the jury's and the organisers' side
(judging/routes.py), then the results' (judging/results_routes.py: ranking, awards, results,
people's choice, exports)."""
from judging.results_routes import routes as results_routes
from judging.routes import routes as jury_routes

routes = [*jury_routes, *results_routes]
