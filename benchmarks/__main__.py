"""Run every benchmark and print a small report (`make bench`)."""

from benchmarks import check_overhead, connection_checks, intake, queries, throughput

if __name__ == "__main__":
    print("# Connector Desk benchmarks\n")
    queries.main()
    check_overhead.main()
    connection_checks.main()
    throughput.main()
    intake.main()
