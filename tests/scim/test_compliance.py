"""scim2-tester, the python-scim project's RFC 7644 client-side checker, finds no failure."""

from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server


def test_scim2_tester_finds_no_failure(app, scim_headers):
    client = WSGISCIMClient(app, base_url="http://localhost/scim/v2", headers=scim_headers)
    results = check_server(client)
    print(f"\nscim2-tester: {len(results)} checks")
    failures = [result for result in results if result.status != Status.SUCCESS]
    for result in results:
        mark = "ok  " if result.status == Status.SUCCESS else result.status.name
        print(f"  {mark} {result.title} {result.resource_type or ''}")
    for result in failures:
        print(
            f"FAILED {result.title} ({result.resource_type}): {result.reason}\n"
            f"       {result.description}\n       data: {result.data!r:.2000}"
        )
    assert len(results) >= 40
    assert not failures, "\n".join(f"{r.title}: {r.reason}" for r in failures)
