"""The audit trail's integrity and housekeeping, done by PostgreSQL (migration 0004).

``verify()`` recomputes every line's hash from its fields and the previous line's hash, in one
ordered scan in the database, and checks that positions follow each other and that the last
line matches the chain head. Anyone who rewrites, deletes or inserts a line (the owner, who can
disable the triggers) breaks the chain from that line on, unless they recompute every later
hash *and* the head: keep the head hash that ``verify_audit`` prints somewhere else (the daily
log shipped off the server) to detect that too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

VERIFY_SQL = """
WITH lines AS (
    SELECT chain_seq, id, prev_hash, line_hash,
        lag(line_hash) OVER w AS before_hash, lag(chain_seq) OVER w AS before_seq,
        core_audit_line_hash(prev_hash, chain_seq, id, created_at, actor_id, username, action,
            object_type, object_id, organisation_id, ip_address, path) AS recomputed
    FROM core_auditevent WINDOW w AS (ORDER BY chain_seq, id)
)
SELECT chain_seq, id,
    CASE
        WHEN chain_seq IS NULL THEN 'not chained'
        WHEN recomputed <> line_hash THEN 'content changed'
        WHEN before_seq IS NOT NULL AND chain_seq <> before_seq + 1 THEN 'line missing before'
        WHEN before_seq IS NOT NULL AND prev_hash <> before_hash THEN 'link broken'
        WHEN before_seq IS NULL AND chain_seq = 1 AND prev_hash <> '' THEN 'link broken'
    END AS problem
FROM lines
WHERE chain_seq IS NULL OR recomputed <> line_hash
   OR (before_seq IS NOT NULL AND (chain_seq <> before_seq + 1 OR prev_hash <> before_hash))
   OR (before_seq IS NULL AND chain_seq = 1 AND prev_hash <> '')
ORDER BY chain_seq NULLS FIRST
LIMIT %s
"""


@dataclass
class Verification:
    lines: int = 0
    first: int | None = None
    last: int | None = None
    head_seq: int = 0
    head_hash: str = ""
    problems: list[tuple[int | None, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, limit: int = 100) -> Verification:
    result = Verification()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(chain_seq), max(chain_seq) FROM core_auditevent")
        result.lines, result.first, result.last = cursor.fetchone()
        cursor.execute("SELECT seq, hash FROM core_audithead WHERE id = 1")
        result.head_seq, result.head_hash = cursor.fetchone()
        cursor.execute(VERIFY_SQL, [limit])
        result.problems = list(cursor.fetchall())
        if (result.last or 0) != result.head_seq:
            result.problems.append((result.last, 0, "lines missing at the end"))
        elif result.last:
            cursor.execute(
                "SELECT line_hash FROM core_auditevent WHERE chain_seq = %s", [result.last]
            )
            if cursor.fetchone()[0] != result.head_hash:
                result.problems.append((result.last, 0, "last line differs from the head"))
    return result


def ensure_partitions(months_ahead: int = 3) -> int:
    """Create the monthly partitions up to ``months_ahead`` months from now (idempotent)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT core_audit_ensure_partitions(%s)", [months_ahead])
        return cursor.fetchone()[0]


def detach_before(cutoff) -> int:
    """Detach the monthly partitions that end before ``cutoff`` (at least 12 months ago)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT core_audit_detach_before(%s)", [cutoff])
        return cursor.fetchone()[0]
