"""The Alexa skill: `build_skill(runtime)` wires handlers, interceptors and the request verifier for one app."""
from collections.abc import Callable
from dataclasses import dataclass

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from sqlalchemy.orm import Session

from core.runtime import Runtime
from skill.alexa_api import SettingsApi
from skill.handlers import (checkins, errors, general, identity, promise_changes, promises, roles, safety, setup,
                            together, web_link, weekly)
from skill.handlers import echo as echo_handlers
from skill import echo, screen
from skill.handlers import apology, pact  # issue 13
from skill.interceptors import (CommitInterceptor, IdentifySpeakerInterceptor, LogRequestInterceptor,
                                OpenTurnInterceptor)
from skill.verify import AlexaRequestVerifier
from request_scope import db as request_session


@dataclass(frozen=True)
class AlexaSkill:
    """What POST /alexa needs: the ASK skill, the verifier (None when verification is off) and our skill id."""

    custom: CustomSkill
    verifier: AlexaRequestVerifier | None
    skill_id: str | None


def build_skill(runtime: Runtime, *, db: Callable[[], Session] | None = None, trusted_roots=None,
                fetch=None, settings_api: SettingsApi | None = None) -> AlexaSkill:
    """Register everything in order (gates before features, the catch-all last); tests pass roots and fetch."""
    settings = runtime.settings
    builder = SkillBuilder()
    builder.skill_id = settings.alexa_skill_id or None
    open_turn = OpenTurnInterceptor(runtime, db or request_session,
                                    settings_api or SettingsApi(api_url=settings.alexa_api_url or None))
    for interceptor in (screen.TouchInterceptor(), LogRequestInterceptor(), open_turn, IdentifySpeakerInterceptor()):
        builder.add_global_request_interceptor(interceptor)
    for interceptor in (echo.EchoSyncInterceptor(), screen.ScreenInterceptor(), CommitInterceptor()):
        builder.add_global_response_interceptor(interceptor)
    for handler in (
        general.SessionEndedRequestHandler(), echo_handlers.MessageReceivedHandler(),
        general.CancelOrStopIntentHandler(),
        safety.SafetyIntentHandler(),  # before every gate: safety lines for anyone, linked or not
        # Help and Fallback come before the identity gates: everyone, linked or not, gets a real answer.
        general.HelpIntentHandler(), weekly.WeeklyFallbackHandler(), general.FallbackIntentHandler(),
        setup.SetUpIntentHandler(), setup.SetUpAnswerHandler(), setup.ProfileConsentHandler(),
        identity.LinkAccountIntentHandler(),
        setup.InvitePartnerIntentHandler(), setup.UnrecognisedVoiceHandler(), setup.UnlinkedHandler(),
        identity.IdentifyPartnerIntentHandler(), identity.WhoIsSpeakingHandler(),
        weekly.WeeklyAnswerHandler(),  # "my answer is ..." right after a weekly question answers that one
        pact.PactLaunchHandler(),  # a pact proposal or an apology waiting for the speaker, told once
        checkins.LaunchRequestHandler(), checkins.TodaysQuestionIntentHandler(), checkins.AnswerIntentHandler(),
        checkins.MoodIntentHandler(), checkins.PartnerAnswerIntentHandler(),
        promises.MakePromiseIntentHandler(), promises.ListPromisesIntentHandler(),
        promise_changes.ChangePromiseIntentHandler(), promise_changes.PromiseAnswerHandler(),
        echo_handlers.ReminderWayIntentHandler(), echo_handlers.RemindersPermissionHandler(),
        echo_handlers.AnswerNoticesIntentHandler(),
        together.ThinkingOfYouIntentHandler(), together.WeeklySummaryIntentHandler(),
        safety.DeleteMyDataIntentHandler(), safety.UndoAnswerIntentHandler(),
        safety.PrivateReflectionIntentHandler(), safety.CareYesNoHandler(),
        roles.SetRoleIntentHandler(), roles.SkipQuestionIntentHandler(), web_link.SendPageLinkIntentHandler(),
        # Weekly ritual (issue 13): the weekly check-in, RATE, a setback, and the yes or no to their offers
        weekly.WeeklyCheckInIntentHandler(), weekly.RateIntentHandler(), weekly.SetbackIntentHandler(),
        weekly.WeeklyYesNoHandler(),
        # The trust pact and the guided apology (issue 13)
        pact.PactAddIntentHandler(), pact.PactListIntentHandler(), pact.PactChangeIntentHandler(),
        pact.PactRetireIntentHandler(), pact.PactYesNoHandler(), apology.ApologyIntentHandler(),
        apology.RedoApologyStepIntentHandler(), apology.SendApologyIntentHandler(),
        apology.ApologyReplyIntentHandler(), apology.ApologyFollowUpIntentHandler(),
        general.YesNoIntentHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(errors.DatabaseErrorHandler())
    builder.add_exception_handler(errors.CatchAllExceptionHandler())
    verifier = (AlexaRequestVerifier(builder.skill_id, trusted_roots=trusted_roots, fetch=fetch, clock=runtime.clock)
                if settings.alexa_verify else None)
    return AlexaSkill(builder.create(), verifier, builder.skill_id)
