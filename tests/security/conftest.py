"""Shared pieces of the security tests: the hypothesis profile, the hostile strings, and the
counters that docs/security.md quotes (printed at the end of the run)."""

from __future__ import annotations

import os
import secrets
from collections import Counter

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# One profile for every property-based test of this package, applied explicitly with
# ``@settings(parent=PROFILE)`` so that other packages' hypothesis tests keep their defaults.
# A fresh seed on every run, so each run tries new examples; it is printed in the header and in
# the summary of the run, and SECURITY_FUZZ_SEED=<seed> replays a failing run exactly. No example
# database written into the tree. SECURITY_FUZZ_EXAMPLES raises the count (``make fuzz``).
FUZZ_SEED = int(os.environ.get("SECURITY_FUZZ_SEED") or secrets.randbelow(2**32))
FUZZ_EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "10"))
settings.register_profile(
    "tawjih-security",
    max_examples=FUZZ_EXAMPLES,
    # No shrinking: a failure is reproducible as it is (replay its seed), and shrinking long
    # strings through real requests would cost minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=False,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
PROFILE = settings.get_profile("tawjih-security")

# What an attacker or a broken spreadsheet sends: SQL, HTML/JS, template syntax, control
# characters and NUL, bidirectional overrides, zero-width and byte-order marks, emoji and mixed
# scripts. Every string here is either rejected with a message or stored and shown escaped.
FRAGMENTS = [
    "' OR '1'='1",
    "'; DROP TABLE baom_beneficiary; --",
    "1); SELECT pg_sleep(10); --",
    '" OR 1=1 --',
    "%' UNION SELECT password FROM accounts_user --",
    "\\'; COPY (SELECT 1) TO PROGRAM 'id'; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ request.user.password }}",
    "{% debug %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example/","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\x00",
    "nul\x00byte",
    "\x07\x08\x1b[31mred",
    "line\r\nbreak",
    "tab\there",
    "\x0b\x0c\x1f\x7f",
    "\u202e",
    "Facture\u202efdp.exe",
    "\u200b\u200d\ufeff",
    "\u2028\u2029",
    "👩🏾‍⚕️🇲🇦😀",
    "محمد الأمين",
    "Ⅻ ǅ 𝕏 ﷽",
    "Fatoumata دیالو 李 Ιωάννης Шарль",
    "\uffff\ufffe",
    "%s%s%n%x",
    "../../etc/passwd",
    "0612345678",
    "a" * 300,
]

_characters = st.characters(
    codec="utf-8",
    categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Co"],
)

hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(_characters, min_size=1, max_size=12)),
        min_size=2,
        max_size=5,
    ).map("".join),
    # Very long: a fragment repeated to 2,000 - 12,000 characters.
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(2_000, 12_000)).map(
        lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
    ),
)

# Substrings that only an unescaped hostile value could put into a page.
UNESCAPED_MARKERS = [
    "<script>alert(1)",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</textarea><script>",
    "</title><script>",
]

# Counted across the run; docs/security.md quotes the summary printed at the end.
STATS: Counter = Counter()
PER_TARGET: dict[str, Counter] = {}


def count(target: str, key: str, n: int = 1) -> None:
    STATS[key] += n
    PER_TARGET.setdefault(target, Counter())[key] += n


def pytest_report_header(config):
    return f"security fuzzing: seed {FUZZ_SEED} (replay: SECURITY_FUZZ_SEED={FUZZ_SEED})"


def pytest_terminal_summary(terminalreporter):
    if not STATS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("security fuzzing")
    write(
        f"seed {FUZZ_SEED}, {FUZZ_EXAMPLES} examples per form "
        f"(replay: SECURITY_FUZZ_SEED={FUZZ_SEED} SECURITY_FUZZ_EXAMPLES={FUZZ_EXAMPLES})"
    )
    write(
        f"hostile submissions tried: {STATS['tried']}, stored: {STATS['stored']}, "
        f"refused with a message: {STATS['refused']}, stored but invalid: "
        f"{STATS['accepted_invalid']}, server errors: {STATS['server_error']}, "
        f"unescaped in a page: {STATS['unescaped']}, hostile values sent: {STATS['values']}"
    )
    for name, counter in sorted(PER_TARGET.items()):
        write(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
