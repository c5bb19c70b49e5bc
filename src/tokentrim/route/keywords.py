"""The built-in keyword families of :func:`tokentrim.route.classify`, by tier and group.

Phrases use the syntax of :mod:`tokentrim.route.matching`: plain words match by stem
("docstring" matches "docstrings", "sanitize" matches "sanitised"), ``word*`` is a prefix,
``a|b`` an alternative, ``...`` a gap of up to four words in one clause (the verb-object
patterns: ``write|add ... test`` matches "add a couple of pytest tests"). Each group is one
family of vocabulary; its name appears in the classifier's reasons. ``[tool.tokentrim.route]``
adds keywords per tier (or replaces these with ``builtin_keywords = false``).

The simple groups describe the *task* (document, test, convert, scaffold, a small function or
edit, an explanation); the moderate and complex groups describe the *work* (a refactor, a change
in an existing codebase, a debugging or performance job; security, concurrency, distribution,
algorithms and reasoning, low-level or numerical code, unfamiliar libraries).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["BUILTIN_KEYWORDS", "FAMILIAR_LIBRARIES"]

_MAKE = "write|add|generate|create|give|need|produce|draft|make"
_FORMATS = (
    "json|yaml|yml|toml|csv|tsv|xml|html|markdown|md|table|dict|dictionary|list|tuple|env|ini"
    "|string|loop|comprehension|python|javascript|js|typescript|ts|go|golang|rust|java|bash|shell"
    "|sql|camelcase|snake_case|kebab|lambda|enum|dataclass|pydantic|namedtuple"
)

# One family a few lines: the phrases are data, kept compact (ruff format would put one a line).
# fmt: off
BUILTIN_KEYWORDS: dict[Literal["simple", "moderate", "complex"], dict[str, tuple[str, ...]]] = {
    "simple": {
        "docstrings or docs": (
            "docstring", "doctest", "jsdoc", "javadoc", "rustdoc", "doc comment", "docs comment",
            "document this|these|the|each|every|it|them", "readme", "usage section",
            f"{_MAKE} ... comment", f"{_MAKE} ... documentation",
        ),
        "unit tests": (
            "unit test", "unittest", "test case", "testcase", "parametrized test",
            "parameterized test", "parametrised test", f"{_MAKE} ... test|tests|pytest|jest|spec",
            "tests for", "test for",
        ),
        "format conversion": (
            f"convert|turn|translate|transform|rewrite|change|reformat ... to|into|as ... {_FORMATS}",
            f"to|into|as {_FORMATS}", "markdown table", "pretty print*", "pretty-print*",
            "sort the keys", "sorted keys", "indentation", "equivalent",
        ),
        "boilerplate": (
            "boilerplate", "scaffold*", "skeleton", "template", "hello world", "dockerfile",
            "docker compose", "gitignore", "makefile", "github actions", "gitlab ci",
            "workflow that runs", "pyproject", "setup py", "package json", "tsconfig",
            "logging config", "create table", "dataclass", "pydantic model", "enum class",
            "argparse", "click cli", "__init__", "minimal", "basic", "starter",
        ),
        "small function": (
            "write|implement|create|give ... function|helper|snippet|oneliner|regex|query|lambda",
            "python|javascript|typescript|go|bash ... snippet|example",
            "short|tiny|quick|small example", "one-liner", "one liner", "regex", "regular expression",
        ),
        "small edit or question": (
            "rename", "typo", "type hint", "type annotation", "annotate", "what does",
            "what is the difference", "difference between", "explain what", "how do i",
            "meaning of", "what is",
        ),
    },
    "moderate": {
        "refactor": (
            "refactor*", "restructur*", "reorganiz*", "extract*", "decoupl*", "split this|it|its|the|up",
            "split ... into ... module*|package*|file*|function*|class*|service*",
            "dependency injection", "inject*", "depends", "pass|passed ... in", "instead of",
            "replace ... with", "into a|an|one ... class|package|module|decorator|function|pattern",
            "pattern", "registry", "testable", "interface", "protocol", "abstract*",
            "duplicat* ... code|logic", "code duplication",
            "clean up", "break ... up", "separation of concerns", "concern", "responsibilit*",
            "inheritance", "composition", "global", "mutable state", "layer", "state machine",
            "reusable", "shar* ... code|logic",
        ),
        "migration": (
            "migrat*", "port", "moving from", "move from", "switch from", "move ... to|into|out",
            "async", "await", "asyncio",
            "function component", "hook", "orm", "sqlalchemy", "pathlib", "callback*",
            "deprecat*", "convert|rewrite|port|switch ... to|into",
        ),
        "change in an existing codebase": (
            "our", "existing", "legacy", "everywhere", "across the|our|all|every", "codebase",
            "every|all ... call site*|caller*|view*|endpoint*|route*|handler*|module*|file*",
            "the rest of the", "update the|every|all ... caller*|call site*|import*|test*|usage*",
            "we have", "we are", "we're", "in production", "call site*", "our project",
        ),
        "feature in existing code": (
            "cach*", "ttl", "paginat*", "retr*", "backoff", "circuit breaker", "middleware",
            "celery", "background task|job", "soft delete", "websocket*", "undo", "redo",
            "progress bar", "resum*", "export", "feature flag", "dry run", "flag", "configurable",
            "settings", "environment variable*", "env var*", "structured ... logging", "i18n",
            "internationali*", "localiz*", "validation", "error handling", "exception*",
            "plugin*", "entry point*", "pass mypy", "mypy strict", "rate limit*", "token bucket",
            "audit trail", "audit log*",
            "add|implement|support|wire|integrate ... to|into|for ... app|service|endpoint|api"
            "|module|client|cli|model|class|script|view|project|pipeline|wrapper|runner|command",
        ),
        "version migration": (
            "python 2|3", "py2", "py3", "v1|v2|v3|v4", "upgrad*", "deprecat*", "major version",
            "to|from ... 1|2|3|4 0|x",
        ),
        "debugging": (
            "bug", "why", "fail*", "broken", "wrong", "off by", "does not work", "doesn't work",
            "not working", "flaky", "regression", "incorrect", "sometimes",
            "find ... bug|problem|issue", "fix ... bug|problem|issue",
        ),
        "performance": (
            "vectori*", "o(n", "slow*", "optimi*", "speed up", "faster", "numpy", "takes minutes",
            "profil*", "bottleneck*", "memory usage", "throughput",
        ),
        "test infrastructure": (
            "integration test*", "end to end", "e2e", "fixture*", "mock*", "fake", "testcontainer*",
            "vcr*", "isolated", "parallel", "test suite", "cover ... with tests",
        ),
    },
    "complex": {
        "security-sensitive": (
            "security", "secur*", "auth", "authenticat*", "authoriz*", "login", "logout",
            "jwt", "oauth*", "openid", "oidc", "saml", "single sign on", "sso", "pkce",
            "password*", "passphrase*", "credential*", "secret*", "api key*", "keychain", "vault",
            "encrypt*", "decrypt*", "cipher*", "crypto*", "aes", "rsa", "hmac", "kms", "kdf",
            "key exchange", "key derivation", "key rotation", "key management", "bcrypt",
            "argon2", "scrypt", "pbkdf2", "signature verif*", "signature valid*", "verify|validate|check ... signature*",
            "signed", "signing", "refresh token*",
            "access token*", "reset token*", "single use", "token replay", "replay attack*",
            "csrf", "xss",
            "sql|command|code|prompt|template|header|html|script|shell|ldap|nosql ... injection",
            "injection attack*", "path traversal", "zip bomb*", "sanitiz*", "a sandbox", "sandboxing*", "sandboxed*",
            "arbitrary file*", "arbitrary code", "remote code execution", "ssrf", "permission*",
            "rbac", "access control", "role based", "privilege*", "row level security",
            "tenant*", "timing attack*", "constant time", "session fixation", "session hijack*",
            "vulnerab*", "exploit*", "attack*", "harden*", "audit this|our|the ... for",
            "security audit", "tls", "mtls", "ssl", "certificate*", "two factor", "2fa", "mfa",
            "totp", "otp", "pci", "hipaa", "gdpr", "pii", "personal data", "complian*",
            "credit card*", "content security policy", "cors", "user submitted",
            "user supplied", "user provided", "user uploaded", "untrusted", "malicious",
            "webhook*", "enumerat* ... user*", "user enumeration", "brute force", "spoof*",
            "denial of service", "privacy",
        ),
        "concurrency": (
            "race", "data race", "deadlock*", "livelock*", "starvation", "concurren*",
            "lock free", "wait free", "atomic*", "memory order*", "memory barrier*",
            "compare and swap", "mutex*", "semaphore*", "locking", "a global lock",
            "fine grained lock*", "greenlet*", "gevent", "producer", "ring buffer",
            "happens before", "two|both|several|many|multiple ... threads|processes|workers ... same"
            "|update|simultaneous*", "at the same time", "simultaneous*",
        ),
        "distributed systems": (
            "distributed", "replicat*", "consensus", "raft", "paxos", "leader election",
            "network partition*", "partition toleran*", "split brain", "cluster*", "shard*",
            "reshard*", "data cent*", "multi region", "across regions", "exactly once",
            "at least once", "at most once", "idempoten*", "eventual consistency",
            "eventually consistent", "strong consistency", "consistency", "crdt",
            "conflict resolution", "conflicting", "vector clock*", "clock skew",
            "node failure*", "nodes crash", "transactional outbox", "saga", "two phase commit",
            "quorum", "gossip", "failover", "fault toleran*", "high availability", "kafka",
            "zookeeper", "etcd", "consul", "consumer group*", "load balanc*", "never lost",
        ),
        "algorithms or multi-step reasoning": (
            "step by step", "reason about|through", "think through", "figure out", "work out",
            "find out", "root cause", "investigat*", "diagnos*", "design how",
            "design ... system|scheme|schema|protocol|pipeline|model|architecture|service|limiter"
            "|scheduler|queue|storage|strategy|algorithm|api|guarantee*|format",
            "architecture", "architect", "trade off*", "plan the", "plan and", "migration plan",
            "prove", "proof", "correctness", "invariant*", "optimal*", "algorithm*",
            "heuristic*", "np hard", "np complete", "dynamic programming", "minimi*", "maximi*",
            "cardinality", "query planner", "query optimizer", "join order*", "reorder* ... join*",
            "compiler", "interpreter", "type checker", "type inference", "hindley milner",
            "parser and", "lexer", "recursive descent", "grammar", "incremental ... maintenance|computation", "numerically stable",
            "numerical stability", "error analysis", "fixed point", "derive", "derivation",
            "memory leak", "leak*", "p99", "latency", "flame graph*", "intermittent*",
            "nondetermini*", "non deterministic", "zero downtime", "without downtime",
            "backfill*", "rollback", "roll back", "dual write*", "microservice*", "monolith",
            "proration", "reconcil*", "three way merge", "operational transform*", "skew",
            "guarantee*",
        ),
        "low-level or numerical": (
            "segfault*", "segmentation fault", "core dump*", "undefined behavio*", "cython",
            "ffi", "c extension", "memory safety", "unsafe", "simd", "cuda", "gpu kernel*",
            "autograd", "backward pass", "gradient*", "jit", "llvm", "inline assembly",
            "custom ... kernel|operator|allocator", "lock free", "memory layout",
        ),
        "unfamiliar library": (
            "in house", "internal library|framework|tool|toolkit|engine|sdk|api|package|orm"
            "|workflow|system", "proprietary", "undocumented", "no docs", "no documentation",
            "no public docs", "without docs", "custom ... framework|rpc|orm|protocol|engine",
            "brand new", "just released", "experimental", "latest version", "new ... api",
            "nightly", "source attached", "source below", "only its source", "our own",
            "niche", "obscure", "little known",
        ),
    },
}
# fmt: on

# Libraries a cheap model knows well: "use the X library" names an unfamiliar one unless X is
# here (or in [tool.tokentrim.route] familiar_libraries).
FAMILIAR_LIBRARIES = frozenset(
    """
    numpy pandas scipy matplotlib seaborn plotly sklearn scikit-learn requests httpx aiohttp
    flask django fastapi starlette pydantic sqlalchemy alembic celery redis boto3 click typer
    argparse rich pytest unittest hypothesis mock jinja2 jinja yaml pyyaml toml tomllib json csv
    re os sys pathlib logging asyncio threading multiprocessing subprocess datetime collections
    itertools functools dataclasses typing enum sqlite3 psycopg2 psycopg pymongo beautifulsoup
    bs4 lxml selenium playwright scrapy pillow pil opencv cv2 torch pytorch tensorflow keras jax
    transformers nltk spacy polars pyarrow dask tqdm black ruff mypy poetry setuptools pip
    react vue angular svelte next nextjs express lodash axios jest mocha webpack vite node
    jquery tailwind bootstrap moment dayjs zod prisma sequelize mongoose typescript serde tokio
    clap reqwest gin gorm cobra spring hibernate junit mockito guava rails sinatra rspec
    """.split()
)
