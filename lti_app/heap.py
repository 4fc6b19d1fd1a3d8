"""Short garbage-collector pauses: what the app builds at start-up is never scanned again.

A full collection walks every tracked object. Right after start-up that is some 200,000
objects (modules, SQLAlchemy's mappings, compiled templates), all alive until the process
ends, so walking them is pure cost: on a staff page that allocates a few thousand rows it
cost more than the page's own work once every few requests, the slow tail of every page.
``gc.freeze`` moves them out of the collector's sight; what requests allocate is still
collected as usual.
"""

import gc

_frozen = False


def freeze_start_up_objects() -> None:
    """Collect once, then freeze what survives; later calls (tests build many apps) do nothing."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
