# lit configuration of the mmrec test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "MMREC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mmrec_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mmrec_src", config.mmrec_src_root))
config.substitutions.append(("%kernels", os.path.join(config.mmrec_src_root, "kernels")))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%mmrec_obj", config.mmrec_obj_root))
# A program that links an instrumented libmmrec.so is built with the same
# sanitizers (their runtime must come first).
sanitize = config.mmrec_sanitize.replace(";", ",")
config.substitutions.append(("%sanitizer_flags", "-fsanitize=" + sanitize if sanitize else ""))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# Kernels compiled by the tests are cached in the build tree, not in ~/.cache.
config.environment["MMREC_CACHE_DIR"] = os.path.join(config.mmrec_obj_root, "test", "cache")
llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from Debian's llvm-19-tools.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.mmrec_tools_dir, config.llvm_tools_dir]
tools = [ToolSubst("mmrec-opt", unresolved="fatal"), ToolSubst("mmrec-run", unresolved="fatal"),
         ToolSubst("mmrec-bench", unresolved="fatal"),
         ToolSubst("mmrec-translate", unresolved="fatal"),
         ToolSubst("mlir-translate", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The CUDA toolkit (ptxas, libdevice) for the tests that assemble PTX: the
# feature `ptxas` is missing without one, and those tests are UNSUPPORTED.
cuda_candidates = [os.environ.get(v) for v in ("CUDA_ROOT", "CUDA_HOME", "CUDA_PATH")]
cuda_candidates.append("/usr/local/cuda")
for cuda in filter(None, cuda_candidates):
    ptxas = os.path.join(cuda, "bin", "ptxas")
    libdevice = os.path.join(cuda, "nvvm", "libdevice", "libdevice.10.bc")
    if os.access(ptxas, os.X_OK) and os.path.isfile(libdevice):
        config.available_features.add("ptxas")
        config.substitutions.append(("%ptxas", ptxas))
        config.substitutions.append(("%cuda_path", cuda))
        break

# A CUDA driver on this machine (the GPU backend can run): `cuda-driver`.
try:
    import ctypes

    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
