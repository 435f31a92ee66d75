"""The data model: typed SQLAlchemy 2.x tables. All datetimes are aware UTC; local dates are the couple's.

States are StrEnums: each member is the very string stored in its column, so rows read back as plain strings
compare equal to them and the schema needs no migration.
"""
import enum
from datetime import date, datetime, timezone

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        SmallInteger, String, TypeDecorator, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from core import local_time
from core.crypto import EncryptedInt, EncryptedText, KeyedDigest, keyed, phone_digest

# The kinds of keyed digest (core.crypto.digest) an Alexa id is kept as.
ALEXA_USER, ALEXA_PERSON = "alexa_user", "alexa_person"


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


class Consent(enum.StrEnum):
    """A partner's consent to texts: only `granted` partners are texted (an invitee gets one invitation)."""

    NONE = "none"
    INVITED = "invited"
    GRANTED = "granted"
    REVOKED = "revoked"


class Channel(enum.StrEnum):
    """Where an answer or a heard question came from."""

    VOICE = "voice"
    SMS = "sms"
    WEB = "web"  # the couple's page (web/)


class PromiseState(enum.StrEnum):
    """A promise is open until its maker settles it."""

    OPEN = "open"
    KEPT = "kept"
    MISSED = "missed"
    CANCELLED = "cancelled"


class TextKind(enum.StrEnum):
    """Why a text is sent; the dispatcher's rules (pause, consent) go by it."""

    INVITATION = "invitation"
    DAILY_QUESTION = "daily_question"
    WEEKLY_SUMMARY = "weekly_summary"
    PROMISE_REMINDER = "promise_reminder"
    PROMISE_FOLLOWUP = "promise_followup"
    PROMISE_THANKS = "promise_thanks"  # the promiser asked: "Alex kept their promise to ... Reply THANKS"
    THANKS = "thanks"  # the partner's THANKS, passed on to the promiser
    ROLE_QUESTION = "role_question"  # after joining: the optional "repairing, hurt, both, rather not say?"
    SETTING_CHANGED = "setting_changed"  # one line to a partner when the other changed a shared setting
    THINKING = "thinking"
    THINKING_AUTO = "thinking_auto"  # no longer made (no automated affection); kept for rows sent before
    NUDGE_OFFER = "nudge_offer"
    LINK_CONSENT = "link_consent"  # the one text a voice set-up sends: "Reply YES to link this Echo"
    # Weekly ritual (issue 13): the weekly check-in (it replaces the weekly summary as the weekly text), a
    # small win to celebrate, and a care note (the counsellor suggestion with the safety lines).
    WEEKLY_CHECKIN = "weekly_checkin"
    SMALL_WIN = "small_win"
    CARE_NOTE = "care_note"
    SIGN_IN = "sign_in"  # a sign-in code or one-time link for the couple's page (core.services.sign_in)


class TextState(enum.StrEnum):
    """Where a text is on its way: queued -> sending -> sent/outbox -> delivered/undelivered/failed, or dropped
    before sending (cancelled, expired, blocked)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    OUTBOX = "outbox"  # the development gateway kept it; nothing left the machine
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    BLOCKED = "blocked"


#: States a text never leaves (apart from a late delivery report).
FINISHED_TEXT_STATES = frozenset(TextState) - {TextState.QUEUED, TextState.SENDING}


class Awaiting(enum.StrEnum):
    """What a short reply (YES, 1, KEPT) from a partner would answer."""

    DELETE = "delete"
    NUDGE_OFFER = "nudge_offer"
    SAVE_ANSWER = "save_answer"  # "Was that your answer? Reply YES to save it" (awaiting_ref: the check-in)
    WEEKLY = "weekly"  # a weekly check-in question was asked (awaiting_ref: the WeeklyCheckIn)
    SETBACK_PAUSE = "setback_pause"  # after HARD DAY: "Reply YES to pause your questions for a day"


class Visibility(enum.StrEnum):
    """Who may ever see a check-in's words. Only `shared` answers are revealed to the partner or counted."""

    SHARED = "shared"
    PRIVATE = "private"  # PRIVATE <text> / "just for me": the writer's alone, for good
    HELD = "held"  # it read as danger: private until the writer says SHARE IT
    PENDING = "pending"  # we asked "was that your answer?": nobody's until YES
    REPLACED = "replaced"  # a later answer the same day took its place; its words are gone


class Role(enum.StrEnum):
    """Where a partner stands, in their own words at joining (ROLE changes it): it only picks the wording of
    the day's question. `unsaid` (rather not say) is the default and hears the wording for everyone."""

    REPAIRING = "repairing"
    HURT = "hurt"
    BOTH = "both"
    UNSAID = "unsaid"


class CodeKind(enum.StrEnum):
    """`link` ties an Alexa user to a partner; `invite` is kept for the partner's YES."""

    LINK = "link"
    INVITE = "invite"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Couple(Base):
    __tablename__ = "couple"
    id: Mapped[int] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # Shared by both partners: the question time and the time zone (a change is told to the other one).
    # Pause, quiet hours and thinking-about-you texts are each partner's own (Partner).
    question_minute: Mapped[int] = mapped_column(SmallInteger, default=19 * 60)  # minutes after local midnight
    next_question_at: Mapped[datetime | None] = mapped_column(index=True)
    next_summary_at: Mapped[datetime | None] = mapped_column(index=True)  # the next weekly check-in text
    created_at: Mapped[datetime]
    # Weekly ritual (issue 13): the couple's weekly check-in time (WEEKLY sun 6pm; 0 = Monday) and when the
    # small wins are next looked for.
    weekly_day: Mapped[int] = mapped_column(SmallInteger, default=6, server_default="6")
    weekly_minute: Mapped[int] = mapped_column(SmallInteger, default=18 * 60, server_default="1080")
    next_win_check_at: Mapped[datetime | None] = mapped_column(index=True)
    partners: Mapped[list["Partner"]] = relationship(back_populates="couple", order_by="Partner.id")


class Partner(Base):
    __tablename__ = "partner"
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    display_name: Mapped[str] = mapped_column(EncryptedText)
    # E.164, encrypted; found and kept unique by its keyed digest, which follows it (see _digest_phone).
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_digest: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    consent: Mapped[str] = mapped_column(String(12), default=Consent.NONE)
    consent_requested_at: Mapped[datetime | None]
    consent_at: Mapped[datetime | None]
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    phone_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    # Alexa ids are kept only as keyed digests: assign the id, compare with `is_person` or in a query.
    alexa_user_id: Mapped[bytes | None] = mapped_column(KeyedDigest(ALEXA_USER), index=True)
    alexa_person_id: Mapped[bytes | None] = mapped_column(KeyedDigest(ALEXA_PERSON), index=True)
    awaiting: Mapped[str | None] = mapped_column(String(24))  # an Awaiting
    awaiting_ref: Mapped[int | None] = mapped_column(Integer)
    awaiting_until: Mapped[datetime | None]
    # This person's own settings: quiet hours (local hours; equal hours, kept from before, mean none),
    # PAUSE, whether they take thinking-about-you texts (THINKING OFF / ON), and their role (a Role), which
    # picks the wording of the day's question.
    quiet_start: Mapped[int] = mapped_column(SmallInteger, default=21)
    quiet_end: Mapped[int] = mapped_column(SmallInteger, default=8)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    takes_thinking: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[str] = mapped_column(String(10), default=Role.UNSAID)
    # The certification reviewer's fictional number (REVIEWER_PHONE_NUMBER): its texts stay in the outbox.
    reviewer: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    erased_at: Mapped[datetime | None]  # DELETE MY DATA: only a first name is left, for the partner's neutral state
    created_at: Mapped[datetime]
    couple: Mapped[Couple] = relationship(back_populates="partners")

    @validates("phone")
    def _digest_phone(self, _key, phone):
        self.phone_digest = phone_digest(phone) if phone else None
        return phone

    @validates("alexa_user_id", "alexa_person_id")
    def _digest_alexa_id(self, key, value):
        return keyed(ALEXA_USER if key == "alexa_user_id" else ALEXA_PERSON, value)

    def is_person(self, person_id: str | None) -> bool:
        """True when this partner is linked to the Alexa voice profile `person_id`."""
        return bool(person_id) and self.alexa_person_id == keyed(ALEXA_PERSON, person_id)

    def text_refusal(self, asks_consent: bool = False) -> str | None:
        """The one rule for "may this partner be texted?": None when they may, else why not (a stable reason
        word). Only partners who opted in, and have not said STOP, are texted; a text that itself asks for
        consent (`asks_consent`, the invitation) may also go to someone not yet opted in."""
        if not self.phone:
            return "no_phone"
        if self.opted_out:
            return "opted_out"
        if self.phone_invalid:
            return "phone_invalid"
        if self.consent != Consent.GRANTED and not asks_consent:
            return "no_consent"
        return None

    def in_quiet_hours(self, now: datetime) -> bool:
        """True when `now` falls in this partner's own quiet hours (in the couple's time zone)."""
        return local_time.in_quiet_hours(now, self.couple.timezone, self.quiet_start, self.quiet_end)

    def quiet_hours_end(self, now: datetime) -> datetime:
        """When this partner's quiet hours around `now` end (`now` itself outside them)."""
        return local_time.quiet_hours_end(now, self.couple.timezone, self.quiet_start, self.quiet_end)

    @property
    def can_text(self) -> bool:
        """True when texts may go to this partner (text_refusal finds nothing)."""
        return self.text_refusal() is None


class DailyPrompt(Base):
    __tablename__ = "daily_prompt"
    __table_args__ = (UniqueConstraint("couple_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(64))
    skipped: Mapped[str] = mapped_column(String(400), default="")  # topic ids SKIPped today, space-separated
    created_at: Mapped[datetime]


class GentleQuestion(Base):
    """A gentler personal question one partner got on SKIP after the other had answered the day's topic."""

    __tablename__ = "gentle_question"
    __table_args__ = (UniqueConstraint("partner_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
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
    channel: Mapped[str] = mapped_column(String(8))  # a Channel
    text: Mapped[str | None] = mapped_column(EncryptedText)
    mood: Mapped[int | None] = mapped_column(EncryptedInt)
    visibility: Mapped[str] = mapped_column(String(8), default=Visibility.SHARED)  # a Visibility
    seen_at: Mapped[datetime | None]  # when the partner was first shown it (UNDO is over then)
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
    state: Mapped[str] = mapped_column(String(10), default=PromiseState.OPEN)
    resolved_at: Mapped[datetime | None]
    # The promiser may ask that their partner hear about it when kept (KEPT THANKS): appreciation, never a verdict.
    wants_thanks: Mapped[bool] = mapped_column(Boolean, default=False)
    thanked_at: Mapped[datetime | None]
    source_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    # The request (Alexa request id, text's MessageSid) that settled it: a replay settles nothing more.
    settled_source_id: Mapped[str | None] = mapped_column(String(128), unique=True)
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


#: Send order within what is due (lower first): texts someone is waiting for right now, then personal
#: ones, then bulk. A kind not listed (a new one) goes before bulk.
URGENT, PERSONAL, BULK = 0, 1, 2
TEXT_PRIORITY = {TextKind.PROMISE_REMINDER: URGENT, TextKind.INVITATION: URGENT, TextKind.LINK_CONSENT: URGENT,
                 TextKind.SIGN_IN: URGENT,
                 TextKind.THINKING: PERSONAL, TextKind.PROMISE_THANKS: PERSONAL, TextKind.THANKS: PERSONAL,
                 TextKind.PROMISE_FOLLOWUP: PERSONAL, TextKind.NUDGE_OFFER: PERSONAL,
                 TextKind.ROLE_QUESTION: PERSONAL, TextKind.SETTING_CHANGED: PERSONAL,
                 TextKind.DAILY_QUESTION: BULK, TextKind.WEEKLY_SUMMARY: BULK, TextKind.THINKING_AUTO: BULK}


def text_priority(kind: str) -> int:
    """The send priority of a kind of text (URGENT, PERSONAL or BULK)."""
    return TEXT_PRIORITY.get(kind, PERSONAL)


def _priority_default(context) -> int:
    return text_priority(context.get_current_parameters().get("kind"))


class OutboundMessage(Base):
    """The outbox and send queue: one row per text, unique per idempotency key, never sent twice."""

    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_due", "state", "send_after"),
                      Index("ix_outbound_queue", "state", "priority", "send_after", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    to_phone: Mapped[str | None] = mapped_column(EncryptedText)
    to_phone_digest: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)
    body: Mapped[str | None] = mapped_column(EncryptedText)
    kind: Mapped[str] = mapped_column(String(24))  # a TextKind
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=TextState.QUEUED)
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
    priority: Mapped[int] = mapped_column(SmallInteger, default=_priority_default, server_default="1")

    @validates("to_phone")
    def _digest_phone(self, _key, phone):
        self.to_phone_digest = phone_digest(phone) if phone else None
        return phone


class SendPace(Base):
    """The token bucket of one sender (a Twilio number or Messaging Service), shared by every dispatcher:
    a text is claimed only with a token, taken in the claim's transaction under this row's lock."""

    __tablename__ = "send_pace"
    sender: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime]
    slowdown: Mapped[float] = mapped_column(Float, default=1.0)  # share of the set rate, halved on a 429
    slow_until: Mapped[datetime | None]  # no token before then after a rate error; the share recovers after


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
    kind: Mapped[str] = mapped_column(String(8))  # a CodeKind
    code: Mapped[str] = mapped_column(String(12))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    alexa_user_id: Mapped[bytes | None] = mapped_column(KeyedDigest(ALEXA_USER))
    alexa_person_id: Mapped[bytes | None] = mapped_column(KeyedDigest(ALEXA_PERSON))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    @validates("alexa_user_id", "alexa_person_id")
    def _digest_alexa_id(self, key, value):
        return keyed(ALEXA_USER if key == "alexa_user_id" else ALEXA_PERSON, value)


class VoiceSetup(Base):
    """A set-up started on an Echo ("open Trust Builder", "yes", a number, a first name), waiting for the YES
    texted back from that number. The number itself is not kept here, only its keyed digest (the YES comes
    from it, and the consent text in the outbox carries it); a new number's first name, and the partner to
    invite once they say YES, are kept encrypted."""

    __tablename__ = "voice_setup"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone_digest: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    # Kept only as keyed digests, like Partner's: assign the id, compare in a query.
    alexa_user_id: Mapped[bytes] = mapped_column(KeyedDigest(ALEXA_USER), index=True)
    alexa_person_id: Mapped[bytes | None] = mapped_column(KeyedDigest(ALEXA_PERSON))
    first_name: Mapped[str | None] = mapped_column(EncryptedText)
    invitee_name: Mapped[str | None] = mapped_column(EncryptedText)
    invitee_phone: Mapped[str | None] = mapped_column(EncryptedText)
    texted: Mapped[bool] = mapped_column(Boolean, default=False)  # False: a limit held the consent text back
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]

    @validates("alexa_user_id", "alexa_person_id")
    def _digest_alexa_id(self, key, value):
        return keyed(ALEXA_USER if key == "alexa_user_id" else ALEXA_PERSON, value)


class PhoneGuard(Base):
    """The per-number rules, by the number's keyed digest (core.crypto.phone_digest), never the number: the
    do-not-contact list, one invitation per 7 days, the LINK lockout and the hourly reply budget. The row is
    what those count-then-write rules lock (SELECT ... FOR UPDATE)."""

    __tablename__ = "phone_guard"
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    do_not_contact_at: Mapped[datetime | None]  # erased, or an invitee who said STOP: never invited again
    invited_at: Mapped[datetime | None]  # the last invitation to this number (sent or not)
    link_failures: Mapped[int] = mapped_column(SmallInteger, default=0)
    link_failed_since: Mapped[datetime | None]
    link_locked_until: Mapped[datetime | None]
    reply_window_start: Mapped[datetime | None]
    replies_in_window: Mapped[int] = mapped_column(Integer, default=0)
    safety_reply_at: Mapped[datetime | None]  # SAFETY over the budget is still answered once an hour
    created_at: Mapped[datetime]


class Invitation(Base):
    """Every INVITE, sent or not (a registered or do-not-contact number gets nothing, and the inviter the same
    reply): the per-inviter and per-couple limits count these rows."""

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_due", "state", "expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    phone_digest: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    invitee_name: Mapped[str] = mapped_column(EncryptedText)  # a first name, encrypted like every name
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # an InvitationState
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class InvitationState(enum.StrEnum):
    """An invitation is pending for 7 days, until YES, STOP, or the inviter erases or withdraws it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# Alexa-native features (issue 12): Echo reminders, "your partner answered" notices, the Echo Show screen.
class ReminderWay(enum.StrEnum):
    """How a partner wants promise reminders: by text (the default), on the Echo, or both."""

    TEXT = "text"
    ECHO = "echo"
    BOTH = "both"


class EchoPreference(Base):
    """A partner's choices for what their Echo does, and where to reach it from the scheduler: the Alexa
    account's user id (encrypted; only for a partner who turned on notices) and its API host."""

    __tablename__ = "echo_preference"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), unique=True)
    reminder_way: Mapped[str | None] = mapped_column(String(8))  # a ReminderWay; None: not asked yet
    notify_answered: Mapped[bool | None] = mapped_column(Boolean)  # None: not asked yet
    alexa_user_ref: Mapped[str | None] = mapped_column(EncryptedText)
    api_host: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class EchoChange(enum.StrEnum):
    """What an Echo reminder still needs from the Reminders API after its promise changed."""

    UPDATE = "update"
    DELETE = "delete"


class EchoReminder(Base):
    """A reminder created on the Echo for a promise (its alert token from the Reminders API). When the promise
    is kept, missed, cancelled, moved or erased, `change` says what the Echo still needs; it is applied with
    the next apiAccessToken of that Alexa account (a request, or a skill message the scheduler sends), so the
    row keeps the account's user id (digest to find it, encrypted to address the message)."""

    __tablename__ = "echo_reminder"
    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id", ondelete="SET NULL"), unique=True)
    alexa_user_id: Mapped[bytes] = mapped_column(KeyedDigest(ALEXA_USER), index=True)
    alexa_user_ref: Mapped[str] = mapped_column(EncryptedText)
    api_host: Mapped[str] = mapped_column(String(64))
    alert_token: Mapped[str] = mapped_column(String(255))
    remind_at: Mapped[datetime]
    change: Mapped[str | None] = mapped_column(String(8))  # an EchoChange; a row without promise: delete
    messaged_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    @validates("alexa_user_id")
    def _digest_alexa_id(self, _key, value):
        return keyed(ALEXA_USER, value)


class AnswerNotice(Base):
    """A "your partner answered" notification for one partner's Echo: at most one per local day."""

    __tablename__ = "answer_notice"
    __table_args__ = (UniqueConstraint("partner_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)  # queued, sent, failed, dropped
    send_after: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


# ----------------------------------------------------------------------------------------------------------
# Weekly ritual (issue 13, items 3-6): the weekly check-in, small wins, weekly ratings and setbacks.

class WeeklyCheckIn(Base):
    """A couple's weekly check-in, one per scheduled week (`week_of`: the local day it opened for). `revisit`
    is one pact agreement to look at again ("Does this one still work for you both?"), when one was given."""

    __tablename__ = "weekly_check_in"
    __table_args__ = (UniqueConstraint("couple_id", "week_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    week_of: Mapped[date] = mapped_column(Date)
    revisit: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime]


class WeeklyAnswer(Base):
    """One partner's answer to one of the weekly check-in's three questions (step 1, 2 or 3). Like a daily
    answer it is `shared`, or `held` when it read as danger (never shown to the partner)."""

    __tablename__ = "weekly_answer"
    __table_args__ = (UniqueConstraint("check_in_id", "partner_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("weekly_check_in.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(EncryptedText)
    visibility: Mapped[str] = mapped_column(String(8), default=Visibility.SHARED)
    seen_at: Mapped[datetime | None]
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class SmallWin(Base):
    """A small win celebrated with a couple: each `key` once, and at most one a local day."""

    __tablename__ = "small_win"
    __table_args__ = (UniqueConstraint("key", "couple_id"), UniqueConstraint("local_date", "couple_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    local_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class WeeklyRating(Base):
    """RATE 6 5 7: how safe, trusting and connected one partner feels this week (0-10), theirs alone."""

    __tablename__ = "weekly_rating"
    __table_args__ = (UniqueConstraint("partner_id", "week_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    week_of: Mapped[date] = mapped_column(Date)  # the Monday of the local week
    safe: Mapped[int] = mapped_column(EncryptedInt)
    trusting: Mapped[int] = mapped_column(EncryptedInt)
    connected: Mapped[int] = mapped_column(EncryptedInt)
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class Setback(Base):
    """HARD DAY: a dated setback one partner noted (nothing is erased by it); `pause_until` when they chose
    a day without questions."""

    __tablename__ = "setback"
    __table_args__ = (UniqueConstraint("partner_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    pause_until: Mapped[datetime | None] = mapped_column(index=True)
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class CounsellorSuggestion(Base):
    """When a partner was last told a couples counsellor could help (once, then not again for a month)."""

    __tablename__ = "counsellor_suggestion"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]

# The couple's page (web/, core.services.sign_in, export, operator_status)
class SignInKind(enum.StrEnum):
    """`code`: 6 digits texted after GET /login; `link`: a one-time link (LOGIN by text, "send me a link")."""

    CODE = "code"
    LINK = "link"


class SignInCode(Base):
    """A sign-in code or link, kept only as keyed digests: the browser holds the handle (a code's cookie,
    or the link's token), the phone the code. A row is written for any well-formed number asked for, known
    or not (partner_id is then empty and nothing is texted), so every number gets the same reply and limit."""

    __tablename__ = "sign_in_code"
    __table_args__ = (Index("ix_sign_in_code_phone_created", "phone_digest", "created_at"),
                      Index("ix_sign_in_code_client_created", "client_digest", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # a SignInKind
    phone_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    handle_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    code_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # Who asked, as a keyed digest of the client's address (an IPv6 address by its /64): the hourly limit
    # per asker, so nobody can have codes texted to number after number.
    client_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    wrong_tries: Mapped[int] = mapped_column(SmallInteger, default=0)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, this row only its digest; idle for 30 days, or
    signed out (here or everywhere), it is gone."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)


class ReportConsent(Base):
    """One partner's yes to a report for the couple's therapist, for the parts they chose (space-separated
    section names); the report holds only the parts both said yes to, and only while both yeses stand."""

    __tablename__ = "report_consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), unique=True)
    sections: Mapped[str] = mapped_column(String(120))
    agreed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SchedulerBeat(Base):
    """When the scheduler last said it was alive (its heartbeat job), for the operator's status page."""

    __tablename__ = "scheduler_beat"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]
# --- Pact and apology (issue 13, items 1 and 2; core.services.pact, core.services.apology) ---------------

class PactKind(enum.StrEnum):
    """Texts of the pact and the apology (stored in OutboundMessage.kind, like a TextKind)."""

    PACT_PROPOSAL = "pact_proposal"  # to the other partner: "Alex proposes adding ... Reply AGREE 1"
    PACT_AGREED = "pact_agreed"  # to the proposer: "Sam agreed ..." (or gently declined)
    APOLOGY = "apology"  # the apology itself, to the partner
    APOLOGY_NOTE = "apology_note"  # right after it: no reply is needed
    APOLOGY_REPLY = "apology_reply"  # the partner's optional THANK YOU / NOT READY, to the author


class PactAction(enum.StrEnum):
    """What a pact version proposes: a new agreement, new words for one, or retiring it."""

    ADD = "add"
    CHANGE = "change"
    RETIRE = "retire"


class ProposalState(enum.StrEnum):
    """A pact version waits for the other partner; it counts only once they agree."""

    PENDING = "pending"
    AGREED = "agreed"
    DECLINED = "declined"  # the other partner said PACT DROP n
    WITHDRAWN = "withdrawn"  # its proposer said PACT DROP n
    LAPSED = "lapsed"  # nobody agreed within pact.LAPSE


class ApologyState(enum.StrEnum):
    """An apology is the author's draft until they say SEND."""

    DRAFT = "draft"
    SENT = "sent"
    CANCELLED = "cancelled"


#: Partner.awaiting while an apology is being written (awaiting_ref: the apology) and after its read-back.
AWAITING_APOLOGY_STEP, AWAITING_APOLOGY_DONE = "apology_step", "apology_done"


class PactAgreement(Base):
    """One agreement of a couple's pact; its words and history are its versions (PactVersion)."""

    __tablename__ = "pact_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    versions: Mapped[list["PactVersion"]] = relationship(order_by="PactVersion.id", cascade="all, delete-orphan",
                                                         passive_deletes=True)


class PactVersion(Base):
    """A proposed version of an agreement (add, change or retire): who proposed it and when, and who agreed
    and when. Versions are kept; the agreement reads as its latest agreed one."""

    __tablename__ = "pact_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pact_agreement.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(8))  # a PactAction
    text: Mapped[str | None] = mapped_column(EncryptedText)  # None for a retirement
    state: Mapped[str] = mapped_column(String(10), default=ProposalState.PENDING)  # a ProposalState
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    proposed_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    voice_told_at: Mapped[datetime | None]  # the other partner heard it when they opened the skill
    source_id: Mapped[str | None] = mapped_column(String(128), unique=True)


class Apology(Base):
    """A guided apology: what I did, how I think it affected you, what I will do differently. A draft until
    its author says SEND; the partner may answer THANK YOU or NOT READY, and need not answer at all."""

    __tablename__ = "apology"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    what_i_did: Mapped[str | None] = mapped_column(EncryptedText)
    how_it_affected_you: Mapped[str | None] = mapped_column(EncryptedText)
    what_i_will_change: Mapped[str | None] = mapped_column(EncryptedText)
    state: Mapped[str] = mapped_column(String(10), default=ApologyState.DRAFT)  # an ApologyState
    step: Mapped[int] = mapped_column(SmallInteger, default=1)  # the step being written (0: all three written)
    held_at: Mapped[datetime | None]  # SEND found words of danger: held once, the lines offered
    sent_at: Mapped[datetime | None]
    heard_at: Mapped[datetime | None]  # the partner heard it by voice
    response: Mapped[str | None] = mapped_column(String(10))  # thank_you | not_ready, passed on once
    responded_at: Mapped[datetime | None]
    became: Mapped[str | None] = mapped_column(String(8))  # promise | pact: the third step, turned into one
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
