"""Runs one function in a process set up on one benchmark database and prints its result.

    python -m bench.call <db> <module:function> '<json kwargs>'

Used through ``bench.common.call_in``: Django is configured once per process, so a scenario
that compares two databases runs its in-process measurements in one process per database.
"""

import importlib
import json
import sys

from bench.common import CALL_MARK, use_database


def main() -> None:
    db, target, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    use_database(db)
    module, function = target.split(":")
    result = getattr(importlib.import_module(module), function)(**kwargs)
    print(CALL_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
