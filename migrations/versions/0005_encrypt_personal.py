"""encrypt names, numbers and moods; keyed digests for numbers and Alexa ids; settled_source_id

Revision ID: 0005
Revises: 0001

Names (partner.display_name), phone numbers (partner.phone, outbound_message.to_phone) and moods
(check_in.mood) become Fernet ciphertext under ENCRYPTION_KEY; phone numbers also get a keyed digest
(HMAC-SHA256 under LOOKUP_KEY: partner.phone_digest, unique, and outbound_message.to_phone_digest) to be found
by; Alexa user and person ids (partner, pairing_code) are replaced by their keyed digests. Existing rows are
converted here, so the keys must be configured (core.crypto.configure / configure_lookup: the app does it
before migrating; `alembic upgrade head` does it from the settings, migrations/env.py).

Downgrade decrypts names, numbers and moods back; Alexa ids cannot be recovered from their digests, so they
are cleared (each partner links the Echo again with LINK <code>).
"""
from alembic import op
import sqlalchemy as sa

from core import crypto

revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 500


def _encrypt(value):
    return None if value is None else crypto.encrypt(str(value))


def _keyed(kind):
    return lambda value: None if value is None else crypto.digest(kind, value)


# (table, column, how a stored value becomes the new one, the digest column it also fills)
CONVERSIONS = [
    ("partner", "display_name", _encrypt, None),
    ("partner", "phone", _encrypt, "phone_digest"),
    ("partner", "alexa_user_id", _keyed("alexa_user"), None),
    ("partner", "alexa_person_id", _keyed("alexa_person"), None),
    ("check_in", "mood", _encrypt, None),
    ("outbound_message", "to_phone", _encrypt, "to_phone_digest"),
    ("pairing_code", "alexa_user_id", _keyed("alexa_user"), None),
    ("pairing_code", "alexa_person_id", _keyed("alexa_person"), None),
]


def _convert(table: str, column: str, into: str, convert, digest_column: str | None = None) -> None:
    """Fill `into` from `column` for every row with a value, in batches by id."""
    connection = op.get_bind()
    source = sa.table(table, sa.column("id", sa.Integer), sa.column(column))
    target = sa.table(table, sa.column("id", sa.Integer), sa.column(into, sa.LargeBinary),
                      *([sa.column(digest_column, sa.LargeBinary)] if digest_column else []))
    last = 0
    while True:
        rows = connection.execute(sa.select(source.c.id, source.c[column]).where(
            source.c.id > last, source.c[column].is_not(None)).order_by(source.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row_id, value in rows:
            values = {into: convert(value)}
            if digest_column:
                values[digest_column] = crypto.phone_digest(value)
            connection.execute(sa.update(target).where(target.c.id == row_id).values(**values))
        last = rows[-1][0]


def _has_rows() -> bool:
    connection = op.get_bind()
    return any(connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()
               for table in {t for t, *_ in CONVERSIONS})


def upgrade() -> None:
    if _has_rows():
        crypto.encrypt("")  # raises CryptoError now, before anything changes, when the keys are not configured
        crypto.digest("check", "")
    for table, column, _, digest_column in CONVERSIONS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(f"{column}_new", sa.LargeBinary(), nullable=True))
            if digest_column:
                batch_op.add_column(sa.Column(digest_column, sa.LargeBinary(), nullable=True))
    for table, column, convert, digest_column in CONVERSIONS:
        _convert(table, column, f"{column}_new", convert, digest_column)

    op.drop_index("ix_partner_alexa_person_id", table_name="partner")
    op.drop_index("ix_partner_alexa_user_id", table_name="partner")
    with op.batch_alter_table("partner") as batch_op:
        batch_op.drop_constraint("uq_partner_phone", type_="unique")
    with op.batch_alter_table("partner") as batch_op:
        for column in ("display_name", "phone", "alexa_user_id", "alexa_person_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("partner") as batch_op:
        batch_op.alter_column("display_name_new", new_column_name="display_name", nullable=False)
        for column in ("phone", "alexa_user_id", "alexa_person_id"):
            batch_op.alter_column(f"{column}_new", new_column_name=column)
    with op.batch_alter_table("partner") as batch_op:
        batch_op.create_unique_constraint("uq_partner_phone_digest", ["phone_digest"])
    op.create_index("ix_partner_alexa_person_id", "partner", ["alexa_person_id"], unique=False)
    op.create_index("ix_partner_alexa_user_id", "partner", ["alexa_user_id"], unique=False)
    for table, columns in (("check_in", ["mood"]), ("outbound_message", ["to_phone"]),
                           ("pairing_code", ["alexa_user_id", "alexa_person_id"])):
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_column(column)
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(f"{column}_new", new_column_name=column)
    op.create_index("ix_outbound_message_to_phone_digest", "outbound_message", ["to_phone_digest"], unique=False)
    with op.batch_alter_table("promise") as batch_op:
        batch_op.add_column(sa.Column("settled_source_id", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint("uq_promise_settled_source_id", ["settled_source_id"])


def _decrypt_into(table: str, column: str, into: str, as_int: bool = False) -> None:
    connection = op.get_bind()
    t = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.LargeBinary), sa.column(into))
    for row_id, value in connection.execute(sa.select(t.c.id, t.c[column]).where(t.c[column].is_not(None))).all():
        plain = crypto.decrypt(bytes(value))
        connection.execute(sa.update(t).where(t.c.id == row_id).values({into: int(plain) if as_int else plain}))


def downgrade() -> None:
    with op.batch_alter_table("promise") as batch_op:
        batch_op.drop_constraint("uq_promise_settled_source_id", type_="unique")
        batch_op.drop_column("settled_source_id")
    op.drop_index("ix_outbound_message_to_phone_digest", table_name="outbound_message")
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.add_column(sa.Column("to_phone_old", sa.String(length=20), nullable=True))
    with op.batch_alter_table("check_in") as batch_op:
        batch_op.add_column(sa.Column("mood_old", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("partner") as batch_op:
        batch_op.add_column(sa.Column("display_name_old", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("phone_old", sa.String(length=20), nullable=True))
    _decrypt_into("outbound_message", "to_phone", "to_phone_old")
    _decrypt_into("check_in", "mood", "mood_old", as_int=True)
    _decrypt_into("partner", "display_name", "display_name_old")
    _decrypt_into("partner", "phone", "phone_old")
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.drop_column("to_phone")
        batch_op.drop_column("to_phone_digest")
    with op.batch_alter_table("outbound_message") as batch_op:
        batch_op.alter_column("to_phone_old", new_column_name="to_phone")
    with op.batch_alter_table("check_in") as batch_op:
        batch_op.drop_column("mood")
    with op.batch_alter_table("check_in") as batch_op:
        batch_op.alter_column("mood_old", new_column_name="mood")
    with op.batch_alter_table("pairing_code") as batch_op:  # digests cannot be read back: cleared
        for column in ("alexa_user_id", "alexa_person_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("pairing_code") as batch_op:
        for column in ("alexa_user_id", "alexa_person_id"):
            batch_op.add_column(sa.Column(column, sa.String(length=255), nullable=True))
    op.drop_index("ix_partner_alexa_person_id", table_name="partner")
    op.drop_index("ix_partner_alexa_user_id", table_name="partner")
    with op.batch_alter_table("partner") as batch_op:
        batch_op.drop_constraint("uq_partner_phone_digest", type_="unique")
    with op.batch_alter_table("partner") as batch_op:
        for column in ("display_name", "phone", "phone_digest", "alexa_user_id", "alexa_person_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("partner") as batch_op:
        batch_op.alter_column("display_name_old", new_column_name="display_name", nullable=False)
        batch_op.alter_column("phone_old", new_column_name="phone")
        batch_op.add_column(sa.Column("alexa_user_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("alexa_person_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("partner") as batch_op:
        batch_op.create_unique_constraint("uq_partner_phone", ["phone"])
    op.create_index("ix_partner_alexa_person_id", "partner", ["alexa_person_id"], unique=False)
    op.create_index("ix_partner_alexa_user_id", "partner", ["alexa_user_id"], unique=False)
