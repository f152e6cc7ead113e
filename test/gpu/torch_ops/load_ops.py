# Builds and loads the PyTorch extensions `tilecc translate --emit=torch` wrote, so that their
# kernels are torch.ops.tilecc.<kernel>. Shared by check.py and bench/bench_torch.py.
import os

import torch
import torch.utils.cpp_extension


def device_arch():
    """The translation this GPU runs: sm_90a on compute capability 9.0 (wgmma), else sm_80."""
    major, minor = torch.cuda.get_device_capability()
    return "sm_90a" if (major, minor) == (9, 0) else "sm_80"


def load(ops_dir, names, root, build_root, verbose=False):
    """Builds <ops_dir>/<arch>/<name>.cu for each name (arch: device_arch()) with
    torch.utils.cpp_extension.load and loads it; returns the arch. root: the tilecc source tree
    (include/ and templates/)."""
    arch = device_arch()
    # cpp_extension adds no arch flags of its own when given one; sm_90a needs its own gencode.
    cc = arch[3:]
    gencode = f"-gencode=arch=compute_{cc},code=sm_{cc}"
    for name in names:
        source = os.path.join(ops_dir, arch, name + ".cu")
        if not os.path.isfile(source):
            raise FileNotFoundError(f"{source} is missing: run scripts/gpu_prepare.sh where Clang is")
        build = os.path.join(build_root, f"{name}_{arch}")
        os.makedirs(build, exist_ok=True)
        torch.utils.cpp_extension.load(
            name=f"tilecc_{name}_{arch}",
            sources=[source],
            extra_include_paths=[os.path.join(root, "include"), os.path.join(root, "templates")],
            extra_cuda_cflags=[gencode, "-O3"],
            build_directory=build,
            verbose=verbose,
        )
    return arch
