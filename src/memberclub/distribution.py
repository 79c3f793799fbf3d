"""Every table's place in a distributed PostgreSQL (Citus): by the account key, replicated, local.

A member-owned table would be distributed by the account key: the rows of one member land on
one shard, so the jobs' joins and a redemption's writes stay on it. Such a table carries the key
in its primary key and in every unique key (the rule Citus imposes), which
`tests/integration/test_distribution.py` checks against the schema of both databases. The
account and its member are one to one, so the member-side tables carry the key as `member_id`
(see docs/operations.md, "Distributing the database"). Nothing here is read at run time.
"""

# Member-owned tables and the column that carries the account key.
MEMBER_OWNED: dict[str, str] = {
    "ledger_account": "id",
    "ledger_lot": "account_id",
    "ledger_entry": "account_id",
    "ledger_draw": "account_id",
    "members_member": "id",
    "rewards_redemption": "account_id",
    "fulfilment_shipment": "account_id",
    "access_authkey": "member_id",
    "access_trusteddevice": "member_id",
    "api_personaltoken": "member_id",
    "storage_storedfile": "member_id",
    "storage_reservation": "member_id",
    "notifications_noticemail": "member_id",
}

# The ledger's own tables. Their keys carry the account since the journal was partitioned
# (ledger/sql/0007_partitioned_journal.pg.sql): on PostgreSQL the entry's and the draw's
# primary keys are (id, account_id, effective_on), the lot's (id, account_id).
LEDGER_TABLES = frozenset({"ledger_account", "ledger_lot", "ledger_entry", "ledger_draw"})

# Unique keys of member-owned tables that guard a rule across members, so they cannot carry the
# account key: (table, columns) and why. On a distributed database each becomes a table of its
# own, distributed by that value and written in the same transaction.
GLOBAL_KEYS: dict[tuple[str, tuple[str, ...]], str] = {
    ("members_member", ("member_id",)): "the login ID is unique in the club",
    ("members_member", ("user_id",)): "one member per login user (Django's auth_user, local)",
    ("members_member", ("contract_id",)): "one current member per contract (the contract's rule)",
    ("rewards_redemption", ("number",)): "the redemption number the vendor and support quote",
    # One redemption per journal entry. No foreign key into the journal carries them (its key
    # is (id, account_id, effective_on) on PostgreSQL: the audit checks that the entry is the
    # redemption's account's); entry ids come from one sequence, so on a distributed database
    # these become (debit_id, account_id) without losing what they guard.
    ("rewards_redemption", ("debit_id",)): "one redemption per debit entry",
    ("rewards_redemption", ("refund_id",)): "one redemption per refund entry",
    # The account is one to one with its member, whose own table is distributed by its id: the
    # two halves are co-located when the account takes its member's id.
    ("ledger_account", ("member_id",)): "one points account per member",
}

# Tables distributed by a key of their own, not the account's: (table) and why. Each is written
# in the same transaction as the member-owned row it guards.
OWN_KEY_TABLES: dict[str, str] = {
    # The journal's idempotency key is unique per program whatever the account (a contract's
    # grant once, whichever member holds it) and whatever the date (a retry after midnight on
    # March 31 lands in the next fiscal year's partition): distributed by (program, key).
    "ledger_entrykey": "an idempotency key once per program, across accounts and years",
}

# The contract feed's tables: keyed by the contract, which comes before any member and may
# have several over time; replicated to every node (reference tables) so the jobs' join of
# member and contract stays on the member's shard.
CONTRACT_TABLES = frozenset(
    {
        "contracts_contract",
        "contracts_contractevent",
        "usage_usagebill",
        "access_signuptoken",
        "access_easyregistration",
    }
)

# Small tables every node reads: programs, catalog, notices, the reports' summary, API keys.
REFERENCE_TABLES = frozenset(
    {
        "programs_programversion",
        "programs_programend",
        "rewards_category",
        "rewards_item",
        "rewards_digitalcode",
        "notifications_notice",
        "reports_entrysummary",
        "reports_lotflow",
        "api_apikey",
    }
)

# Bookkeeping kept on the coordinator: jobs, workers, tasks, mail sent, attempts, Django's own.
LOCAL_TABLES = frozenset(
    {
        "jobs_jobrun",
        "jobs_jobchunk",
        "cli_workerlease",
        "django_tasks_database_dbtaskresult",
        "notifications_sentemail",
        "access_failedattempt",
        "console_auditlog",
        "auth_user",
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "auth_user_groups",
        "auth_user_user_permissions",
        "django_admin_log",
        "django_content_type",
        "django_migrations",
        "django_session",
    }
)


def placement(table: str) -> str | None:
    """Where `table` goes: 'account', 'own key', 'contract', 'reference', 'local', or None if
    unlisted."""
    if table in MEMBER_OWNED:
        return "account"
    if table in OWN_KEY_TABLES:
        return "own key"
    for name, tables in (
        ("contract", CONTRACT_TABLES),
        ("reference", REFERENCE_TABLES),
        ("local", LOCAL_TABLES),
    ):
        if table in tables:
            return name
    return None
