# Builds and loads the PyTorch extensions `tilecc translate --emit=torch` wrote, so that their
# kernels are torch.ops.tilecc.<kernel>. Shared by check.py and bench/bench_torch.py.
import concurrent.futures
import multiprocessing
import os

import torch
import torch.utils.cpp_extension


def device_arch():
    """The translation this GPU runs: sm_90a on compute capability 9.0 (wgmma), else sm_80."""
    major, minor = torch.cuda.get_device_capability()
    return "sm_90a" if (major, minor) == (9, 0) else "sm_80"


def _load(name, source, arch, root, build_root, verbose):
    # cpp_extension adds no arch flags of its own when given one; sm_90a needs its own gencode.
    cc = arch[3:]
    build = os.path.join(build_root, f"{name}_{arch}")
    os.makedirs(build, exist_ok=True)
    torch.utils.cpp_extension.load(
        name=f"tilecc_{name}_{arch}",
        sources=[source],
        extra_include_paths=[os.path.join(root, "include"), os.path.join(root, "templates")],
        extra_cuda_cflags=[f"-gencode=arch=compute_{cc},code=sm_{cc}", "-O3"],
        build_directory=build,
        verbose=verbose,
    )


def load(ops_dir, names, root, build_root, verbose=False):
    """Builds <ops_dir>/<arch>/<name>.cu for each name (arch: device_arch()) with
    torch.utils.cpp_extension.load and loads it; returns the arch. root: the tilecc source tree
    (include/ and templates/)."""
    arch = device_arch()
    sources = {}
    for name in names:
        sources[name] = os.path.join(ops_dir, arch, name + ".cu")
        if not os.path.isfile(sources[name]):
            raise FileNotFoundError(f"{sources[name]} is missing: run scripts/gpu_prepare.sh where Clang is")
    # One nvcc per extension at a time: build them side by side in child processes (which only
    # compile and load, no CUDA calls), then load each here, where the builds are up to date.
    # A failed build is built again below, where its error is raised.
    if len(names) > 1:
        try:
            fork = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(len(names), mp_context=fork) as pool:
                for f in [pool.submit(_load, n, sources[n], arch, root, build_root, verbose) for n in names]:
                    f.result()
        except Exception as e:  # noqa: BLE001
            print(f"load_ops: parallel build failed ({type(e).__name__}: {e}); building one at a time")
    for name in names:
        _load(name, sources[name], arch, root, build_root, verbose)
    return arch
