"""Translates seeded random mutations of a serialized kernel and checks that each ends well.

usage: mutate_ir.py TILECC IR.json WORKDIR COUNT SEED

Every mutant either translates (exit 0) or fails with exit 1, a message on stderr and no
output file; a signal, another exit status, a hang or a leftover temporary file is reported
with the mutation that caused it, and the script exits 1.
"""
import copy
import json
import os
import random
import subprocess
import sys

REPLACEMENTS = [None, 0, -1, 1, 5, 300, 2.5, True, "x", "", [], {}, 2**40, -(2**63), 2**64 - 1, "@@1e400@@"]


def nodes(j, path=()):
    yield path, j
    if isinstance(j, dict):
        for k, v in j.items():
            yield from nodes(v, path + (k,))
    elif isinstance(j, list):
        for i, v in enumerate(j):
            yield from nodes(v, path + (i,))


def at(j, path):
    for p in path:
        j = j[p]
    return j


def mutate(ir, rng):
    j = copy.deepcopy(ir)
    paths = [p for p, _ in nodes(j) if p]
    path = rng.choice(paths)
    parent, key = at(j, path[:-1]), path[-1]
    op = rng.randrange(4)
    if op == 0:
        del parent[key]
        what = "delete"
    elif op == 1:
        value = rng.choice(REPLACEMENTS)
        parent[key] = value
        what = "set %r" % (value,)
    elif op == 2 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
        what = "duplicate"
    else:
        # graft another subtree of the kernel here
        _, other = rng.choice(list(nodes(ir)))
        parent[key] = copy.deepcopy(other)
        what = "graft"
    return j, "%s at %s" % (what, "/".join(map(str, path)))


def main():
    tilecc, ir_path, work, count, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    ir = json.load(open(ir_path))
    rng = random.Random(seed)
    os.makedirs(work, exist_ok=True)
    bad = 0
    outcomes = {0: 0, 1: 0}
    for i in range(count):
        mutant, what = mutate(ir, rng)
        text = json.dumps(mutant).replace('"@@1e400@@"', "1e400")
        src = os.path.join(work, "mutant.json")
        out = os.path.join(work, "mutant.cu")
        with open(src, "w") as f:
            f.write(text)
        if os.path.exists(out):
            os.remove(out)
        try:
            r = subprocess.run([tilecc, "translate", src, "-o", out], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            print("mutant %d (%s): hangs" % (i, what))
            bad += 1
            continue
        leftovers = [f for f in os.listdir(work) if f not in ("mutant.json", "mutant.cu")]
        problem = None
        if r.returncode not in (0, 1):
            problem = "exit status %d" % r.returncode
        elif r.returncode == 1 and not r.stderr.strip():
            problem = "exit 1 without a message"
        elif r.returncode == 1 and os.path.exists(out):
            problem = "exit 1 but an output file"
        elif leftovers:
            problem = "left %s behind" % leftovers
        if problem:
            bad += 1
            print("mutant %d (%s): %s\n  %s" % (i, what, problem, r.stderr.strip()[-300:]))
            os.makedirs(work + ".failed", exist_ok=True)
            with open(os.path.join(work + ".failed", "%d.json" % i), "w") as f:
                f.write(text)
        else:
            outcomes[r.returncode] += 1
    print("%d mutants: %d translated, %d refused with a message, %d bad" % (count, outcomes[0], outcomes[1], bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
