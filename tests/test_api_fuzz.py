"""The API against its own OpenAPI schema (schemathesis, on hypothesis): for generated requests,
valid and invalid, no answer is a server error, every status is one the schema declares, every
body matches its declared schema and content type, and a request the schema forbids is refused.

Left out: `positive_data_acceptance` (a schema-valid request must be accepted): the schema cannot
say "a country of the registry" or "a city of the registry", so `country=000` is schema-valid
and rightly a 400 naming the parameter."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from recommender.api import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_endpoint_keeps_to_its_schema(case):
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if response.status_code >= 400:                # our error body, naming what was wrong
        assert response.json()["error"]["message"], response.text
