"""Property test: over a seeded sample of mutated inputs (kernel sources, serialized IR and
configs of the examples), every translation that exits 0 is CUDA that nvcc compiles (kernels
and host launchers), and every one that does not exits 1 with a located error first (a
file:line:col, the input file, or the kernel and config field) and no output file.

usage: mutants.py TILECC NVCC REPO WORK SEED COUNT COMPILES

COUNT mutants, a third of each kind; of those that translate, COMPILES distinct outputs are
compiled (nvcc is the slow part). A violation is printed with the mutation that caused it and
the input is kept in WORK/failed/; the script then exits 1.
"""
import concurrent.futures
import glob
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "hardening"))
import mutate_ir  # noqa: E402  (the IR mutations of the hardening test)

LOCATED = [
    re.compile(r"^\S+:\d+:\d+: (fatal )?error: "),             # a source position
    re.compile(r"^\S+: error: "),                               # the input file (IR, file name)
    re.compile(r"^tilecc translate: kernel '[^']+': config"),  # the kernel and the config field
    # The kernel and the arch limit its config exceeds, with the part of the kernel that needs it.
    re.compile(r"^tilecc translate: kernel '[^']+': (shared memory|registers): "),
]
NUMBERS = ["0", "1", "2", "3", "7", "64", "65536", "-1", "0.5", "1e400"]
OPS = ["tl::exp", "tl::log", "tl::sqrt", "tl::rsqrt", "tl::sigmoid", "tl::abs", "tl::sum", "tl::max",
       "tl::mean", "tl::min", "tl::maximum", "tl::cast<float>", "tl::cast<tl::bf16>"]
TYPES = ["float", "tl::bf16", "tl::f16", "int", "double"]
KNOBS = {
    "num_warps": [1, 2, 4, 8, 16, 32, 3, 64],
    "full_extent": [64, 1024, 4096, 65536, 100],
    "min_blocks_per_sm": [0, 1, 2, 4, 8],
    "pid": ["flat", "xyz", "persistent_blocked", "persistent_interleaved"],
    "programs_per_sm": [1, 2, 4],
    "prefetch": [True, False],
    "threads_per_row": [0, 1, 4, 32, 256, 3],
    "l2_grouping": [1, 2, 4, 8, 64],
    "dot_instruction": ["auto", "mma_sync", "wgmma"],
    "block_sizes": [[16], [1024], [4, 64], [64, 64, 32], [128, 256, 64], [1, 1, 1]],
    "loop_orders": [[[0, 1]], [[1, 0]], [[1, 0], [0, 1]]],
    "flatten_loops": [[True], [False, True]],
    "reduction_loops": [[0], [64], [128, 0]],
    "range_unroll_factors": [[0], [1], [4, 2]],
    "range_num_stages": [[0], [2], [4], [3, 1]],
    "load_vectors": [[True], [False, True]],
    "store_vectors": [[True, False]],
    "load_hints": [["cg"], ["evict_first", "evict_last"]],
    "store_hints": [["cs"], ["evict_first"]],
    "load_tma": [[True], [True, True]],
    "store_tma": [[True]],
}


def mutate_source(text, rng):
    start = text.find("TILECC_KERNEL")
    head, body = text[:start], text[start:]
    kind = rng.randrange(6)
    if kind == 0:
        spots = [m for m in re.finditer(r"(?<![\w.])\d+(?![\w.])", body)]
        new = rng.choice(NUMBERS)
    elif kind == 1:
        spots = [m for m in re.finditer(r"tl::(exp|log|sqrt|rsqrt|sigmoid|sum|max|mean|min|maximum)\b", body)]
        new = rng.choice(OPS)
    elif kind == 2:
        spots = [m for m in re.finditer(r"\b(float|tl::bf16|tl::f16)\b", body)]
        new = rng.choice(TYPES)
    elif kind == 3:
        spots = [m for m in re.finditer(r"\btl::all\b|\bt[mnk]\b", body)]
        new = rng.choice(["tl::all", "tm", "tn", "tk", "0"])
    else:  # a line deleted (4) or repeated (5)
        lines = body.split("\n")
        i = rng.randrange(1, max(2, len(lines) - 1))
        if kind == 4:
            what = "line %d deleted" % (head.count("\n") + i + 1)
            del lines[i]
        else:
            what = "line %d repeated" % (head.count("\n") + i + 1)
            lines.insert(i, lines[i])
        return head + "\n".join(lines), what
    if not spots:
        return None, None
    m = rng.choice(spots)
    line = head.count("\n") + body[: m.start()].count("\n") + 1
    return head + body[: m.start()] + new + body[m.end():], "line %d: %r -> %r" % (line, m.group(0), new)


# A compiler warning at a source position may come before the error it explains (clang's
# "magnitude of floating-point constant too large" before the conversion error).
LOCATED_WARNING = re.compile(r"^\S+:\d+:\d+: warning: ")


def located(stderr):
    # Clang's include stack ("In file included from f:1:") comes before an error in a header.
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("In file included from ")]
    if not lines:
        return "no message"
    if not any(p.match(lines[0]) for p in LOCATED) and not LOCATED_WARNING.match(lines[0]):
        return "first line not located: %r" % lines[0][:200]
    if not any(p.match(l) for l in lines for p in LOCATED):
        return "no located error: %r" % lines[0][:200]
    # After a located error, Clang may print an error of its recovery without a position
    # ("templates can only be declared in namespace or class scope"): the first error, which
    # names the cause, is located; no error before it may be unlocated.
    for l in lines:
        if any(p.match(l) for p in LOCATED):
            break
        if re.search(r"\berror: ", l):
            return "an error not located: %r" % l[:200]
    if "internal error" in stderr:
        return "an internal error"
    return None


def main():
    tilecc, nvcc, repo, work, seed, count, compiles = sys.argv[1:8]
    seed, count, compiles = int(seed), int(count), int(compiles)
    rng = random.Random(seed)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "failed"))
    # Six examples per seed: emitting IR and sampling configs of all of them is most of the time.
    examples = rng.sample(sorted(glob.glob(os.path.join(repo, "examples", "*.tile.cpp"))), 6)

    # The examples' IR and sampled configs, the bases of the IR and config mutants.
    irs, configs = {}, []
    for ex in examples:
        name = os.path.basename(ex)[: -len(".tile.cpp")]
        out = os.path.join(work, name + ".json")
        subprocess.run([tilecc, "translate", ex, "--emit-ir", "-o", out], check=True)
        irs[name] = json.load(open(out))
        sample = subprocess.run([tilecc, "config-space", ex, "--sample", "2", "--seed", str(seed)],
                                check=True, capture_output=True, text=True).stdout
        for line in sample.splitlines():
            kernel, config = line.split("\t")
            configs.append((ex, kernel, json.loads(config)))

    jobs = []  # (id, what, input file, translate arguments, arch)
    for i in range(count):
        d = os.path.join(work, "m%d" % i)
        os.makedirs(d)
        kind = i % 3
        arch = rng.choice(["sm_80", "sm_90a"])
        if kind == 0:
            ex = rng.choice(examples)
            text, what = None, None
            while text is None:
                text, what = mutate_source(open(ex).read(), rng)
            src = os.path.join(d, os.path.basename(ex))
            open(src, "w").write(text)
            jobs.append((i, "%s: %s" % (os.path.basename(ex), what), src, [src], arch))
        elif kind == 1:
            name = rng.choice(sorted(irs))
            mutant, what = mutate_ir.mutate(irs[name], rng)
            src = os.path.join(d, name + ".json")
            open(src, "w").write(json.dumps(mutant).replace('"@@1e400@@"', "1e400"))
            jobs.append((i, "%s.json: %s" % (name, what), src, [src], arch))
        else:
            ex, kernel, config = rng.choice(configs)
            config = dict(config)
            key = rng.choice(sorted(KNOBS))
            config[key] = rng.choice(KNOBS[key])
            text = json.dumps(config)
            jobs.append((i, "%s -k %s --config '%s'" % (os.path.basename(ex), kernel, text), ex,
                         [ex, "-k", kernel, "--config", text], arch))

    def translate(job):
        i, what, src, args, arch = job
        out = os.path.join(work, "m%d" % i, "out.cu")
        try:
            r = subprocess.run([tilecc, "translate", *args, "--arch", arch, "-o", out], capture_output=True,
                               text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return job, "hangs", None
        if r.returncode == 0:
            return job, None if os.path.exists(out) else "exit 0 without output", out
        if r.returncode != 1:
            return job, "exit status %d: %s" % (r.returncode, r.stderr.strip()[-300:]), None
        if os.path.exists(out):
            return job, "exit 1 but an output file", None
        why = located(r.stderr)
        return job, why and "%s\n  %s" % (why, r.stderr.strip()[:600]), None

    def compile_cuda(item):
        (i, what, src, args, arch), out = item
        r = subprocess.run([nvcc, "-std=c++20", "-arch=" + arch, "-I" + os.path.join(repo, "include"),
                            "-I" + os.path.join(repo, "templates"), "-c", out, "-o", out + ".o"],
                           capture_output=True, text=True)
        return item, None if r.returncode == 0 else "nvcc fails:\n  " + r.stderr.strip()[:1500]

    bad = refused = 0
    translated = []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for job, problem, out in pool.map(translate, jobs):
            if problem:
                bad += 1
                print("mutant %d (%s): %s" % (job[0], job[1], problem))
                shutil.copytree(os.path.join(work, "m%d" % job[0]), os.path.join(work, "failed", "m%d" % job[0]),
                                dirs_exist_ok=True)
            elif out:
                translated.append((job, out))
            else:
                refused += 1
        # Distinct outputs only: many mutations leave the CUDA as it was.
        seen, distinct = set(), []
        for job, out in translated:
            h = hashlib.sha256(open(out, "rb").read().split(b"\n", 1)[1]).hexdigest()
            if h not in seen:
                seen.add(h)
                distinct.append((job, out))
        rng.shuffle(distinct)
        chosen = distinct[:compiles]
        for (job, out), problem in pool.map(compile_cuda, chosen):
            if problem:
                bad += 1
                print("mutant %d (%s): translated, but %s" % (job[0], job[1], problem))
                shutil.copytree(os.path.join(work, "m%d" % job[0]), os.path.join(work, "failed", "m%d" % job[0]),
                                dirs_exist_ok=True)
    print("%d mutants: %d translated (%d distinct, %d compiled with nvcc), %d refused with a located error, "
          "%d bad" % (count, len(translated), len(distinct), len(chosen), refused, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
