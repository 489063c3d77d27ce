"""Schemathesis against the OpenAPI schema: generated requests never cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from centrehold.engine import simulate
from centrehold.web.app import Limits, create_app
from centrehold.web.guard import LOOPBACK_NAMES

# tiny limits: generated run requests that pass validation start only small real runs;
# schemathesis sends the Host of Starlette's test client
APP = create_app(Limits(max_agents=3_000, max_ticks=20, max_concurrent=1, max_queued=1),
                 simulate=simulate, hosts=LOOPBACK_NAMES | {"testserver"})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])
