"""The repository: every SQL statement of the project lives in this package.

One module per concern, each adding its statements to `Store` as a base class, so callers
keep calling `store.daily_claim(...)`, `store.replace_corpus(...)`:

- `base`: the connections ("lanes"), opening, the meta table, integrity checks;
- `dialect`: all that differs between SQLite and PostgreSQL; `migrate` + `revisions/`: Alembic;
- `corpus` (+ `plan`, the load's diff and rows): loading and reading the corpus;
- `shelf`: `PassageShelf`, the answers read by id (sync, from worker threads);
- `admin`, `daily`, `trivia` (+ `trivia_games`, `trivia_seasons`), `quote_settings`: each
  feature's rows; `events`: LISTEN/NOTIFY between processes;
- `rows`: the row types handed out, and their converters.
"""

from bot.store.admin import AdminStore
from bot.store.base import CORPUS_TABLES, Lane, StoreBase
from bot.store.corpus import CorpusStore
from bot.store.daily import DailyStore
from bot.store.errors import StoreError
from bot.store.events import RELOAD_CHANNEL, EventsStore
from bot.store.migrate import APPLICATION_ID, _migrations
from bot.store.plan import (
    INSERT_BATCH,
    SUMMARY_KEY,
    _LoadPlan,
    _Stored,
    fingerprint,
    fingerprint_ids,
)
from bot.store.quote_settings import QuoteSettingsStore
from bot.store.rows import (
    AdminAction,
    Change,
    DailyPostRow,
    DailyRow,
    IndexRow,
    LoadReport,
    PendingImport,
    StoredCorpus,
    StoredInterview,
)
from bot.store.shelf import PassageShelf
from bot.store.trivia import TriviaStore


class Store(
    CorpusStore,
    AdminStore,
    DailyStore,
    TriviaStore,
    QuoteSettingsStore,
    EventsStore,
    StoreBase,
):
    """Owns the database connections. Create with `await Store.open(path)`."""


__all__ = [
    "APPLICATION_ID",
    "CORPUS_TABLES",
    "INSERT_BATCH",
    "RELOAD_CHANNEL",
    "SUMMARY_KEY",
    "AdminAction",
    "Change",
    "DailyPostRow",
    "DailyRow",
    "IndexRow",
    "Lane",
    "LoadReport",
    "PassageShelf",
    "PendingImport",
    "Store",
    "StoreError",
    "StoredCorpus",
    "StoredInterview",
    "_LoadPlan",
    "_Stored",
    "_migrations",
    "fingerprint",
    "fingerprint_ids",
]
