"""Builds ftpspec._core with the project's CMake (pybind11's cmake_example pattern).

pyproject.toml holds the metadata; this file only teaches build_ext to run CMake for the one
target `_core` and to put the extension into the package being built.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

SOURCE_DIR = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    """An extension whose sources CMake knows; setuptools gets none."""

    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        cmake = shutil.which("cmake")
        if cmake is None:
            raise RuntimeError("building ftpspec needs cmake (Debian: apt-get install cmake)")
        # CMake writes the module into <build>/python/ftpspec (bindings/CMakeLists.txt).
        # FTPSPEC_CMAKE_BUILD_DIR names an already configured tree (scripts/test.sh passes its own):
        # then only `_core` is brought up to date there instead of compiling the engine again.
        reuse = os.environ.get("FTPSPEC_CMAKE_BUILD_DIR")
        if reuse and (Path(reuse) / "CMakeCache.txt").exists():
            self._copy_module(ext, self._build_core(cmake, Path(reuse).resolve()))
            return
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        config = "Debug" if self.debug else "Release"
        configure = [
            cmake, "-S", str(SOURCE_DIR), "-B", str(build_dir),
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DCMAKE_BUILD_TYPE={config}",
            "-DFTPSPEC_BUILD_TESTS=OFF",
            "-DFTPSPEC_BUILD_PYTHON=ON",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        self._copy_module(ext, self._build_core(cmake, build_dir))

    @staticmethod
    def _build_core(cmake: str, build_dir: Path) -> Path:
        """Builds the `_core` target in a configured tree and returns the module's path."""
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run([cmake, "--build", str(build_dir), "--target", "_core", "-j", jobs], check=True)
        built = next((build_dir / "python" / "ftpspec").glob("_core*.so"), None)
        if built is None:
            raise RuntimeError(f"CMake built no _core module under {build_dir}/python/ftpspec")
        return built

    def _copy_module(self, ext: Extension, built: Path) -> None:
        destination = Path(self.get_ext_fullpath(ext.name)).resolve()
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, destination)
        # A reused RelWithDebInfo tree carries ~80 MB of debug info; the package needs none.
        strip = shutil.which("strip")
        if strip:
            subprocess.run([strip, "--strip-debug", str(destination)], check=True)


class CleanBuildPy(build_py):
    """pip builds in the source tree and setuptools never empties build/lib.*: a scenario file
    deleted from scenarios/ would stay in every later wheel. Each build starts from nothing."""

    def run(self) -> None:
        shutil.rmtree(Path(self.build_lib) / "ftpspec", ignore_errors=True)
        super().run()


setup(ext_modules=[CMakeExtension("ftpspec._core")], cmdclass={"build_ext": CMakeBuild, "build_py": CleanBuildPy})
