"""Benchmarks (make bench). Placeholder until the benchmark issue: it measures nothing yet and says so."""

import sys


def main() -> int:
    print(
        "Belum ada benchmark: target kinerja diukur mulai isu benchmark (lihat DESIGN.md, Quality targets)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
