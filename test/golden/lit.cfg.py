# lit configuration of the golden tier: `tilecc translate` output checked by FileCheck.
# CHECK lines live in *.test files, never in the translated inputs, so the
# pass-through of the input cannot let a CHECK line match itself.
import os

import lit.formats

config.name = "tilecc-golden"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(lit_config.params.get("build", "/tmp"), "tilecc-golden")
repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
config.substitutions.append(("%tilecc", lit_config.params["tilecc"]))
config.substitutions.append(("%examples", os.path.join(repo, "examples")))
config.substitutions.append(("%errors", os.path.join(repo, "test", "errors")))
config.substitutions.append(("%kernels", os.path.join(repo, "test", "kernels")))
config.substitutions.append(("%data", os.path.join(repo, "test", "data")))
config.substitutions.append(("FileCheck", lit_config.params["filecheck"]))
# LLVM's `not` (inverts an exit code) sits beside FileCheck.
config.substitutions.append(("not ", os.path.join(os.path.dirname(lit_config.params["filecheck"]), "not") + " "))
