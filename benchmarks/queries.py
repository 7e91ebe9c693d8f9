"""Query counts of the busiest pages, at two sizes: a growing count means an N+1, or a
page that lists every connector."""

from __future__ import annotations

from benchmarks.harness import bench_app, count_queries
from benchmarks.seeding import seed_connectors
from tests.factories import ADMIN_EMAIL, make_user

PAGES = (
    "/",
    "/connectors/",
    "/connectors/?q=conn",
    "/tickets/",
    "/tickets/new",
    "/connectors/choices?connector_q=conn&usable=1",
)
SIZES = (10, 10_000)


def measure(count: int) -> dict[str, tuple[int, int]]:
    """(queries, response bytes) per page with ``count`` connectors."""
    with bench_app() as app:
        # Different editors, so an N+1 on "updated by" would show.
        seed_connectors(count)
        admin = make_user(ADMIN_EMAIL)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = admin.get_id()
            session["_fresh"] = True
        counts = {}
        for page in PAGES:
            with count_queries() as statements:
                response = client.get(page)
                assert response.status_code == 200, (page, response.status_code)
            counts[page] = (len(statements), len(response.data))
        return counts


def main() -> None:
    small, large = (measure(size) for size in SIZES)
    print(f"## SQL queries and response size per page ({SIZES[0]:,} vs {SIZES[1]:,} connectors)\n")
    small_size, large_size = (f"{size:,}" for size in SIZES)
    columns = f"queries at {small_size} | at {large_size} | bytes at {small_size} | at {large_size}"
    print(f"| page | {columns} |")
    print("| --- | --- | --- | --- | --- |")
    for page in PAGES:
        (q1, b1), (q2, b2) = small[page], large[page]
        print(f"| {page} | {q1} | {q2} | {b1:,} | {b2:,} |")
    print()


if __name__ == "__main__":
    main()
