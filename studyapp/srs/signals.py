"""srs's own signals, for the layers above (which srs never imports)."""

from django.dispatch import Signal

# Sent (sender=None, user_ids=[…]) once a bulk rewrite of some learners' study data has
# committed, a write that sends no model signal (e.g. ``rollups_rebuild``): caches of
# figures built from it must drop what they kept for those learners.
study_data_rewritten = Signal()
