"""``demo-code``: example usage and ``__main__`` demos go, interfaces and state changes stay."""

from __future__ import annotations

import textwrap

import pytest
from rule_harness import (
    assert_fixes,
    assert_module_keeps_behaviour,
    assert_noop,
    assert_stable_on_generated_programs,
)
from sample_programs import STATEFUL, module_cases

RULE = "demo-code"


def d(text: str) -> str:
    return textwrap.dedent(text)


DEMO_FIXES = [
    pytest.param(
        """
        import math

        def hypot(a, b):
            return math.sqrt(a * a + b * b)

        # Example usage
        x, y = 3, 4
        print(hypot(x, y))
        print(f"{math.pi:.2f}")
        """,
        """
        import math

        def hypot(a, b):
            return math.sqrt(a * a + b * b)
        """,
        id="example-usage-tail",
    ),
    pytest.param(
        """
        class Stack:
            def __init__(self):
                self.items = []

            def push(self, item):
                self.items.append(item)

        s = Stack()
        s.push(1)
        for i in range(3):
            s.push(i)
        print(len(s.items), [str(v).strip() for v in s.items])
        """,
        """
        class Stack:
            def __init__(self):
                self.items = []

            def push(self, item):
                self.items.append(item)
        """,
        id="instance-made-by-the-example",
    ),
    pytest.param(
        """
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        if __name__ == "__main__":
            print(fib(10))
            print(fib(20))
        """,
        """
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        """,
        id="main-guard",
    ),
    pytest.param(
        """
        def f():
            return LIMIT

        LIMIT = 10
        print(f())
        """,
        """
        def f():
            return LIMIT

        LIMIT = 10
        """,
        id="keeps-name-a-definition-uses",
    ),
    pytest.param(
        """
        registry = {}

        def register(name):
            registry[name] = True

        def known(name):
            return name in registry

        register("a")
        print(known("a"))
        """,
        """
        registry = {}

        def register(name):
            registry[name] = True

        def known(name):
            return name in registry

        register("a")
        """,
        id="keeps-call-that-changes-module-state",
    ),
    pytest.param(
        "def f(x):\n    return x\n\nimport json\nprint(json.dumps(f(1)))\n",
        "def f(x):\n    return x\n\nimport json\n",
        id="keeps-imports",
    ),
]

DEMO_NOOP = [
    pytest.param(
        "def fib(n):\n    return n\n\nif __name__ == '__main__':\n    n = int(input())\n    print(fib(n))\n",
        id="input-main-is-the-interface",
    ),
    pytest.param(
        "import argparse\n\ndef run(p):\n    return p\n\nif __name__ == '__main__':\n"
        "    parser = argparse.ArgumentParser()\n    parser.add_argument('p')\n"
        "    print(run(parser.parse_args().p))\n",
        id="argparse-main-is-the-interface",
    ),
    pytest.param(
        "import sys\n\ndef run(p):\n    return p\n\nif __name__ == '__main__':\n"
        "    print(run(sys.argv[1]))\n",
        id="argv-main-is-the-interface",
    ),
    pytest.param("print(1 + 1)\nx = 2\n", id="defines-nothing"),
    pytest.param(
        "def main():\n    print(1)\n\nif __name__ == '__main__':\n    main()\n", id="entry"
    ),
    pytest.param(
        "import sys\n\ndef main(argv):\n    return len(argv)\n\nsys.exit(main(sys.argv))\n",
        id="calls-outside-world",
    ),
    pytest.param(
        "def area(r):\n    return r * r\n\nr = float(input())\nprint(area(r))\n",
        id="script-reading-input",
    ),
    pytest.param(
        "class Dog:\n    count = []\n\n    def __init__(self):\n        Dog.count.append(self)\n\nDog()\n",
        id="class-state",
    ),
    pytest.param("print('start')\n\ndef f():\n    return 1\n", id="example-before-definitions"),
    pytest.param("def f():\n    return 1\n\nprint(f())\nprint(eval('f()'))\n", id="dynamic"),
]


@pytest.mark.parametrize(("before", "after"), DEMO_FIXES)
def test_demo_code_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, d(before), d(after), level="aggressive")


@pytest.mark.parametrize("code", DEMO_NOOP)
def test_demo_code_noop(code: str) -> None:
    assert_noop(RULE, code, level="aggressive")


@pytest.mark.parametrize(("code", "strategies"), module_cases())
def test_demo_code_keeps_behaviour(code: str, strategies: dict) -> None:  # type: ignore[type-arg]
    # Example prints go by design: only the definitions are compared (after the original ran).
    assert_module_keeps_behaviour(RULE, code, strategies, same_output=False, level="aggressive")


def test_demo_code_would_be_caught_dropping_a_state_change() -> None:
    """The comparison above can fail: dropping `remember("a", 1)` changes `lookup`."""
    from rule_harness import call_outcome, load_module

    code = textwrap.dedent(STATEFUL)
    broken = code.replace('remember("a", 1)\n', "")
    old_ns, _ = load_module(code)
    new_ns, _ = load_module(broken)
    assert call_outcome(old_ns["lookup"], ("a",)) != call_outcome(new_ns["lookup"], ("a",))


def test_demo_code_on_generated_programs() -> None:
    """hypothesmith programs: never raises, output parses, a second run changes nothing."""
    assert_stable_on_generated_programs(RULE, level="aggressive")
