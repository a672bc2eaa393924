"""review5: dashboard_cache.study_memo_keep evicts with an unlocked check-then-act
(``study_memo.pop(next(iter(study_memo)))``): two threads of one process (runserver, or
gunicorn with --threads) evicting at once both pick the same oldest learner and the second
``pop`` raises KeyError, a 500 on the dashboard. srs.selectors.display_memo takes a lock for
the same reason; this memo does not."""

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
        memo[user_id] = (("t", "s", "c"), (0, {}, [], []), 0)
    monkeypatch.setattr(dashboard_cache, "study_memo", memo)
    dashboard_cache.study_memo_keep(10_000, ("t", "s", "c"), (0, {}, [], []), 0)
    assert 10_000 in memo
