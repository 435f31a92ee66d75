"""/pact through the real app: the agreements and their history, proposing and agreeing from the page under
the pact's two-party rule (nothing counts until the other agrees; changes and retiring too), CSRF on every
form, plain 400s for mistakes, danger words never stored, and no other couple's pact in reach."""
import re

from sqlalchemy import select

from core.models import PactVersion
from tests.web.conftest import words


def source_of(page: str) -> str:
    return re.search(r'name="source" value="([^"]+)"', page)[1]


def propose(browser, text: str, action: str = "add", number: int | None = None):
    page = browser.text("/pact")
    data = {"action": action, "text": text, "source": source_of(page) + (f"c{number}" if number else "")}
    if number is not None:
        data["number"] = str(number)
    return browser.post("/pact/propose", data, page="/pact")


def decide(browser, number: int, decision: str):
    return browser.post("/pact/decide", {"number": str(number), "decision": decision}, page="/pact")


def agreement_card(page: str, number: int) -> str:
    """One agreement's card, its whitespace folded as a reader sees it."""
    card = page.split(f'id="agreement-{number}"', 1)[1].split('id="agreement-', 1)[0].split("</ol>", 1)[0]
    return re.sub(r"\s+", " ", card)


def test_a_proposal_counts_only_once_the_other_partner_agrees_on_the_page(alex, sam):
    assert propose(alex, "We check in every evening").status_code == 303
    mine = agreement_card(alex.text("/pact"), 1)
    assert "Proposed:" in mine and "It waits for your partner." in mine and "I agree" not in mine
    theirs = agreement_card(sam.text("/pact"), 1)
    assert "Alex proposed adding it" in theirs and "It counts only if you agree too." in theirs

    assert decide(alex, 1, "agree").status_code == 400  # one's own proposal waits for the other
    assert decide(sam, 1, "agree").status_code == 303

    card = agreement_card(alex.text("/pact"), 1)
    assert '<h2 class="agreement">We check in every evening</h2>' in card and "Agreed " in card
    assert "You proposed “We check in every evening”" in card and "agreed by Sam" in card


def test_changing_and_retiring_need_both_and_versions_are_kept(alex, sam, tx):
    propose(alex, "We check in every evening")
    decide(sam, 1, "agree")
    assert propose(sam, "We check in every evening before nine", "change", 1).status_code == 303
    assert "We check in every evening</h2>" in agreement_card(alex.text("/pact"), 1)  # the agreed words stand
    decide(alex, 1, "agree")
    assert "every evening before nine</h2>" in agreement_card(sam.text("/pact"), 1)

    propose(alex, "", "retire", 1)
    decide(sam, 1, "drop")  # not now: it stays
    history = agreement_card(alex.text("/pact"), 1)
    assert "before nine</h2>" in history and history.count("<li>") == 3 and "set aside" in history
    assert "I agree" not in history  # nothing waits any more
    with tx() as s:
        assert [v.state for v in s.scalars(select(PactVersion).order_by(PactVersion.id))] == [
            "agreed", "agreed", "declined"]


def test_mistakes_get_a_plain_400_and_change_nothing(alex, sam, tx):
    assert alex.post("/pact/propose", {"action": "add", "text": "x", "source": "short"}, page="/pact").status_code == 400
    assert propose(alex, "").status_code == 400
    assert "Write the agreement in the box first." in words(alex.last)
    assert propose(alex, "Anything", "change", 7).status_code == 400
    assert "no agreement with that number" in words(alex.last)
    assert decide(sam, 1, "maybe").status_code == 400
    assert alex.post("/pact/propose", {"action": "add", "text": "We walk on Sundays", "source": "a" * 20},
                     token="forged").status_code == 400  # CSRF
    with tx() as s:
        assert s.scalars(select(PactVersion)).all() == []


def test_danger_words_are_never_stored_and_the_lines_are_shown(alex, sam, tx):
    response = propose(alex, "I'm scared of him when he drinks")
    assert response.status_code == 303 and "said=pact_held" in response.headers["Location"]
    page = alex.text(response.headers["Location"])
    assert "read as if you might not be safe" in page and "Not safe, or in crisis?" in page
    assert "scared" not in sam.text("/pact")
    with tx() as s:
        assert s.scalars(select(PactVersion)).all() == []


def test_another_couple_never_sees_this_pact(alex, visitor, second_couple):
    from tests.web.conftest import OTHER_A
    propose(alex, "We cook together on Fridays")
    other = visitor()
    other.sign_in(OTHER_A)
    page = other.text("/pact")
    assert "cook together" not in page and "Your pact is empty for now." in page
    assert decide(other, 1, "agree").status_code == 400
