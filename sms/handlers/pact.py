"""The trust pact by text: PACT (the list, pending proposals marked), PACT n (one whole, with its history),
PACT ADD / CHANGE n / RETIRE n (proposals the other partner must agree to), AGREE [n], PACT DROP n, IDEAS."""
from core.models import PactAction, ProposalState
from core.services import pact
from core.words import texts
from core.words.times import describe_local
from sms.handlers.safety import lines_for
from sms.turn import Turn

IDEAS_SHOWN = 3
HOW = {"add": texts.PACT_ADD_HOW, "change": texts.PACT_CHANGE_HOW, "retire": texts.PACT_NUMBER_HOW,
       "drop": texts.PACT_NUMBER_HOW}


def pact_command(turn: Turn, command) -> str:
    """Every PACT form: list, show, ideas, propose (add, change, retire) or drop."""
    action, number, words = command.args
    if action in (None, "list"):
        return listing(turn)
    if action == "show":
        return show(turn, number)
    if action == "ideas":
        return texts.pact_ideas(list(pact.suggestions()[:IDEAS_SHOWN]))
    if action == "how":
        return texts.PACT_HOW
    if number is None and action != "add" or action in ("add", "change") and not words:
        return HOW[action]
    if action == "drop":
        decided = pact.drop(turn.session, turn.partner, number, turn.now)
        return texts.pact_dropped(decided.version.state == ProposalState.WITHDRAWN, turn.other_name or "your partner")
    proposed = pact.propose(turn.session, turn.partner, action, turn.now, f"sms:{turn.text.sid}", text=words,
                            number=number)
    return proposal_reply(turn, proposed)


def proposal_reply(turn: Turn, proposed: pact.Proposed) -> str:
    """What the proposer hears: held (the lines), or that it counts once the other agrees and how they hear."""
    if proposed.held is not None:
        return texts.pact_held(lines_for(turn))
    delivery = proposed.delivery or pact.Delivery()
    after = describe_local(delivery.after, turn.tz, turn.now) if delivery.after else None
    return texts.pact_proposal_sent(turn.other_name or "your partner", proposed.action, proposed.number,
                                    delivery.refusal, after)


def agree(turn: Turn, command) -> str:
    """AGREE [n]: the other partner's proposal counts now, and they hear so."""
    decided = pact.agree(turn.session, turn.partner, command.get("number"), turn.now)
    return texts.pact_agreed(decided.version.action, decided.text,
                             decided.proposer.display_name if decided.proposer else "your partner")


def listing(turn: Turn) -> str:
    """PACT: the agreed ones and, marked as such, the proposals still waiting."""
    live = pact.entries(turn.session, turn.partner.couple_id, turn.now)
    if not live:
        ideas = pact.suggestions()
        return texts.pact_empty(ideas[turn.partner.couple_id % len(ideas)])
    return texts.pact_list([_line(turn, e) for e in live])


def _line(turn: Turn, entry: pact.Entry) -> str:
    pending = entry.pending
    if pending is None:
        return texts.pact_line(entry.number, entry.text, None, "", False)
    words = entry.text if pending.action == PactAction.RETIRE else pending.text
    waiting_on = turn.other_name or "your partner"
    return texts.pact_line(entry.number, words, pending.action, waiting_on, entry.waits_for(turn.partner))


def show(turn: Turn, number: int) -> str:
    """PACT n: the agreement whole, and each version: who proposed it and when, who agreed and when."""
    live = pact.entries(turn.session, turn.partner.couple_id, turn.now)
    if not 1 <= number <= len(live):
        return texts.problem("pact_no_such", None)
    entry = live[number - 1]
    names = {p.id: p.display_name for p in turn.partner.couple.partners}
    history = [texts.pact_version_line(v.action, v.text, names.get(v.proposed_by_id, "your partner"),
                                       describe_local(v.proposed_at, turn.tz, turn.now), v.state,
                                       names.get(v.decided_by_id, "your partner"), v.decided_at and describe_local(v.decided_at, turn.tz, turn.now))
               for v in pact.history(entry.agreement)]
    text = entry.text if entry.text is not None else None
    return texts.pact_entry(number, text, history)
