"""Run every benchmark and print a small report (`make bench`)."""

from benchmarks import connection_checks, queries, throughput

if __name__ == "__main__":
    print("# Connector Desk benchmarks\n")
    queries.main()
    connection_checks.main()
    throughput.main()
