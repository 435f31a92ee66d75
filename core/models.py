"""The data model: typed SQLAlchemy 2.x tables. All datetimes are aware UTC; local dates are the couple's."""
from datetime import date, datetime, timezone

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, SmallInteger,
                        String, TypeDecorator, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.crypto import EncryptedText


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back aware UTC, also on SQLite, which forgets the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return None if value is None else value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Couple(Base):
    __tablename__ = "couple"
    id: Mapped[int] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    question_minute: Mapped[int] = mapped_column(SmallInteger, default=19 * 60)  # minutes after local midnight
    quiet_start: Mapped[int] = mapped_column(SmallInteger, default=21)  # local hour
    quiet_end: Mapped[int] = mapped_column(SmallInteger, default=8)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_question_at: Mapped[datetime | None] = mapped_column(index=True)
    next_summary_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    partners: Mapped[list["Partner"]] = relationship(back_populates="couple", order_by="Partner.id")


class Partner(Base):
    __tablename__ = "partner"
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    consent: Mapped[str] = mapped_column(String(12), default="none")  # none|invited|granted|revoked
    consent_requested_at: Mapped[datetime | None]
    consent_at: Mapped[datetime | None]
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    phone_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    alexa_user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    alexa_person_id: Mapped[str | None] = mapped_column(String(255), index=True)
    awaiting: Mapped[str | None] = mapped_column(String(24))  # the yes/no or number a reply would answer
    awaiting_ref: Mapped[int | None] = mapped_column(Integer)
    awaiting_until: Mapped[datetime | None]
    auto_thinking: Mapped[bool] = mapped_column(Boolean, default=False)
    confirm_kept: Mapped[bool] = mapped_column(Boolean, default=False)  # ask me to confirm my partner's kept promises
    created_at: Mapped[datetime]
    couple: Mapped[Couple] = relationship(back_populates="partners")

    @property
    def can_text(self) -> bool:
        """Only partners who opted in, and have not said STOP, are ever texted."""
        return bool(self.phone) and self.consent == "granted" and not self.opted_out and not self.phone_invalid


class DailyPrompt(Base):
    __tablename__ = "daily_prompt"
    __table_args__ = (UniqueConstraint("couple_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class QuestionHeard(Base):
    """That a partner heard (voice) or was sent (text) the day's question: the fallback skips them."""

    __tablename__ = "question_heard"
    __table_args__ = (UniqueConstraint("partner_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]


class CheckIn(Base):
    __tablename__ = "check_in"
    __table_args__ = (Index("ix_check_in_partner_date", "partner_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # voice|sms
    text: Mapped[str | None] = mapped_column(EncryptedText)
    mood: Mapped[int | None] = mapped_column(SmallInteger)
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class Promise(Base):
    __tablename__ = "promise"
    __table_args__ = (Index("ix_promise_promiser_state", "promiser_id", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    promiser_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    due_at: Mapped[datetime] = mapped_column(index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    lead_minutes: Mapped[int] = mapped_column(SmallInteger, default=30)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open|kept|missed|cancelled
    resolved_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    partner_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    source_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class NudgeSchedule(Base):
    """A partner's plan for "thinking about you" moments: a random time in a daily window."""

    __tablename__ = "nudge_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), unique=True)
    window_start: Mapped[int] = mapped_column(SmallInteger)  # local minutes after midnight
    window_end: Mapped[int] = mapped_column(SmallInteger)
    weekdays: Mapped[int] = mapped_column(SmallInteger, default=0b0011111)  # bit 0 = Monday
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_at: Mapped[datetime | None] = mapped_column(index=True)


class OutboundMessage(Base):
    """The outbox and send queue: one row per text, unique per idempotency key, never sent twice."""

    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_due", "state", "send_after"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    to_phone: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(EncryptedText)
    kind: Mapped[str] = mapped_column(String(24))
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="queued")
    # queued|sending|sent|delivered|failed|undelivered|outbox|cancelled|expired|blocked
    send_after: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    respect_quiet: Mapped[bool] = mapped_column(Boolean, default=True)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id", ondelete="SET NULL"), index=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class InboundMessage(Base):
    """A text we received, by Twilio's MessageSid, with the reply we gave: a retried webhook gets the same."""

    __tablename__ = "inbound_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    reply: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime]


class PairingCode(Base):
    """A short-lived code: `link` ties an Alexa user to a partner; `invite` is kept for the partner's YES."""

    __tablename__ = "pairing_code"
    __table_args__ = (UniqueConstraint("kind", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(12))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    alexa_user_id: Mapped[str | None] = mapped_column(String(255))
    alexa_person_id: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
