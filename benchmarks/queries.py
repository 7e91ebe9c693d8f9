"""Query counts of the busiest pages, at two sizes: a growing count means an N+1."""

from __future__ import annotations

from benchmarks.harness import bench_app, count_queries
from tests.factories import make_connector, make_user

PAGES = ("/", "/connectors/", "/connectors/?q=conn")


def measure(count: int) -> dict[str, int]:
    with bench_app(PER_PAGE=count) as app:
        for index in range(count):
            # Different editors, so an N+1 on "updated by" would show.
            actor = make_user(f"editor{index}@example.com")
            make_connector("gitlab" if index % 2 else "jira", name=f"conn {index}", actor=actor)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = actor.get_id()
            session["_fresh"] = True
        counts = {}
        for page in PAGES:
            with count_queries() as statements:
                response = client.get(page)
                assert response.status_code == 200, (page, response.status_code)
            counts[page] = len(statements)
        return counts


def main() -> None:
    small, large = measure(5), measure(50)
    print("## SQL queries per page (5 vs 50 connectors on the page)\n")
    print("| page | 5 | 50 | ratio |")
    print("| --- | --- | --- | --- |")
    for page in PAGES:
        print(f"| {page} | {small[page]} | {large[page]} | {large[page] / small[page]:.2f} |")
    print()
