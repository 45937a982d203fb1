#!/usr/bin/python3
"""python3-jmespath on the benchmark event: prints {"field": ns, "join": ns} (ns per evaluation).

Run with Debian's /usr/bin/python3 (python3-jmespath). Expressions are compiled once, as ours are.
"""
import json
import pathlib
import sys
import timeit

import jmespath

EXPRESSIONS = {
    "field": "data.customer_id",
    "join": "join('-', [metadata.source, data.customer_id])",
}
EXPECTED = {"field": "cus_9a8b7c6d5e4f3a2b", "join": "checkout-service-cus_9a8b7c6d5e4f3a2b"}


def main() -> None:
    path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).parent / "data" / "jmespath_event.json")
    doc = json.loads(path.read_text())
    out = {"version": jmespath.__version__}
    for name, expression in EXPRESSIONS.items():
        compiled = jmespath.compile(expression)
        assert compiled.search(doc) == EXPECTED[name], name
        timer = timeit.Timer(lambda: compiled.search(doc))
        number, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=number)) / number
        out[name] = best * 1e9
    print(json.dumps(out))


if __name__ == "__main__":
    main()
