"""The dashboard's per-process study part (``dashboard_cache.study_memo``): bounded, and safe
when two threads of one process (runserver, or gunicorn with --threads) keep parts at once
(an unlocked ``study_memo.pop(next(iter(study_memo)))`` raised KeyError, a 500, when another
thread evicted the same learner first; found by review)."""

from studyapp.progress import dashboard_cache


class _RacingMemo(dict):
    """A dict whose first iteration lets "another thread" evict the same oldest key first
    (the interleaving two concurrent study_memo_keep calls can have)."""

    raced = False

    def __iter__(self):
        keys = list(super().__iter__())
        if not self.raced and keys:
            self.raced = True
            super().pop(keys[0])  # the other thread's eviction, between iter() and pop()
        return iter(keys)


def test_two_concurrent_evictions_do_not_raise(monkeypatch):
    memo = _RacingMemo()
    for user_id in range(dashboard_cache.STUDY_MEMO_SIZE):
        memo[user_id] = (("t", "s", "c"), (0, {}, [], []), 0, [])
    monkeypatch.setattr(dashboard_cache, "study_memo", memo)
    dashboard_cache.study_memo_keep(10_000, ("t", "s", "c"), (0, {}, [], []), 0, [])
    assert 10_000 in memo


def test_the_memo_is_bounded_by_rows_and_a_part_larger_than_the_budget_is_not_kept(monkeypatch):
    """Kept parts hold at most STUDY_MEMO_ROWS rows in all (the oldest leave first); a
    learner whose part alone is larger is not kept (their rebuilds read the shared copy)."""
    monkeypatch.setattr(dashboard_cache, "study_memo", {})
    monkeypatch.setattr(dashboard_cache, "STUDY_MEMO_ROWS", 100)
    versions = ("t", "s", "c")

    def part(rows: int) -> tuple:
        return (0, {i: (i,) for i in range(rows)}, [], [])

    dashboard_cache.study_memo_keep(1, versions, part(40), 0, [])
    dashboard_cache.study_memo_keep(2, versions, part(40), 0, [])
    dashboard_cache.study_memo_keep(3, versions, part(40), 0, [])  # 120 > 100: 1 leaves
    assert list(dashboard_cache.study_memo) == [2, 3]
    dashboard_cache.study_memo_keep(2, versions, part(101), 0, [])  # too large: not kept
    assert list(dashboard_cache.study_memo) == [3]
    dashboard_cache.study_memo.pop(3)  # dropped by a lookup (tokens renewed)
    dashboard_cache.study_memo_keep(4, versions, part(100), 0, [])
    assert list(dashboard_cache.study_memo) == [4]
