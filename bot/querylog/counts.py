"""What the review reads instead of every question: counts kept by triggers (migration 4).

- ``daily_counts``: questions and answered ones per UTC day, channel and latency bucket;
- ``question_counts``: per normalized question, how often it was asked, and unanswered;
- ``daily_ratings``: 👍 and 👎 per day of the question they rate (of the rating itself when its
  question is no longer in the log);
- indexes for what counts cannot hold: latency percentiles, distinct users, and a question's
  count in a period.

Triggers keep the counts equal to what the tables hold whoever writes (marjaa, the sqlite3
shell): every insert, delete and update of a counted column. Everything here is part of
migration 4 and is never edited: changing a count (or LATENCY_BOUNDS) takes a new migration
that drops and rebuilds what it changes.
"""

from __future__ import annotations

from collections.abc import Callable

# Upper bounds (ms) of the latency histogram's buckets; the last bucket is open-ended.
LATENCY_BOUNDS = (10, 25, 50, 100, 250, 500, 1000, 2500)


def bucket_sql(latency: str) -> str:
    """The SQL expression of the latency histogram's bucket (0 to len(LATENCY_BOUNDS))."""
    cases = " ".join(f"WHEN {latency} < {high} THEN {i}" for i, high in enumerate(LATENCY_BOUNDS))
    return f"CASE {cases} ELSE {len(LATENCY_BOUNDS)} END"


def _question(row: str, sign: int) -> str:
    """Statements adding (+1) or removing (-1) the question ``row`` (NEW or OLD) from the counts."""
    day, channel = f"substr({row}.timestamp, 1, 10)", f"{row}.channel"
    bucket, answered = bucket_sql(f"{row}.latency_ms"), f"{row}.answered"
    query = f"{row}.normalized_query"
    if sign > 0:
        return f"""
            INSERT INTO daily_counts (day, channel, latency_bucket, questions, answered)
            VALUES ({day}, {channel}, {bucket}, 1, {answered})
            ON CONFLICT DO UPDATE SET questions = questions + 1,
                answered = answered + excluded.answered;
            INSERT INTO question_counts (normalized_query, questions, unanswered)
            VALUES ({query}, 1, {answered} = 0)
            ON CONFLICT DO UPDATE SET questions = questions + 1,
                unanswered = unanswered + excluded.unanswered;"""
    where = f"day = {day} AND channel = {channel} AND latency_bucket = {bucket}"
    # a day, channel and bucket without questions must not stay: it would show as a day
    return f"""
            UPDATE daily_counts SET questions = questions - 1, answered = answered - {answered}
            WHERE {where};
            DELETE FROM daily_counts WHERE {where} AND questions <= 0;
            UPDATE question_counts SET questions = questions - 1,
                unanswered = unanswered - ({answered} = 0)
            WHERE normalized_query = {query};
            DELETE FROM question_counts WHERE normalized_query = {query} AND questions <= 0;"""


# The day a rating counts on: its question's, else its own.
def _rating_day(row: str) -> str:
    return (
        f"substr(COALESCE((SELECT timestamp FROM queries WHERE query_id = {row}.query_id), "
        f"{row}.timestamp), 1, 10)"
    )


_ADD_RATINGS = "ON CONFLICT DO UPDATE SET up = up + excluded.up, down = down + excluded.down;"


def _rating(row: str, sign: int) -> str:
    """Statements adding (+1) or removing (-1) the rating ``row`` (NEW or OLD)."""
    return f"""
            INSERT INTO daily_ratings (day, up, down)
            VALUES ({_rating_day(row)}, {sign} * ({row}.rating = 1), {sign} * ({row}.rating = -1))
            {_ADD_RATINGS}"""


def _move_ratings(query_id: str, from_day: str, to_day: str) -> str:
    """Statements moving the ratings of question ``query_id`` from one day to another."""
    return "".join(
        f"""
            INSERT INTO daily_ratings (day, up, down)
            SELECT {day}, {sign} * (rating = 1), {sign} * (rating = -1) FROM feedback
            WHERE query_id = {query_id}
            {_ADD_RATINGS}"""
        for day, sign in ((from_day, -1), (to_day, 1))
    )


def _ratings_leave(row: str) -> str:
    """The question ``row`` (OLD) is gone: its ratings count on their own days."""
    return _move_ratings(
        f"{row}.query_id", f"substr({row}.timestamp, 1, 10)", "substr(feedback.timestamp, 1, 10)"
    )


def _ratings_join(row: str) -> str:
    """The question ``row`` (NEW) is there: ratings already given to it count on its day."""
    return _move_ratings(
        f"{row}.query_id", "substr(feedback.timestamp, 1, 10)", f"substr({row}.timestamp, 1, 10)"
    )


def _ratings_moved(row: str, sign: int) -> str:
    return _ratings_join(row) if sign > 0 else _ratings_leave(row)


def _triggers(
    table: str,
    name: str,
    change: Callable[[str, int], str],
    columns: str,
    when: Callable[[str], str] | None = None,
) -> tuple[str, str, str]:
    """The AFTER INSERT, DELETE and UPDATE OF ``columns`` triggers of ``table`` applying
    ``change(row, ±1)``: an update removes the old row and adds the new one. ``when(row)``:
    the condition for a row to count at all."""

    def trigger(event: str, rows: tuple[tuple[str, int], ...]) -> str:
        guard = " OR ".join(when(row) for row, _ in rows) if when else ""
        body = "".join(change(row, sign) for row, sign in rows)
        return (
            f"CREATE TRIGGER {table}_{event.split()[0].lower()}_{name} AFTER {event} "
            f"ON {table}{f' WHEN {guard}' if guard else ''} BEGIN {body}\n    END"
        )

    return (
        trigger("INSERT", (("NEW", +1),)),
        trigger("DELETE", (("OLD", -1),)),
        trigger(f"UPDATE OF {columns}", (("OLD", -1), ("NEW", +1))),
    )


def _rated(row: str) -> str:
    return f"EXISTS (SELECT 1 FROM feedback WHERE query_id = {row}.query_id)"


COUNTED = "timestamp, channel, answered, latency_ms, normalized_query"

COUNTS_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE daily_counts (
        day TEXT NOT NULL,
        channel TEXT NOT NULL,
        latency_bucket INTEGER NOT NULL,
        questions INTEGER NOT NULL,
        answered INTEGER NOT NULL,
        PRIMARY KEY (day, channel, latency_bucket)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE question_counts (
        normalized_query TEXT PRIMARY KEY,
        questions INTEGER NOT NULL,
        unanswered INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE daily_ratings (
        day TEXT PRIMARY KEY,
        up INTEGER NOT NULL,
        down INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX queries_normalized ON queries (normalized_query, timestamp, answered)",
    "CREATE INDEX queries_latency ON queries (latency_ms, timestamp)",
    "CREATE INDEX queries_user ON queries (user_key, timestamp) WHERE user_key IS NOT NULL",
    *_triggers("queries", "counted", _question, COUNTED),
    # ratings move only for questions that have some (one probe for the others: pruning a
    # million questions, nine in ten unrated, does not pay for moving nothing)
    *_triggers("queries", "rated", _ratings_moved, "query_id, timestamp", when=_rated),
    *_triggers("feedback", "counted", _rating, "query_id, rating, timestamp"),
    # the counts of the questions and ratings already logged
    f"""
    INSERT INTO daily_counts (day, channel, latency_bucket, questions, answered)
    SELECT substr(timestamp, 1, 10), channel, {bucket_sql("latency_ms")}, COUNT(*), SUM(answered)
    FROM queries GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO question_counts (normalized_query, questions, unanswered)
    SELECT normalized_query, COUNT(*), SUM(answered = 0) FROM queries GROUP BY normalized_query
    """,
    """
    INSERT INTO daily_ratings (day, up, down)
    SELECT substr(COALESCE(queries.timestamp, feedback.timestamp), 1, 10),
        SUM(rating = 1), SUM(rating = -1)
    FROM feedback LEFT JOIN queries USING (query_id) GROUP BY 1
    """,
    # the top questions are looked for among those asked more than once; most questions are
    # asked once, and leaving them out keeps these indexes small
    "CREATE INDEX question_counts_questions ON question_counts (questions) WHERE questions > 1",
    """
    CREATE INDEX question_counts_unanswered ON question_counts (unanswered)
    WHERE unanswered > 1
    """,
)
