"""A small PEP 517 build backend for the aiguillage wheel, with only what Debian ships
(python3-build, python3-wheel, cmake): it builds the extension with CMake and packs the Python
package, the extension (which embeds the library), the .pyi stubs, py.typed and the data
(rule packs, schemas, the ROME subset, examples) under aiguillage/share/aiguillage, where the
library looks for its data.

    python3 -m build --no-isolation --wheel          # builds in build-wheel/
    AIG_BUILD_DIR=build python3 -m build --no-isolation --wheel   # reuses a configured build

The version is the one of project(aiguillage VERSION ...) in CMakeLists.txt.
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DATA = [("rules", "rules"), ("data/rome-subset", "data/rome-subset"), ("examples", "examples")]


def _version():
    text = (ROOT / "CMakeLists.txt").read_text()
    m = re.search(r"project\(aiguillage\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", text)
    if not m:
        raise RuntimeError("no project(aiguillage VERSION x.y.z) in CMakeLists.txt")
    return m.group(1)


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _metadata():
    p = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {_version()}",
             f"Summary: {p['description']}", f"Requires-Python: {p['requires-python']}",
             f"License: {p.get('license', {}).get('text', '')}"]
    for url_name, url in p.get("urls", {}).items():
        lines.append(f"Project-URL: {url_name}, {url}")
    for dep in p.get("dependencies", []):
        lines.append(f"Requires-Dist: {dep}")
    for extra, deps in p.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for dep in deps:
            lines.append(f'Requires-Dist: {dep}; extra == "{extra}"')
    readme = (ROOT / "README.md").read_text()
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{impl}-{platform}"


def _dist_info():
    return f"aiguillage-{_version()}.dist-info"


def _build_extension(config_settings):
    build = Path(os.environ.get("AIG_BUILD_DIR") or (config_settings or {}).get("build-dir")
                 or ROOT / "build-wheel")
    if not build.is_absolute():
        build = ROOT / build
    if not (build / "CMakeCache.txt").exists():
        args = ["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                f"-DPython3_EXECUTABLE={sys.executable}", "-DAIG_BUILD_TESTS=OFF",
                "-DAIG_BUILD_BENCHMARKS=OFF", "-DAIG_BUILD_EXAMPLES=OFF", "-DAIG_BUILD_PYTHON=ON"]
        if shutil.which("ccache"):
            args += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
        subprocess.run(args, check=True)
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    subprocess.run(["cmake", "--build", str(build), "--target", "aiguillage_python", "-j", jobs],
                   check=True)
    package = build / "python" / "aiguillage"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not (package / f"_aiguillage{suffix}").exists():
        raise RuntimeError(f"{package}/_aiguillage{suffix} not built: the build in {build} is for "
                           f"another Python (configure it with -DPython3_EXECUTABLE={sys.executable})")
    return package


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = Path(metadata_directory) / _dist_info()
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata())
    return info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    from wheel.wheelfile import WheelFile

    package = _build_extension(config_settings)
    name = f"aiguillage-{_version()}-{_tag()}.whl"
    path = Path(wheel_directory) / name
    info = _dist_info()
    with WheelFile(str(path), "w") as wheel:
        for f in sorted(package.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                wheel.write(str(f), "aiguillage/" + f.relative_to(package).as_posix())
        for source, target in DATA:
            for f in sorted((ROOT / source).rglob("*")):
                if f.is_file():
                    wheel.write(str(f), f"aiguillage/share/aiguillage/{target}/"
                                + f.relative_to(ROOT / source).as_posix())
        wheel.writestr(f"{info}/METADATA", _metadata())
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: aiguillage_wheel\n"
                       f"Root-Is-Purelib: false\nTag: {_tag()}\n")
    return name
